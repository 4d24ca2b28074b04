/**
 * What resolving a conflict does (pure): which report or combination wins for a resolution type,
 * which of the activity's fields that may change for the kind of conflict, and the `eventData` of
 * the `conflict_resolved` event that applies it.
 */
import { effectiveStatus, reportsDone } from "./progress_model.ts";
import { contentHash } from "./content_hash.ts";
import {
  COMPLETION_STATUSES,
  type CompletionStatus,
  type EventData,
  type ResolutionType,
  SERVICE_SOURCE_SYSTEM,
  type StoredEvent,
  targetsOf,
} from "./event_schema.ts";
import { STATUS_RANK } from "./activity_state.ts";
import { reportedTimeMs } from "./reported_times.ts";
import {
  type ConflictEvent,
  type ProgressConflict,
  resolutionEventIdOf,
  type ResolvedBy,
  systemLabel,
  timeLabel,
} from "./conflict.ts";

/** A request to resolve a conflict (seed 000's `{ resolutionType, userData? }`). */
export interface ResolutionChoice {
  resolutionType: ResolutionType;
  /**
   * For `manual_review`: `eventId` picks one conflicting report; `status` (with optional
   * `completedAt`, `percentComplete`) sets the state by hand; neither accepts the suggestion.
   */
  userData?: {
    eventId?: string | undefined;
    status?: CompletionStatus | undefined;
    completedAt?: string | null | undefined;
    percentComplete?: number | undefined;
  } | undefined;
}

/** What a resolution sets on the activity (absent fields stay as they are). */
export interface ResolutionOutcome {
  status?: CompletionStatus;
  completedAt?: string | null;
  percentComplete?: number;
  timeSpentDelta?: number;
}

/** The part of a conflict that deciding a resolution needs. */
export type ConflictFacts = Pick<
  ProgressConflict,
  "activityId" | "conflictType" | "conflictingEvents" | "rule" | "suggestedResolution"
>;

/** A choice that cannot apply to this conflict (the API answers 400). */
export class ResolutionError extends Error {}

/** Which of the activity's fields a resolution of this kind of conflict may change. */
function fieldsFor(
  facts: Pick<ConflictFacts, "conflictType" | "rule">,
): (keyof ResolutionOutcome)[] {
  switch (facts.conflictType) {
    case "duplicate_event":
      return ["timeSpentDelta"];
    case "timestamp_mismatch":
      return ["completedAt"];
    case "completion_status_conflict":
      return ["status", "completedAt", "percentComplete"];
    case "data_inconsistency":
      if (facts.rule === "future.completion") return ["completedAt"];
      if (facts.rule === "future.progress") return [];
      return ["status", "completedAt", "percentComplete"];
  }
}

/** How far a report says the activity got (0–100). */
export function reportedPercent(event: Pick<ConflictEvent, "eventData">): number {
  const data = event.eventData;
  if (reportsDone(data)) return 100;
  const reported = data.videoProgress?.percentageWatched ??
    (data.pathProgress
      ? ((data.pathProgress.stepIndex + 1) / data.pathProgress.totalSteps) * 100
      : 0);
  return Math.round(Math.min(100, Math.max(0, reported)) * 10) / 10;
}

/** What one report says, as an outcome. */
export function reportOutcome(
  event: ConflictEvent,
): Required<Omit<ResolutionOutcome, "timeSpentDelta">> {
  const status = effectiveStatus(event.eventData);
  return {
    status,
    completedAt: status === "completed" ? new Date(reportedTimeMs(event)).toISOString() : null,
    percentComplete: reportedPercent(event),
  };
}

/** Minutes a duplicate pair counted twice on its activity: the smaller of the two reports' times. */
export function doubleCountedMinutes(
  activityId: string,
  events: readonly Pick<ConflictEvent, "eventData" | "activityIds">[],
): number {
  const minutes = events.map((e) =>
    targetsOf({ eventData: e.eventData, ...(e.activityIds ? { activityIds: e.activityIds } : {}) })[
        0
      ] === activityId
      ? e.eventData.timeSpent ?? 0
      : 0
  );
  return minutes.length < 2 ? 0 : Math.min(...minutes);
}

