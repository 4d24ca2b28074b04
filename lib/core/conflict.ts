/** Conflicts between systems' reports: the types, the thresholds, and how a conflict is identified. */
import { effectiveStatus } from "./progress_model.ts";
import { createHash } from "node:crypto";
import type { EventData, ResolutionType, StoredEvent } from "./event_schema.ts";

/** Kinds of conflict (seed 000's `ProgressConflict.conflictType`). */
export const CONFLICT_TYPES = [
  "timestamp_mismatch",
  "completion_status_conflict",
  "duplicate_event",
  "data_inconsistency",
] as const;

/** A kind of conflict. */
export type ConflictType = (typeof CONFLICT_TYPES)[number];

/** How much a conflict matters for the student's progress. */
export const CONFLICT_IMPACTS = ["low", "medium", "high"] as const;

/** One of `CONFLICT_IMPACTS`. */
export type ConflictImpact = (typeof CONFLICT_IMPACTS)[number];

/** Whether a conflict still waits for a decision. */
export type ConflictStatus = "unresolved" | "resolved";

/** Who settled a conflict: the service on its own, the student, or an integration (`system`/admin). */
export type ResolvedBy = "auto" | "student" | "system";

/** Two completions of the same activity this close together are one completion reported twice. */
export const DUPLICATE_WINDOW_MS = 5 * 60_000;
/** One system's identical reports this close together are one report sent twice: a retry keeps the report's time, so 0 (the same instant). */
export const RESEND_WINDOW_MS = 0;
/** Progress heartbeats about the same content this close together are one session (seed 002). */
export const HEARTBEAT_WINDOW_MS = 10_000;
/** Completion times further apart than `DUPLICATE_WINDOW_MS` but within this resolve to the later one on their own. */
export const MISMATCH_AUTO_MAX_MS = 24 * 60 * 60_000;
/** Completions further apart than this are separate completions, not one reported twice. */
export const SAME_COMPLETION_MAX_MS = 7 * 24 * 60 * 60_000;
/** A completion and another system's contrary report within this window speak of the same attempt. */
export const ATTEMPT_WINDOW_MS = 60 * 60_000;
/** A video watched this far (percent) counts as watched. */
export const VIDEO_WATCHED_PERCENT = 90;
/** Conflicts whose suggestion is at least this confident resolve on their own. */
export const AUTO_RESOLVE_CONFIDENCE = 0.8;
/** How many of an activity's processed events (highest ids first) new events are compared with. */
export const DETECTION_HISTORY_LIMIT = 50;

/** Seed 000's `ConflictResolution`: what to do, the data it results in, why, and how sure we are. */
export interface ConflictResolution {
  resolutionType: ResolutionType;
  /** The `eventData` of the `conflict_resolved` event that applying this resolution appends. */
  resolvedData: EventData;
  reasoning: string;
  /** 0–1. */
  confidence: number;
}

/** A conflicting event as a conflict shows it (seed 000's `ProgressEvent`, without internal fields). */
export interface ConflictEvent {
  id: string;
  userId: string;
  eventType: StoredEvent["eventType"];
  sourceSystem: StoredEvent["sourceSystem"];
  eventData: EventData;
  timestamp: string;
  receivedAt: string;
  /** Every activity the report counts toward, when it reports on an item tracking several. */
  activityIds?: string[];
  processed: true;
}

/** How a conflict was settled. */
export interface AppliedResolution {
  resolutionType: ResolutionType;
  resolvedBy: ResolvedBy;
  resolvedAt: string;
  /** The `conflict_resolved` event that changed the derived state; null when nothing had to change. */
  eventId: string | null;
  explanation: string;
}

/** Seed 000's `ProgressConflict`, as stored per student and returned by the API (a type, so it is a JSON record). */
export type ProgressConflict = {
  /** Derived from the type, the activity and the event that raised it (see `conflictIdOf`). */
  id: string;
  userId: string;
  activityId: string;
  conflictType: ConflictType;
  /** The reports that disagree, in log order (one for a report that contradicts itself). */
  conflictingEvents: ConflictEvent[];
  suggestedResolution: ConflictResolution;
  requiresUserInput: boolean;
  impact: ConflictImpact;
  status: ConflictStatus;
  /** The event whose processing raised the conflict (its `ProgressSyncResult.conflicts` lists it). */
  eventId: string;
  /** The event the conflict is about (the later report); with type and activity, it names the conflict. */
  anchorEventId: string;
  /** Which detection rule found it, e.g. `duplicate.completion`. */
  rule: string;
  detectedAt: string;
  resolution: AppliedResolution | null;
};

