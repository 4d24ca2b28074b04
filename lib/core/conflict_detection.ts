/**
 * Conflict detection (pure). For one activity, each new event is compared, in arrival order, with
 * the activity's processed events and the new events before it — exactly what processing the
 * events one by one would see, so the outcome does not depend on how events were batched. Pair
 * rules look at two reports only, so for them the arrival order does not matter either.
 *
 * Slightly longer than 400 lines: the detection rules are one table of pair and sequence rules
 * that read best side by side.
 */
import { type SourceSystem, type StoredEvent, targetsOf } from "./event_schema.ts";
import { effectiveStatus } from "./progress_model.ts";
import { CLOCK_SKEW_TOLERANCE_MS, reportedTimeMs } from "./reported_times.ts";
import { comparePositions, logOrder, positionOf } from "./activity_state.ts";
import {
  ATTEMPT_WINDOW_MS,
  AUTO_RESOLVE_CONFIDENCE,
  conflictEventOf,
  conflictIdOf,
  type ConflictImpact,
  type ConflictType,
  DUPLICATE_WINDOW_MS,
  durationLabel,
  HEARTBEAT_WINDOW_MS,
  MISMATCH_AUTO_MAX_MS,
  type ProgressConflict,
  RESEND_WINDOW_MS,
  SAME_COMPLETION_MAX_MS,
  systemLabel,
  timeLabel,
  VIDEO_WATCHED_PERCENT,
} from "./conflict.ts";
import {
  doubleCountedMinutes,
  reportedPercent,
  type ResolutionChoice,
  resolutionEventData,
  resolutionOutcome,
} from "./conflict_resolution.ts";

/** A conflict as detection finds it: everything but its owner, status and detection time. */
export type DetectedConflict = Omit<
  ProgressConflict,
  "userId" | "status" | "detectedAt" | "resolution"
>;

/** What detection reads about one activity. */
export interface DetectionInput {
  activityId: string;
  /** Processed events counting toward the activity (a recent window is enough), any order. */
  history: readonly StoredEvent[];
  /** New events counting toward it, in arrival order. */
  incoming: readonly StoredEvent[];
}

/** Systems that track activities through items (todos, calendar entries) rather than measure them. */
const ITEM_SYSTEMS: readonly SourceSystem[] = ["todo_manager", "calendar_service"];
const PROGRESS_STATUSES = ["started", "in_progress"];
const STALE_AFTER_COMPLETION = ["started", "in_progress", "skipped"];

interface Spec {
  conflictType: ConflictType;
  rule: string;
  /** The reports in log order; the last one is the anchor. */
  events: StoredEvent[];
  confidence: number;
  resolutionType: ProgressConflict["suggestedResolution"]["resolutionType"];
  /** For `manual_review`: the concrete resolution the suggestion stands for. */
  suggestion?: ResolutionChoice;
  impact: ConflictImpact;
  reasoning: string;
}

const isMember = (e: StoredEvent) =>
  e.eventType !== "progress_reset" && e.eventType !== "conflict_resolved";
const statusOf = (e: StoredEvent) => effectiveStatus(e.eventData);
const isItemReport = (e: StoredEvent) => ITEM_SYSTEMS.includes(e.sourceSystem);
const sys = (e: StoredEvent) => systemLabel(e.sourceSystem);
const cmp = (a: StoredEvent, b: StoredEvent) => comparePositions(positionOf(a), positionOf(b));
const at = (ms: number) => timeLabel(new Date(ms).toISOString());

/** A report measured by the system that delivers the activity itself (not a todo or calendar entry). */
function isDirect(e: StoredEvent, activityId: string): boolean {
  return !isItemReport(e) && targetsOf(e)[0] === activityId;
}

/** Two reports about exactly the same activities (so their completion times are comparable). */
function comparable(a: StoredEvent, b: StoredEvent): boolean {
  const x = new Set(targetsOf(a));
  const y = targetsOf(b);
  return x.size === new Set(y).size && y.every((id) => x.has(id));
}

/** The same report sent twice under different ids. */
function sameContent(a: StoredEvent, b: StoredEvent): boolean {
  const x = a.eventData;
  const y = b.eventData;
  return a.eventType === b.eventType && a.sourceSystem === b.sourceSystem &&
    x.completionStatus === y.completionStatus && (x.timeSpent ?? 0) === (y.timeSpent ?? 0) &&
    (x.score ?? null) === (y.score ?? null) &&
    (x.videoProgress?.percentageWatched ?? null) === (y.videoProgress?.percentageWatched ?? null);
}

