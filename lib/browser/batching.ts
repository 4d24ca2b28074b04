/**
 * Seed 002's client batching, as pure functions: when the queue of local events is flushed, and
 * how progress heartbeats for the same content are merged before they leave the device.
 */
import {
  type ContentProgressedEvent,
  type LearningProgressEvent,
  occurredMs,
} from "../core/learning_events.ts";
import type { LearningProgressSyncState } from "./sync_state.ts";

/** A flush happens at most this long after the oldest unsent event (seed 002: every 5 s). */
export const FLUSH_INTERVAL_MS = 5000;
/** A flush happens at once when this many events wait (seed 002: 10 events). */
export const FLUSH_MAX_EVENTS = 10;
/** Quiet time after the latest change before a flush (seed 001: debounced). */
export const FLUSH_DEBOUNCE_MS = 1000;
/** Heartbeats for the same content this close together become one event (seed 002: 10 s). */
export const HEARTBEAT_MERGE_MS = 10_000;

/** True for a progress heartbeat: `in_progress` with no interaction, or with a video's playback. */
export function isHeartbeat(event: LearningProgressEvent): event is ContentProgressedEvent {
  if (event.type !== "content.progressed" || event.payload.status !== "in_progress") return false;
  const interaction = event.payload.interaction;
  return interaction === undefined || interaction.state?.kind === "video";
}

function watchedSeconds(event: ContentProgressedEvent): number {
  const value = event.payload.interaction?.state?.watchedSeconds;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Finds the heartbeat a new one merges into: the latest event for the same content and
 * interaction that is a heartbeat, has never left the device (`local`, never attempted), and
 * happened within `HEARTBEAT_MERGE_MS`. Returns null when the new event stands alone.
 */
export function findMergeableHeartbeat(
  log: readonly LearningProgressEvent[],
  sync: LearningProgressSyncState | null,
  event: LearningProgressEvent,
): ContentProgressedEvent | null {
  if (!isHeartbeat(event)) return null;
  const at = occurredMs(event);
  for (let i = log.length - 1; i >= 0; i--) {
    const candidate = log[i]!;
    if (!isHeartbeat(candidate)) continue;
    if (candidate.payload.contentId !== event.payload.contentId) continue;
    if (candidate.payload.interaction?.interactionId !== event.payload.interaction?.interactionId) {
      continue;
    }
    const entry = sync?.events[candidate.eventId];
    const unsent = sync === null ||
      (entry !== undefined && entry.status === "local" && entry.lastAttemptAt === null);
    if (!unsent) return null;
    return Math.abs(at - occurredMs(candidate)) <= HEARTBEAT_MERGE_MS ? candidate : null;
  }
  return null;
}

/**
 * One heartbeat standing for `earlier` and `later`: `later`'s id, time and position, with the
 * seconds watched in both added up, so no watch time is lost by merging.
 */
export function mergeHeartbeats(
  earlier: ContentProgressedEvent,
  later: ContentProgressedEvent,
): ContentProgressedEvent {
  const state = later.payload.interaction?.state;
  if (!state || state.kind !== "video") return later;
  const total = watchedSeconds(earlier) + watchedSeconds(later);
  return {
    ...later,
    payload: {
      ...later.payload,
      interaction: {
        interactionId: later.payload.interaction!.interactionId,
        state: { ...state, watchedSeconds: Math.round(total * 1000) / 1000 },
      },
    },
  };
}

/**
 * Milliseconds until the queue should be flushed: now when `FLUSH_MAX_EVENTS` wait, else after
 * `FLUSH_DEBOUNCE_MS` of quiet, but never later than `FLUSH_INTERVAL_MS` after the queue started
 * filling. When only heartbeats wait there is no debounce: they go every `FLUSH_INTERVAL_MS`, so
 * the ones in between can merge. Null when nothing waits.
 */
export function flushDelay(input: {
  pending: number;
  /** When the oldest unsent event was queued (epoch ms). */
  oldestPendingAt: number | null;
  lastChangeAt: number | null;
  now: number;
  /** True when every unsent event is a progress heartbeat. */
  onlyHeartbeats?: boolean;
}): number | null {
  if (input.pending === 0) return null;
  if (input.pending >= FLUSH_MAX_EVENTS) return 0;
  const oldest = input.oldestPendingAt ?? input.now;
  const interval = oldest + FLUSH_INTERVAL_MS;
  const debounced = (input.lastChangeAt ?? input.now) + FLUSH_DEBOUNCE_MS;
  const due = input.onlyHeartbeats ? interval : Math.min(debounced, interval);
  return Math.max(0, due - input.now);
}
