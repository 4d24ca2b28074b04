/** Browser-side live store: one EventSource per tab feeding signals that every island reads. */
import { signal } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import type { Award } from "../core/award_step.ts";
import type { ConflictSummary } from "../core/conflict.ts";
import type { ActivityView } from "../core/activity_state.ts";
import type { ProgressUpdate } from "../core/project.ts";
import { headlineText } from "../core/progress_model.ts";
import type { ActivitySummary } from "../core/summary.ts";
import type { OverallProgress } from "../core/unified_view.ts";
import type { ActivityFacts } from "../core/weighted.ts";
import { applyActivityToPath, type PathProgressSummary } from "../core/path_progress.ts";
import type { ItemView } from "../core/propagation.ts";
import { LIVE_START } from "../live/live_cursor.ts";

/**
 * The live connection state an island shows: "connecting" (as the server rendered it) until the
 * island has hydrated, then the tab's state. Hydration does not patch attributes or text that
 * differ from the server's markup, so an island hydrating after another island's stream opened
 * would otherwise keep showing "connecting"; the render after hydration patches it.
 */
export function useConnectionState(): ConnectionState {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const state = connection.value;
  return hydrated ? state : "connecting";
}

/** State of the tab's live connection. */
export type ConnectionState = "connecting" | "open" | "closed";

/** The tab's live connection state. */
export const connection = signal<ConnectionState>("connecting");
/** How a page names each connection state. */
export const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  open: "Live",
  closed: "Offline",
};
/** When the last live message arrived (ISO), or the page's last sync time. */
export const lastSyncedAt = signal<string | null>(null);
/** The student's overall progress, kept current by `progress_update`. */
export const overallProgress = signal<OverallProgress | null>(null);
/** Recent activities, newest first. */
export const recentActivities = signal<ActivitySummary[]>([]);
/** A short sentence describing the latest update, for screen readers. */
export const announcement = signal("");
/** The student's todos and calendar entries shown on the page, kept current by `syncedItems`. */
export const trackedItems = signal<ItemView[] | null>(null);
/** The student's learning paths with per-step progress. */
export const learningPaths = signal<PathProgressSummary[] | null>(null);
/** What weighted progress reads of each activity updated since the page loaded, by activity id. */
export const activityFacts = signal<Record<string, ActivityFacts>>({});

/** Achievements earned since the page loaded, oldest first. */
export const awardsEarned = signal<Award[]>([]);

/** A short-lived notice shown to the student (e.g. an achievement just earned). */
export interface Toast {
  id: string;
  kind: "achievement" | "warning";
  title: string;
  body: string;
  /** Where the toast leads (e.g. the achievement on the achievements page). */
  href?: string;
}

/** Notices currently shown, oldest first. */
export const toasts = signal<Toast[]>([]);

/** How long a toast stays on screen. */
export const TOAST_MS = 8000;

/** Takes a toast off the screen. */
export function dismissToast(id: string): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}

/** Shows a toast for `TOAST_MS` (once per id). */
export function showToast(toast: Toast): void {
  if (toasts.value.some((t) => t.id === toast.id)) return;
  toasts.value = [...toasts.value, toast];
  setTimeout(() => dismissToast(toast.id), TOAST_MS);
}

/** Conflicts that need the student, announced live since the page loaded, newest first. */
export const liveConflicts = signal<ConflictSummary[]>([]);

/** Applies a `conflict_detected` message: keeps (once) and announces those that wait for the student. */
export function applyConflictDetected(conflict: ConflictSummary): void {
  if (conflict.status !== "unresolved") return;
  if (liveConflicts.value.some((c) => c.id === conflict.id)) return;
  liveConflicts.value = [conflict, ...liveConflicts.value];
  const systems = [...new Set(conflict.conflictingEvents.map((e) => e.sourceSystem))];
  announcement.value = `Conflict to review: ${
    systems.join(" and ").replaceAll("_", " ")
  } disagree about ${conflict.activityTitle ?? conflict.activityId}.`;
}

/** How many recent activities the dashboard shows. */
export const RECENT_SHOWN = 10;

let source: EventSource | null = null;

/** Merges one entry into a recent list: newest first by timestamp then id, no repeats. */
export function mergeRecentEntry(
  list: readonly ActivitySummary[],
  entry: ActivitySummary,
): ActivitySummary[] {
  return [entry, ...list.filter((e) => e.eventId !== entry.eventId)]
    .sort((a, b) =>
      a.timestamp === b.timestamp
        ? (a.eventId < b.eventId ? 1 : -1)
        : (a.timestamp < b.timestamp ? 1 : -1)
    )
    .slice(0, RECENT_SHOWN);
}