function describe(outcome: ResolutionOutcome): string {
  const parts: string[] = [];
  if (outcome.status) parts.push(outcome.status.replace("_", " "));
  if (outcome.completedAt) parts.push(`completed at ${timeLabel(outcome.completedAt)}`);
  if (outcome.percentComplete !== undefined && outcome.status !== "completed") {
    parts.push(`${outcome.percentComplete}%`);
  }
  if (outcome.timeSpentDelta) {
    parts.push(`${Math.abs(outcome.timeSpentDelta)} min counted twice removed`);
  }
  return parts.length > 0 ? parts.join(", ") : "no change";
}

function latest(events: readonly ConflictEvent[]): ConflictEvent {
  return events.reduce((a, b) => (reportedTimeMs(b) >= reportedTimeMs(a) ? b : a));
}

function mostComplete(events: readonly ConflictEvent[]): ConflictEvent {
  return events.reduce((a, b) => {
    const byRank = STATUS_RANK[effectiveStatus(b.eventData)] -
      STATUS_RANK[effectiveStatus(a.eventData)];
    if (byRank !== 0) return byRank > 0 ? b : a;
    const byPercent = reportedPercent(b) - reportedPercent(a);
    if (byPercent !== 0) return byPercent > 0 ? b : a;
    return reportedTimeMs(b) < reportedTimeMs(a) ? b : a;
  });
}

function merged(
  events: readonly ConflictEvent[],
): Required<Omit<ResolutionOutcome, "timeSpentDelta">> {
  const best = mostComplete(events);
  const completions = events.filter((e) => reportsDone(e.eventData))
    .map(reportedTimeMs);
  const status = effectiveStatus(best.eventData);
  return {
    status,
    completedAt: status === "completed" && completions.length > 0
      ? new Date(Math.min(...completions)).toISOString()
      : null,
    percentComplete: Math.max(...events.map(reportedPercent)),
  };
}

/** The outcome before masking, and a sentence saying what was chosen. */
function choose(
  facts: ConflictFacts,
  choice: ResolutionChoice,
): { outcome: ResolutionOutcome; said: string; custom: boolean } {
  const events = facts.conflictingEvents;
  switch (choice.resolutionType) {
    case "use_latest": {
      const pick = latest(events);
      return {
        outcome: reportOutcome(pick),
        said: `Used the latest report, ${systemLabel(pick.sourceSystem)}'s`,
        custom: false,
      };
    }
    case "use_most_complete": {
      const pick = mostComplete(events);
      return {
        outcome: reportOutcome(pick),
        said: `Used the most complete report, ${systemLabel(pick.sourceSystem)}'s`,
        custom: false,
      };
    }
    case "merge_data":
      return {
        outcome: merged(events),
        said: "Merged the reports (the furthest status and progress, the first completion time)",
        custom: false,
      };
    case "manual_review": {
      const data = choice.userData ?? {};
      if (data.eventId !== undefined) {
        const pick = events.find((e) => e.id === data.eventId);
        if (!pick) {
          throw new ResolutionError(
            `userData.eventId must be one of this conflict's events: ${
              events.map((e) => `"${e.id}"`).join(", ")
            }`,
          );
        }
        return {
          outcome: reportOutcome(pick),
          said: `Chose ${systemLabel(pick.sourceSystem)}'s report`,
          custom: false,
        };
      }
      if (data.status !== undefined) {
        if (!COMPLETION_STATUSES.includes(data.status)) {
          throw new ResolutionError(
            `userData.status must be one of ${COMPLETION_STATUSES.join(", ")}`,
          );
        }
        const completed = data.status === "completed";
        const completedAt = completed
          ? data.completedAt ?? new Date(reportedTimeMs(latest(events))).toISOString()
          : null;
        return {
          outcome: {
            status: data.status,
            completedAt,
            percentComplete: data.percentComplete ?? (completed ? 100 : 0),
          },
          said: "Set by hand",
          custom: true,
        };
      }
      const suggested = facts.suggestedResolution.resolvedData.resolution;
      const outcome: ResolutionOutcome = {};
      if (suggested?.status !== undefined) outcome.status = suggested.status;
      if (suggested?.completedAt !== undefined) outcome.completedAt = suggested.completedAt;
      if (suggested?.percentComplete !== undefined) {
        outcome.percentComplete = suggested.percentComplete;
      }
      if (suggested?.timeSpentDelta !== undefined) {
        outcome.timeSpentDelta = suggested.timeSpentDelta;
      }
      return { outcome, said: "Accepted the suggestion", custom: false };
    }
  }
}

