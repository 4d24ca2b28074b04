/**
 * Times the systems report about when work happened (a completion's stated time, a calendar
 * entry's actual start), bounded by when the report reached us: a time further ahead of its
 * arrival than clocks drift is a clock error, and the arrival time stands instead. The arrival
 * time itself stays in the log (`receivedAt`). Pure.
 */
import type { StoredEvent } from "./event_schema.ts";

/** How far ahead of its arrival a reported time may be and still be believed (clock skew). */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000;

type Timed = Pick<StoredEvent, "eventData" | "timestamp" | "receivedAt">;

function bounded(stated: string | undefined, event: Timed): number {
  const time = Date.parse(stated ?? event.timestamp);
  const received = Date.parse(event.receivedAt);
  return time > received + CLOCK_SKEW_TOLERANCE_MS ? received : time;
}

/**
 * When a report says the work happened, epoch ms: for a completion the time it states
 * (`videoProgress.completedAt`, `todoProgress.actualCompletionDate`, `scheduleProgress.actualEndTime`)
 * or else its timestamp, bounded by its arrival plus the clock-skew tolerance.
 */
export function reportedTimeMs(event: Timed): number {
  const data = event.eventData;
  const stated = data.completionStatus === "completed"
    ? data.videoProgress?.completedAt ?? data.todoProgress?.actualCompletionDate ??
      data.scheduleProgress?.actualEndTime
    : undefined;
  return bounded(stated, event);
}

/** `reportedTimeMs` as ISO: the completion time a state records for a completing report. */
export function reportedCompletedAt(event: Timed): string {
  return new Date(reportedTimeMs(event)).toISOString();
}

/** When a report says the work started (`scheduleProgress.actualStartTime`, else its timestamp), bounded as above, ISO. */
export function reportedStartedAt(event: Timed): string {
  return new Date(bounded(event.eventData.scheduleProgress?.actualStartTime, event)).toISOString();
}