const reportedTimes = new WeakMap<StoredEvent, number>();

/** `reportedTimeMs`, computed once per event. */
function reported(e: StoredEvent): number {
  let time = reportedTimes.get(e);
  if (time === undefined) reportedTimes.set(e, time = reportedTimeMs(e));
  return time;
}

function timeMs(e: StoredEvent): number {
  return Date.parse(e.timestamp);
}

/** One system sending the same report again under a new id (a retry keeps the report's time). */
function resent(a: StoredEvent, b: StoredEvent): boolean {
  return sameContent(a, b) && Math.abs(timeMs(b) - timeMs(a)) <= RESEND_WINDOW_MS;
}

function duplicateSpec(a: StoredEvent, b: StoredEvent, activityId: string, rule: string): Spec {
  const same = sameContent(a, b);
  const gap = durationLabel(
    rule === "duplicate.completion" ? reported(b) - reported(a) : timeMs(b) - timeMs(a),
  );
  const what = rule === "duplicate.completion"
    ? "the same completion"
    : "progress on the same content";
  const twice = doubleCountedMinutes(activityId, [a, b]);
  return {
    conflictType: "duplicate_event",
    rule,
    events: [a, b],
    confidence: same ? 0.99 : 0.9,
    resolutionType: "merge_data",
    impact: "low",
    reasoning:
      (same
        ? `${sys(b)} sent ${what} again ${gap} after the first report`
        : `${sys(a)} and ${sys(b)} reported ${what} ${gap} apart`) +
      `: one ${rule === "duplicate.completion" ? "completion" : "session"}, counted once.` +
      (twice > 0 ? ` The ${twice} min it added twice are taken off.` : ""),
  };
}

/**
 * Classifies two reports of one activity (a before b in log order, same reset epoch). `raised`
 * tells whether a conflict of a type is already raised about `b` (then nothing is built again).
 */
function judgePair(
  a: StoredEvent,
  b: StoredEvent,
  activityId: string,
  raised: (type: ConflictType) => boolean,
): Spec | null {
  const sa = statusOf(a);
  const sb = statusOf(b);
  const crossSystem = a.sourceSystem !== b.sourceSystem;
  if (sa === "completed" && sb === "completed") {
    if (!comparable(a, b)) return null;
    const gap = Math.abs(reported(b) - reported(a));
    if (resent(a, b) || (crossSystem && gap <= DUPLICATE_WINDOW_MS)) {
      return raised("duplicate_event")
        ? null
        : duplicateSpec(a, b, activityId, "duplicate.completion");
    }
    if (!crossSystem || gap > SAME_COMPLETION_MAX_MS || raised("timestamp_mismatch")) return null;
    const [early, late] = reported(a) <= reported(b) ? [a, b] : [b, a];
    const said = `${sys(early)} says it was completed at ${at(reported(early))}, ${sys(late)} at ${
      at(reported(late))
    } (${durationLabel(gap)} apart).`;
    if (gap > MISMATCH_AUTO_MAX_MS) {
      return {
        conflictType: "timestamp_mismatch",
        rule: "mismatch.far",
        events: [a, b],
        confidence: 0.4,
        resolutionType: "manual_review",
        suggestion: { resolutionType: "use_latest" },
        impact: "medium",
        reasoning: `${said} That is too far apart to pick one safely: choose the right one. ` +
          "Until then the first completion time stands.",
      };
    }
    return {
      conflictType: "timestamp_mismatch",
      rule: "mismatch.near",
      events: [a, b],
      confidence: gap <= 60 * 60_000 ? 0.9 : 0.8,
      resolutionType: "use_latest",
      impact: "low",
      reasoning: `${said} The later report usually marks when the work really ended, ` +
        "so its time is used.",
    };
  }
  if (PROGRESS_STATUSES.includes(sa) && PROGRESS_STATUSES.includes(sb)) {
    if (!comparable(a, b)) return null;
    if (resent(a, b) || (crossSystem && timeMs(b) - timeMs(a) <= HEARTBEAT_WINDOW_MS)) {
      return raised("duplicate_event")
        ? null
        : duplicateSpec(a, b, activityId, "duplicate.heartbeat");
    }
    return null;
  }
  if (!crossSystem || (sa !== "completed" && sb !== "completed")) return null;
  if (raised("completion_status_conflict")) return null;
  const gap = timeMs(b) - timeMs(a);
  if (gap > ATTEMPT_WINDOW_MS) return null;
  const [done, other] = sa === "completed" ? [a, b] : [b, a];
  if (statusOf(other) === "failed") {
    return {
      conflictType: "completion_status_conflict",
      rule: "status.failed",
      events: [a, b],
      confidence: 0.5,
      resolutionType: "manual_review",
      suggestion: { resolutionType: "use_latest" },
      impact: "high",
      reasoning:
        `${sys(done)} says completed (${at(timeMs(done))}) but ${sys(other)} says failed (${
          at(timeMs(other))
        }), ${durationLabel(gap)} apart in the same attempt. ` +
        "Only you know which is right; until you decide it counts as completed.",
    };
  }
  if (done === a && STALE_AFTER_COMPLETION.includes(statusOf(other))) {
    return {
      conflictType: "completion_status_conflict",
      rule: "status.stale",
      events: [a, b],
      confidence: 0.85,
      resolutionType: "use_most_complete",
      impact: "low",
      reasoning:
        `${sys(done)} completed it at ${at(timeMs(done))}; ${sys(other)} reported it ${
          statusOf(other).replace("_", " ")
        } ${durationLabel(gap)} later. A progress report after another system's completion is ` +
        "almost always stale, so the completion stands.",
    };
  }
  return null;
}

