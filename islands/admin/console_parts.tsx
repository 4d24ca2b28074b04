/** Small pieces of the admin console: status chips, figures, time formats and its API call. */

/** The chip class of each status word. */
export const STATUS_CLASS: Record<string, string> = {
  healthy: "status-completed",
  succeeded: "status-completed",
  delayed: "status-started",
  pending: "status-in_progress",
  delivering: "status-in_progress",
  conflict: "status-started",
  failed: "status-failed",
  dead: "status-failed",
  no_events: "status",
};

const STATUS_WORDS: Record<string, string> = { no_events: "no events yet" };

/** An ISO time as `YYYY-MM-DD HH:MM:SS UTC`, or a dash. */
export function time(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "—";
}

/** A duration in ms as `850 ms` or `1.2 s`, or a dash. */
export function seconds(ms: number | null): string {
  return ms === null ? "—" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A rate (0–1) as a percentage with one decimal, or a dash. */
export function percent(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 1000) / 10} %`;
}

/** A status chip, worded for people. */
export function Status(props: { value: string }) {
  return (
    <span class={STATUS_CLASS[props.value] ?? "status"}>
      {STATUS_WORDS[props.value] ?? props.value}
    </span>
  );
}

/** One figure with its label. */
export function Stat(props: { label: string; value: string; testid: string }) {
  return (
    <li class="stat">
      <span class="stat-value" data-testid={props.testid}>{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </li>
  );
}

/** Calls the console's admin API; answers the parsed body, or throws the API's error message. */
export async function callApi<T>(
  path: string,
  init: { method?: string; json?: unknown } = {},
): Promise<T> {
  const response = await fetch(`/admin/api${path}`, {
    method: init.method ?? "GET",
    headers: {
      accept: "application/json",
      ...(init.json === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  if (response.status === 401) {
    location.assign("/admin");
    throw new Error("Signed out");
  }
  const body = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    const issues = Array.isArray(body.issues)
      ? `: ${
        body.issues.map((i: { path: string; message: string }) => `${i.path} ${i.message}`).join(
          "; ",
        )
      }`
      : "";
    throw new Error(`${body.error ?? `HTTP ${response.status}`}${issues}`);
  }
  return body as T;
}