/** What `conflict_detected` carries on the live stream (and to webhooks): enough to notify; `GET /api/progress-sync/conflicts/:id` has the rest. */
export type ConflictSummary =
  & Pick<
    ProgressConflict,
    | "id"
    | "activityId"
    | "conflictType"
    | "impact"
    | "requiresUserInput"
    | "status"
    | "eventId"
    | "rule"
    | "detectedAt"
  >
  & {
    conflictingEvents: (Pick<ConflictEvent, "id" | "sourceSystem" | "eventType" | "timestamp"> & {
      completionStatus: EventData["completionStatus"];
    })[];
    suggestedResolution: Pick<ConflictResolution, "resolutionType" | "confidence" | "reasoning">;
    resolution: Pick<AppliedResolution, "resolutionType" | "resolvedBy" | "eventId"> | null;
    /** The activity's catalog title (live messages), when the catalog has one. */
    activityTitle?: string;
  };

/** The live-stream summary of a conflict. */
export function conflictSummaryOf(conflict: ProgressConflict): ConflictSummary {
  const { suggestedResolution: s, resolution: r } = conflict;
  return {
    id: conflict.id,
    activityId: conflict.activityId,
    conflictType: conflict.conflictType,
    impact: conflict.impact,
    requiresUserInput: conflict.requiresUserInput,
    status: conflict.status,
    eventId: conflict.eventId,
    rule: conflict.rule,
    detectedAt: conflict.detectedAt,
    conflictingEvents: conflict.conflictingEvents.map((e) => ({
      id: e.id,
      sourceSystem: e.sourceSystem,
      eventType: e.eventType,
      timestamp: e.timestamp,
      completionStatus: effectiveStatus(e.eventData),
    })),
    suggestedResolution: {
      resolutionType: s.resolutionType,
      confidence: s.confidence,
      reasoning: s.reasoning,
    },
    resolution: r
      ? { resolutionType: r.resolutionType, resolvedBy: r.resolvedBy, eventId: r.eventId }
      : null,
  };
}

/**
 * A conflict's id: a hash of its type, activity and anchor event, so detecting it again (a
 * redelivery, a reprocessing, another pair pointing at the same report) names the same conflict.
 * Ids hold only `[a-z0-9_]`.
 */
export function conflictIdOf(
  conflictType: ConflictType,
  activityId: string,
  anchorEventId: string,
): string {
  const hash = createHash("sha256").update(
    `${conflictType}\u0000${activityId}\u0000${anchorEventId}`,
  )
    .digest("hex");
  return `cf_${hash.slice(0, 24)}`;
}

/**
 * The id of the `conflict_resolved` event that settles a conflict: `<anchor event id>@<conflict
 * id>`. There is one per conflict; `@` is not allowed in client event ids, so no posted event can
 * take it; and at the anchor's timestamp it sorts right after the anchor (it extends its id).
 */
export function resolutionEventIdOf(
  conflict: Pick<ProgressConflict, "id" | "anchorEventId">,
): string {
  return `${conflict.anchorEventId}@${conflict.id}`;
}

/** A stored event as a conflict shows it. */
export function conflictEventOf(event: StoredEvent): ConflictEvent {
  return {
    id: event.id,
    userId: event.userId,
    eventType: event.eventType,
    sourceSystem: event.sourceSystem,
    eventData: event.eventData,
    timestamp: event.timestamp,
    receivedAt: event.receivedAt,
    ...(event.activityIds ? { activityIds: event.activityIds } : {}),
    processed: true,
  };
}

/** A system's name for people: `video_player` → `video player`. */
export function systemLabel(system: string): string {
  return system.replaceAll("_", " ");
}

/** An instant for people: `2026-11-01 10:30 UTC` (seconds shown when not zero). */
export function timeLabel(iso: string): string {
  const seconds = iso.slice(17, 19);
  return `${iso.slice(0, 16).replace("T", " ")}${
    seconds && seconds !== "00" ? `:${seconds}` : ""
  } UTC`;
}

/** A duration for people: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function durationLabel(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}
