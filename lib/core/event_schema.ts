import { z } from "zod";
import type { LearningProgressEvent } from "./learning_events.ts";

/** Kinds of progress event a system can report. */
export const EVENT_TYPES = [
  "video_completed",
  "todo_completed",
  "schedule_completed",
  "milestone_reached",
  "skill_assessed",
  "path_progress_updated",
  "activity_progressed",
  "progress_reset",
  "conflict_resolved",
] as const;

/** Event types only the service itself writes (`conflict_resolved`: see `lib/conflicts`). */
export const SERVICE_EVENT_TYPES: readonly EventType[] = ["conflict_resolved"];

/** Systems that report progress. */
export const SOURCE_SYSTEMS = [
  "video_player",
  "todo_manager",
  "calendar_service",
  "ai_journey",
  "learning_path_generator",
  "chat_system",
  "quiz_engine",
  "browser",
  "xapi",
  "progress_sync",
] as const;

/** The service itself, as the source of the events it writes (conflict resolutions). */
export const SERVICE_SOURCE_SYSTEM = "progress_sync";

/** How a conflict between reports is resolved (seed 000's `ConflictResolution.resolutionType`). */
export const RESOLUTION_TYPES = [
  "use_latest",
  "use_most_complete",
  "merge_data",
  "manual_review",
] as const;

/** One of `RESOLUTION_TYPES`. */
export type ResolutionType = (typeof RESOLUTION_TYPES)[number];

/** Kinds of learning activity. */
export const ACTIVITY_TYPES = [
  "video",
  "practice",
  "project",
  "quiz",
  "milestone",
] as const;

/** Completion states an event may report. */
export const COMPLETION_STATUSES = [
  "started",
  "in_progress",
  "completed",
  "skipped",
  "failed",
] as const;

/** A kind of progress event. */
export type EventType = (typeof EVENT_TYPES)[number];
/** A reporting system. */
export type SourceSystem = (typeof SOURCE_SYSTEMS)[number];

/** True when `system` names one of the `SOURCE_SYSTEMS`. */
export function isSourceSystem(system: string): system is SourceSystem {
  return (SOURCE_SYSTEMS as readonly string[]).includes(system);
}
/** A kind of activity. */
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
/** A reported completion state. */
export type CompletionStatus = (typeof COMPLETION_STATUSES)[number];

/** Longest accepted id (event, user, activity and the like), in characters. */
export const MAX_ID_LENGTH = 128;
/** Most events accepted in one request. */
export const MAX_BATCH_SIZE = 100;

const id = z.string().trim().min(1, "Must not be empty").max(
  MAX_ID_LENGTH,
  `Must be at most ${MAX_ID_LENGTH} characters`,
);

/** An instant as ISO 8601 with a zone, or epoch milliseconds; normalised to ISO (UTC, ms). */
export const instantSchema = z.union([
  z.iso.datetime({ offset: true, message: "Must be an ISO 8601 date-time with a time zone" }),
  z.number().int().min(0).max(8.64e15),
]).transform((value, ctx) => {
  const ms = typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: "Must be a valid date-time" });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

const nonNegative = z.number().finite().min(0);

const videoProgressSchema = z.object({
  videoId: id,
  youtubeId: z.string().max(64).optional(),
  percentageWatched: z.number().finite().min(0).max(100),
  timeWatched: nonNegative.max(1e7).optional(),
  completedAt: instantSchema.optional(),
});

const todoProgressSchema = z.object({
  todoId: id,
  originalDueDate: instantSchema.optional(),
  actualCompletionDate: instantSchema.optional(),
  userRating: z.number().int().min(1).max(5).optional(),
  notes: z.string().max(2000).optional(),
});

const scheduleProgressSchema = z.object({
  scheduleId: id,
  scheduledDate: instantSchema.optional(),
  actualStartTime: instantSchema.optional(),
  actualEndTime: instantSchema.optional(),
  rescheduledFrom: instantSchema.optional(),
});

const pathProgressSchema = z.object({
  pathId: id,
  stepId: id,
  stepIndex: z.number().int().min(0).max(10_000),
  totalSteps: z.number().int().min(1).max(10_000),
  skillsLearned: z.array(id).max(50).optional(),
  difficultyRating: z.number().min(1).max(5).optional(),
});

/**
 * What a `conflict_resolved` event does to its activity: `status` becomes the status when given
 * (even backwards), `completedAt` and `percentComplete` are set when given, and `timeSpentDelta`
 * minutes are added (negative removes time a duplicate report counted twice).
 */
const resolutionSchema = z.object({
  conflictId: id,
  resolutionType: z.enum(RESOLUTION_TYPES),
  resolvedBy: z.enum(["auto", "student", "system"]),
  explanation: z.string().max(1000),
  status: z.enum(COMPLETION_STATUSES).optional(),
  completedAt: instantSchema.nullable().optional(),
  percentComplete: z.number().finite().min(0).max(100).optional(),
  timeSpentDelta: z.number().finite().min(-24 * 60).max(24 * 60).optional(),
});

