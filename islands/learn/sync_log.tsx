/** The learn page's sync log: the device's events, newest first, with their sync status. */
import { timeAgo } from "../../components/format.ts";
import type { LearningProgressEvent } from "../../lib/core/learning_events.ts";
import { LearningSyncEngine } from "../../lib/browser/sync_engine.ts";
import type { LearningSyncStatus } from "../../lib/browser/sync_state.ts";
import { STATUS_LABEL } from "./lesson_panels.tsx";

function describe(event: LearningProgressEvent, titles: Record<string, string>): string {
  switch (event.type) {
    case "content.progressed": {
      const p = event.payload;
      const title = titles[p.contentId] ?? p.contentId;
      const state = p.interaction?.state;
      const detail = state?.kind === "video" && typeof state.percent === "number"
        ? ` (${Math.round(state.percent)}% watched)`
        : p.interaction && state === null
        ? " (answer cleared)"
        : state?.kind === "quiz"
        ? " (answered)"
        : state?.kind === "todo"
        ? " (task ticked)"
        : "";
      return `${title}: ${STATUS_LABEL[p.status].toLowerCase()}${
        p.score !== undefined ? `, score ${p.score}` : ""
      }${detail}`;
    }
    case "onboarding.completed":
      return `Started path ${titles[event.payload.pathId] ?? event.payload.pathId}`;
    case "onboarding.reset":
      return "Onboarding reset";
    case "activePath.set":
      return event.payload.pathId
        ? `Active path: ${titles[event.payload.pathId] ?? event.payload.pathId}`
        : "Active path cleared";
    case "progress.reset":
      return "Progress reset";
  }
}

const SYNC_LABEL: Record<LearningSyncStatus, string> = {
  local: "On this device",
  syncing: "Syncing",
  synced: "Synced",
  error: "Error",
};

/** The device's latest events, newest first, with their sync status. */
export function SyncLog(
  props: { engine: LearningSyncEngine | null; titles: Record<string, string>; now: number },
) {
  const events = props.engine?.events ?? [];
  const shown = events.slice(-30).reverse();
  return (
    <details class="card sync-log" data-testid="sync-log">
      <summary>
        Sync log{" "}
        <span class="muted small">
          ({events.length} {events.length === 1 ? "event" : "events"})
        </span>
      </summary>
      {shown.length === 0 ? <p class="empty">Nothing recorded yet.</p> : (
        <ul class="activity-list">
          {shown.map((event) => {
            const status = props.engine!.statusOf(event.eventId);
            const error = props.engine!.errorOf(event.eventId);
            return (
              <li
                key={event.eventId}
                class="activity"
                data-testid="event-row"
                data-event-id={event.eventId}
                data-status={status}
              >
                <div class="activity-main">
                  <span class="activity-title">{describe(event, props.titles)}</span>
                  {error && status === "error" && <span class="muted small">{error}</span>}
                </div>
                <span class="cluster">
                  <span class="sync-badge" data-status={status}>{SYNC_LABEL[status]}</span>
                  <time class="activity-time" dateTime={event.occurredAt}>
                    {timeAgo(event.occurredAt, props.now)}
                  </time>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </details>
  );
}