/**
 * What resolving `facts` with `choice` sets on the activity, and a sentence explaining it. Only
 * the fields the kind of conflict is about change (a duplicate only gives back double-counted
 * time; a timestamp mismatch only moves the completion time); setting the state by hand changes
 * status, completion time and progress. Throws `ResolutionError` for a choice that cannot apply.
 */
export function resolutionOutcome(
  facts: ConflictFacts,
  choice: ResolutionChoice,
): { outcome: ResolutionOutcome; explanation: string } {
  const { outcome, said, custom } = choose(facts, choice);
  if (facts.conflictType === "duplicate_event") {
    const minutes = doubleCountedMinutes(facts.activityId, facts.conflictingEvents);
    if (minutes > 0) outcome.timeSpentDelta = -minutes;
  }
  const allowed = custom
    ? ["status", "completedAt", "percentComplete", "timeSpentDelta"]
    : fieldsFor(facts);
  const masked: ResolutionOutcome = {};
  for (const key of allowed as (keyof ResolutionOutcome)[]) {
    if (outcome[key] !== undefined) Object.assign(masked, { [key]: outcome[key] });
  }
  return { outcome: masked, explanation: `${said}: ${describe(masked)}.` };
}

/** True when an outcome changes nothing. */
export function isNoChange(outcome: ResolutionOutcome): boolean {
  return Object.values(outcome).every((v) => v === undefined || v === 0);
}

/** The `eventData` of the `conflict_resolved` event that applies `outcome` to the conflict's activity. */
export function resolutionEventData(
  facts: Pick<ConflictFacts, "activityId" | "conflictingEvents">,
  conflictId: string,
  choice: { resolutionType: ResolutionType; resolvedBy: ResolvedBy },
  outcome: ResolutionOutcome,
  explanation: string,
): EventData {
  const anchor = facts.conflictingEvents.at(-1)!;
  return {
    activityId: facts.activityId,
    activityType: anchor.eventData.activityType,
    completionStatus: outcome.status ?? anchor.eventData.completionStatus,
    resolution: {
      conflictId,
      resolutionType: choice.resolutionType,
      resolvedBy: choice.resolvedBy,
      explanation: explanation.slice(0, 1000),
      ...outcome,
    },
  };
}

/**
 * The `conflict_resolved` event that applies `data` to a conflict's activity. It takes the
 * timestamp of the conflict's latest report (its anchor), where its id sorts right after the
 * anchor's, so it applies right after the reports and later ones still apply on top; with
 * `notBefore` (a student's decision counts from when it is made) it is not dated earlier than that.
 */
export async function resolutionEvent(
  conflict: Pick<ProgressConflict, "id" | "userId" | "conflictingEvents" | "anchorEventId">,
  data: EventData,
  receivedAt: string,
  notBefore: string | null,
): Promise<StoredEvent> {
  const anchorAt = Date.parse(conflict.conflictingEvents.at(-1)!.timestamp);
  const timestamp = new Date(
    notBefore === null ? anchorAt : Math.max(anchorAt, Date.parse(notBefore)),
  ).toISOString();
  const content: Pick<StoredEvent, "eventType" | "sourceSystem" | "eventData"> = {
    eventType: "conflict_resolved",
    sourceSystem: SERVICE_SOURCE_SYSTEM,
    eventData: data,
  };
  return {
    id: resolutionEventIdOf(conflict),
    userId: conflict.userId,
    ...content,
    timestamp,
    receivedAt,
    contentHash: await contentHash({ ...content, userId: conflict.userId, timestamp }),
  };
}