const skillProgressSchema = z.object({
  skillId: id,
  skillCategory: z.string().max(MAX_ID_LENGTH).optional(),
  previousLevel: z.string().max(64).optional(),
  newLevel: z.string().max(64),
  confidence: z.number().finite().min(0).max(1).optional(),
});

/** The `eventData` of a progress event (seed 000's `ProgressEventData`, plus an optional quiz `score`). */
export const eventDataSchema = z.object({
  activityId: id.optional(),
  activityType: z.enum(ACTIVITY_TYPES),
  completionStatus: z.enum(COMPLETION_STATUSES),
  timeSpent: nonNegative.max(24 * 60, "Must be at most 1440 minutes").optional(),
  score: z.number().finite().min(0).max(100).optional(),
  /** How far through the activity the student is (e.g. an xAPI `progressed` statement's percent). */
  percentComplete: z.number().finite().min(0).max(100).optional(),
  videoProgress: videoProgressSchema.optional(),
  todoProgress: todoProgressSchema.optional(),
  scheduleProgress: scheduleProgressSchema.optional(),
  pathProgress: pathProgressSchema.optional(),
  skillProgress: skillProgressSchema.optional(),
  resolution: resolutionSchema.optional(),
}).refine((data) => activityIdOfData(data) !== null, {
  message:
    "Needs an activityId (or a videoProgress, todoProgress, scheduleProgress, pathProgress or skillProgress id)",
  path: ["activityId"],
});

/** One progress event as a client posts it (seed 000's `ProgressEvent`). */
export const eventInputSchema = z.object({
  id: id.regex(/^[A-Za-z0-9._:~-]+$/, "May contain only letters, digits and . _ : ~ -")
    .optional(),
  userId: id.optional(),
  eventType: z.enum(EVENT_TYPES).refine((t) => !SERVICE_EVENT_TYPES.includes(t), {
    message:
      "Reserved for the service: resolve a conflict with POST /api/progress-sync/conflicts/:id/resolve",
  }),
  sourceSystem: z.enum(SOURCE_SYSTEMS).refine((s) => s !== SERVICE_SOURCE_SYSTEM, {
    message: "Reserved for the service's own events",
  }),
  eventData: eventDataSchema,
  timestamp: instantSchema.optional(),
});

/** A batch request body: `{ events: [...] }` with 1–100 events (each validated on its own). */
export const batchBodySchema = z.object({
  events: z.array(z.unknown(), "Must be an array of events").min(
    1,
    "Must hold at least one event",
  ).max(MAX_BATCH_SIZE, `Must hold at most ${MAX_BATCH_SIZE} events`),
});

/** The validated `eventData` of an event. */
export type EventData = z.output<typeof eventDataSchema>;
/** A validated event as posted, before the server fills in defaults. */
export type EventInput = z.output<typeof eventInputSchema>;

/** An event as stored in the log: immutable once written. */
export interface StoredEvent {
  id: string;
  userId: string;
  eventType: EventType;
  sourceSystem: SourceSystem;
  eventData: EventData;
  timestamp: string;
  receivedAt: string;
  /** SHA-256 of the content the client sent; decides duplicate versus conflict. */
  contentHash: string;
  /**
   * Every activity the event counts toward, the event's own first: a todo or schedule completion
   * also counts toward the activities its item tracks (resolved when the event is accepted).
   */
  activityIds?: string[];
  /**
   * The seed-001 learning event this event joined the log from (`PUT /api/v1/learning/progress`),
   * kept as the browser sent it; the reducers ignore it.
   */
  clientEvent?: LearningProgressEvent;
}

/** The activity an event's data is about: `activityId`, else the id of its typed progress block, else null. */
export function activityIdOfData(data: {
  activityId?: string | undefined;
  videoProgress?: { videoId: string } | undefined;
  todoProgress?: { todoId: string } | undefined;
  scheduleProgress?: { scheduleId: string } | undefined;
  pathProgress?: { stepId: string } | undefined;
  skillProgress?: { skillId: string } | undefined;
}): string | null {
  return data.activityId ?? data.videoProgress?.videoId ??
    data.todoProgress?.todoId ?? data.scheduleProgress?.scheduleId ??
    data.pathProgress?.stepId ?? data.skillProgress?.skillId ?? null;
}

/** The activity a stored event's data is about. */
export function activityIdOf(event: Pick<StoredEvent, "eventData">): string {
  return activityIdOfData(event.eventData) ?? "unknown";
}

/** True when an event is only about a skill (a `skill_assessed` without an activity): it counts toward no activity. */
export function isSkillOnly(data: EventData): boolean {
  return data.skillProgress !== undefined &&
    activityIdOfData({ ...data, skillProgress: undefined }) === null;
}

/**
 * Every activity a stored event counts toward, its primary activity first; none for an event only
 * about a skill (it updates `skillProgress` instead).
 */
export function targetsOf(event: Pick<StoredEvent, "eventData" | "activityIds">): string[] {
  if (event.activityIds && event.activityIds.length > 0) return event.activityIds;
  return isSkillOnly(event.eventData) ? [] : [activityIdOf(event)];
}
