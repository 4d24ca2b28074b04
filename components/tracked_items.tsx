import type { ItemView } from "../lib/core/propagation.ts";
import { humanize, learnHref, timeAgo } from "./format.ts";

const STATUS_LABEL = { open: "to do", in_progress: "in progress", completed: "done" } as const;

function planned(item: ItemView): string | null {
  return item.kind === "schedule" ? item.scheduledStart : item.dueDate;
}

/** A student's todos and calendar entries with the state derived from their activities. */
export function TrackedItems(props: { items: readonly ItemView[]; now: number }) {
  if (props.items.length === 0) {
    return (
      <p class="empty">
        No open todos or calendar entries linked to your activities.{" "}
        <a href="/learn">Continue learning</a>.
      </p>
    );
  }
  return (
    <ul class="activity-list" data-testid="tracked-items">
      {props.items.map((item) => {
        const when = planned(item);
        const state = item.state;
        return (
          <li
            class="activity"
            key={item.itemId}
            data-item-id={item.itemId}
            data-status={state.status}
          >
            <div class="activity-main">
              <span class="activity-title">
                {item.activityIds[0]
                  ? <a href={learnHref(item.activityIds[0])}>{item.title}</a>
                  : item.title}
              </span>
              <span class="activity-meta">
                <span class={`status status-item-${state.status}`}>
                  {STATUS_LABEL[state.status]}
                </span>
                <span class={`badge badge-${item.system}`}>{humanize(item.system)}</span>
                <span class="muted small">
                  {state.completedActivities}/{state.totalActivities} activities
                  {state.actualStart && item.kind === "schedule" && state.status !== "open" && (
                    <>
                      {" · started "}
                      <time dateTime={state.actualStart}>
                        {timeAgo(state.actualStart, props.now)}
                      </time>
                    </>
                  )}
                  {state.timing && ` · ${state.timing === "on_time" ? "on time" : "late"}`}
                  {state.rescheduledFrom &&
                    ` · moved from ${state.rescheduledFrom.slice(0, 16).replace("T", " ")}`}
                </span>
              </span>
            </div>
            {when && (
              <time class="activity-time" dateTime={when}>
                {item.kind === "schedule" ? "planned " : "due "}
                {when.slice(0, 16).replace("T", " ")}
              </time>
            )}
          </li>
        );
      })}
    </ul>
  );
}