/** A todo or calendar entry marked done while the video it tracks was last reported partly watched. */
function itemVersusVideo(
  done: StoredEvent,
  context: readonly StoredEvent[],
  activityId: string,
  sameEpoch: (a: StoredEvent, b: StoredEvent) => boolean,
): Spec | null {
  if (!isItemReport(done) || statusOf(done) !== "completed") return null;
  const direct = context.filter((e) =>
    e.id !== done.id && isMember(e) && isDirect(e, activityId) && sameEpoch(e, done)
  );
  if (direct.some((e) => statusOf(e) === "completed")) return null;
  const watched = direct.filter((e) => e.eventData.videoProgress);
  if (watched.some((e) => e.eventData.videoProgress!.percentageWatched >= VIDEO_WATCHED_PERCENT)) {
    return null;
  }
  const before = watched.filter((e) => cmp(e, done) < 0);
  const partner = before.at(-1);
  if (!partner) return null;
  const percent = reportedPercent(partner);
  return {
    conflictType: "data_inconsistency",
    rule: "item_vs_video",
    events: [partner, done],
    confidence: 0.5,
    resolutionType: "manual_review",
    suggestion: { resolutionType: "manual_review", userData: { eventId: partner.id } },
    impact: "medium",
    reasoning:
      `${sys(done)} marked it done at ${at(timeMs(done))} while ${
        sys(partner)
      } last reported ${percent}% watched (${at(timeMs(partner))}). Keep it done, or go back to ` +
      `the video's ${percent}%?`,
  };
}

/** A report dated further ahead of its arrival than clocks drift. */
function futureTimestamp(
  event: StoredEvent,
  context: readonly StoredEvent[],
  sameEpoch: (a: StoredEvent, b: StoredEvent) => boolean,
): Spec | null {
  const ahead = timeMs(event) - Date.parse(event.receivedAt);
  if (ahead <= CLOCK_SKEW_TOLERANCE_MS) return null;
  const completes = statusOf(event) === "completed" &&
    !context.some((e) =>
      e.id !== event.id && isMember(e) && statusOf(e) === "completed" && cmp(e, event) < 0 &&
      sameEpoch(e, event)
    );
  return {
    conflictType: "data_inconsistency",
    rule: completes ? "future.completion" : "future.progress",
    events: [event],
    confidence: 0.9,
    resolutionType: "merge_data",
    impact: "low",
    reasoning:
      `${sys(event)} dated this report ${timeLabel(event.timestamp)}, ${
        durationLabel(ahead)
      } after it reached us (${
        timeLabel(event.receivedAt)
      }): the sending device's clock is ahead. ` +
      (completes
        ? "The completion counts from when the report was received."
        : "Only its time was off; nothing else needs to change."),
  };
}