/** Replaces items by id with their updated versions, keeping the order (new ones at the end). */
export function mergeItems(list: readonly ItemView[], updates: readonly ItemView[]): ItemView[] {
  const byId = new Map(updates.map((i) => [i.itemId, i]));
  const merged = list.map((i) => byId.get(i.itemId) ?? i);
  const known = new Set(list.map((i) => i.itemId));
  return [...merged, ...updates.filter((i) => !known.has(i.itemId))];
}

/** The server's state of each activity updated since the page loaded, by activity id. */
export const liveActivities = signal<Record<string, ActivityView>>({});

/** Applies a `progress_update` to the store. */
export function applyProgressUpdate(update: ProgressUpdate, at: string): void {
  liveActivities.value = { ...liveActivities.value, [update.activityId]: update.activity };
  overallProgress.value = update.overallProgress;
  if (update.syncedItems?.length && trackedItems.value) {
    trackedItems.value = mergeItems(trackedItems.value, update.syncedItems);
  }
  if (learningPaths.value) {
    learningPaths.value = learningPaths.value.map((p) => applyActivityToPath(p, update.activity));
  }
  const before = activityFacts.value[update.activityId];
  activityFacts.value = {
    ...activityFacts.value,
    [update.activityId]: {
      status: update.activity.status,
      timeSpentMinutes: update.activity.timeSpentMinutes,
      bestScore: update.activity.bestScore,
      tutorChat: (before?.tutorChat ?? false) ||
        update.recentActivity.sourceSystem === "chat_system",
    },
  };
  recentActivities.value = mergeRecentEntry(recentActivities.value, update.recentActivity);
  lastSyncedAt.value = at;
  const a = update.recentActivity;
  const o = update.overallProgress;
  announcement.value = `${a.title ?? a.activityId}: ${a.completionStatus.replace("_", " ")} (from ${
    a.sourceSystem.replaceAll("_", " ")
  }). Overall ${
    headlineText({
      done: o.completedActivities,
      total: o.totalActivities,
      percentage: o.percentageComplete,
    })
  }.`;
}

/**
 * Seeds the store from server-rendered data (only fields still unset) and opens the tab's one live
 * connection, resuming after `liveCursor` so nothing processed after the render is missed.
 */
export function connectLive(initial: {
  overallProgress?: OverallProgress;
  recentActivities?: ActivitySummary[];
  lastSyncTime?: string | null;
  liveCursor: string | null;
  trackedItems?: ItemView[];
  learningPaths?: PathProgressSummary[];
}): void {
  overallProgress.value ??= initial.overallProgress ?? null;
  if (recentActivities.value.length === 0) recentActivities.value = initial.recentActivities ?? [];
  lastSyncedAt.value ??= initial.lastSyncTime ?? null;
  trackedItems.value ??= initial.trackedItems ?? null;
  learningPaths.value ??= initial.learningPaths ?? null;
  if (source || typeof EventSource === "undefined") return;
  const resume = encodeURIComponent(initial.liveCursor ?? LIVE_START);
  source = new EventSource(`/api/progress-sync/live?lastEventId=${resume}`);
  connection.value = "connecting";
  source.onopen = () => {
    connection.value = "open";
  };
  source.onerror = () => {
    connection.value = source?.readyState === EventSource.CLOSED ? "closed" : "connecting";
  };
  source.addEventListener("achievement_earned", (event) => {
    const award = JSON.parse((event as MessageEvent).data) as Award;
    if (!awardsEarned.value.some((a) => a.achievementId === award.achievementId)) {
      awardsEarned.value = [...awardsEarned.value, award];
    }
    showToast({
      id: `achievement-${award.achievementId}`,
      kind: "achievement",
      title: `Achievement unlocked: ${award.title}`,
      body: award.description,
      href: `/achievements#achievement-${encodeURIComponent(award.achievementId)}`,
    });
    // The toast region (role="status") announces it; the progress announcement stays as it was.
  });
  source.addEventListener("conflict_detected", (event) => {
    applyConflictDetected(JSON.parse((event as MessageEvent).data));
  });
  source.addEventListener("progress_update", (event) => {
    applyProgressUpdate(JSON.parse((event as MessageEvent).data), new Date().toISOString());
  });
}
