/** Formats minutes as `1 h 05 min` or `12 min`. */
export function formatMinutes(minutes: number): string {
  const total = Math.round(minutes);
  if (total < 60) return `${total} min`;
  return `${Math.floor(total / 60)} h ${String(total % 60).padStart(2, "0")} min`;
}

/** Turns an id like `css-layout` into a title like `Css layout`. */
export function titleFromId(id: string): string {
  const words = id.replace(/[-_]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The learn page at an activity (a link that opens that lesson), on `pathId` when given. */
export function learnHref(activityId: string, pathId?: string): string {
  const params = new URLSearchParams();
  if (pathId) params.set("path", pathId);
  params.set("lesson", activityId);
  return `/learn?${params}`;
}

/** Turns a snake_case value like `video_player` into `video player`. */
export function humanize(value: string): string {
  return value.replaceAll("_", " ");
}

/** Describes how long ago `iso` was, relative to `now` (e.g. `just now`, `5 min ago`, `3 days ago`). */
export function timeAgo(iso: string | null, now: number): string {
  if (!iso) return "never";
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 0) return "just now";
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}