function toConflict(spec: Spec, activityId: string, raisedBy: string): DetectedConflict {
  const anchor = spec.events.at(-1)!;
  const id = conflictIdOf(spec.conflictType, activityId, anchor.id);
  const conflictingEvents = spec.events.map(conflictEventOf);
  const requiresUserInput = spec.resolutionType === "manual_review" ||
    spec.confidence < AUTO_RESOLVE_CONFIDENCE;
  const facts = {
    activityId,
    conflictType: spec.conflictType,
    conflictingEvents,
    rule: spec.rule,
  };
  const { outcome, explanation } = resolutionOutcome(
    { ...facts, suggestedResolution: placeholderSuggestion },
    spec.suggestion ?? { resolutionType: spec.resolutionType },
  );
  return {
    id,
    activityId,
    conflictType: spec.conflictType,
    conflictingEvents,
    suggestedResolution: {
      resolutionType: spec.resolutionType,
      resolvedData: resolutionEventData(
        facts,
        id,
        {
          resolutionType: spec.resolutionType,
          resolvedBy: requiresUserInput ? "student" : "auto",
        },
        outcome,
        explanation,
      ),
      reasoning: spec.reasoning.charAt(0).toUpperCase() + spec.reasoning.slice(1),
      confidence: spec.confidence,
    },
    requiresUserInput,
    impact: spec.impact,
    eventId: raisedBy,
    anchorEventId: anchor.id,
    rule: spec.rule,
  };
}

const placeholderSuggestion: ProgressConflict["suggestedResolution"] = {
  resolutionType: "manual_review",
  resolvedData: { activityType: "video", completionStatus: "started" },
  reasoning: "",
  confidence: 0,
};

/**
 * Finds the conflicts the incoming events raise on one activity. Each incoming event is judged,
 * in arrival order, against what came before it: every pair with an earlier-known report of the
 * same reset epoch (duplicates, timestamp mismatches, status conflicts), its own timestamp
 * (ahead of its arrival), and for todo/calendar completions the video evidence. A conflict is
 * named by its type, activity and the later report (the anchor); the first pair found for a name
 * wins. Pure and deterministic.
 */
export function detectConflicts(input: DetectionInput): DetectedConflict[] {
  const { activityId } = input;
  const known = new Map(input.history.map((e) => [e.id, e]));
  const found = new Map<string, DetectedConflict>();
  const add = (spec: Spec | null, raisedBy: string) => {
    if (!spec) return;
    const key = `${spec.conflictType}\u0000${spec.events.at(-1)!.id}`;
    if (!found.has(key)) found.set(key, toConflict(spec, activityId, raisedBy));
  };
  const context = logOrder([...known.values()]);
  for (const event of input.incoming) {
    if (known.has(event.id)) continue;
    known.set(event.id, event);
    let slot = context.length;
    while (slot > 0 && cmp(context[slot - 1]!, event) > 0) slot--;
    context.splice(slot, 0, event);
    if (!isMember(event)) continue;
    const resets = context.filter((e) => e.eventType === "progress_reset");
    const sameEpoch = (a: StoredEvent, b: StoredEvent) => {
      const [x, y] = cmp(a, b) <= 0 ? [a, b] : [b, a];
      return !resets.some((r) => cmp(x, r) < 0 && cmp(r, y) < 0);
    };
    add(futureTimestamp(event, context, sameEpoch), event.id);
    for (const other of context) {
      if (other.id === event.id || !isMember(other) || !sameEpoch(other, event)) continue;
      const [a, b] = cmp(other, event) < 0 ? [other, event] : [event, other];
      const raised = (type: ConflictType) => found.has(`${type}\u0000${b.id}`);
      add(judgePair(a, b, activityId, raised), event.id);
    }
    if (isItemReport(event)) add(itemVersusVideo(event, context, activityId, sameEpoch), event.id);
    else if (isDirect(event, activityId) && event.eventData.videoProgress) {
      for (const done of context) {
        if (cmp(event, done) < 0 && isItemReport(done)) {
          add(itemVersusVideo(done, context, activityId, sameEpoch), event.id);
        }
      }
    }
  }
  return [...found.values()];
}

/** Suggestion `confidence` and `requiresUserInput` decide whether a conflict settles on its own. */
export function resolvesAutomatically(
  conflict: Pick<DetectedConflict, "requiresUserInput">,
): boolean {
  return !conflict.requiresUserInput;
}
