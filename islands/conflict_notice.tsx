import { useEffect } from "preact/hooks";
import { connectLive, liveConflicts } from "../lib/browser/live_client.ts";

/** Props of the conflict notice: the conflicts open at render, and where the live stream resumes. */
export interface ConflictNoticeProps {
  /** Ids of the student's unresolved conflicts when the page was rendered. */
  openConflictIds: string[];
  /** The live stream position the page reflects (shared with the other islands of the page). */
  liveCursor: string | null;
  /** Hide the link (on the conflicts page itself the notice asks for a reload instead). */
  onConflictsPage?: boolean;
}

/**
 * A notice that some of the student's tools disagree and the student has to decide, with a link to
 * the conflicts page. It appears (or its count grows) the moment a `conflict_detected` that needs
 * the student arrives on the live stream.
 */
export default function ConflictNotice(props: ConflictNoticeProps) {
  useEffect(() => {
    connectLive({ liveCursor: props.liveCursor });
  }, []);
  const live = liveConflicts.value;
  const ids = new Set([...props.openConflictIds, ...live.map((c) => c.id)]);
  const fresh = live.filter((c) => !props.openConflictIds.includes(c.id));
  if (ids.size === 0 || (props.onConflictsPage && fresh.length === 0)) {
    return <div class="conflict-notice-slot" aria-live="polite" data-testid="conflict-notice" />;
  }
  const latest = fresh[0];
  const systems = latest
    ? [...new Set(latest.conflictingEvents.map((e) => e.sourceSystem.replaceAll("_", " ")))]
    : [];
  return (
    <div class="conflict-notice-slot" aria-live="polite" data-testid="conflict-notice">
      <div class="notice notice-warning" role="status" data-count={ids.size}>
        <div>
          <p class="notice-title">
            {ids.size === 1
              ? "1 conflict needs your decision"
              : `${ids.size} conflicts need your decision`}
          </p>
          <p class="notice-body">
            {latest
              ? `Just now: ${systems.join(" and ")} disagree about ${
                latest.activityTitle ?? latest.activityId
              }.`
              : "Two of your tools disagree about your progress; you decide what counts."}
          </p>
        </div>
        <a class="button button-small" href="/conflicts" data-testid="conflict-notice-link">
          {props.onConflictsPage ? "Show it" : "Review"}
        </a>
      </div>
    </div>
  );
}
