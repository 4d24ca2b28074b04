/**
 * Seed 001's learning-progress events, as the browser makes them and the
 * `/api/v1/learning/progress` protocol carries them. Plain types and guards only: this module is
 * bundled into the browser, so it imports nothing.
 */

/** Kinds of learning-progress event (seed 001 §4.2). */
export const LEARNING_EVENT_TYPES = [
  "content.progressed",
  "onboarding.completed",
  "onboarding.reset",
  "activePath.set",
  "progress.reset",
] as const;

/** Statuses of a piece of content, in precedence order (seed 001). */
export const CONTENT_STATUSES = ["not_started", "in_progress", "completed", "passed"] as const;

/** A kind of learning-progress event. */
export type LearningProgressEventType = (typeof LEARNING_EVENT_TYPES)[number];
/** The status of a piece of content. */
export type LearningContentStatus = (typeof CONTENT_STATUSES)[number];

/**
 * The state of one interaction (a quiz question, a video's playback, a checklist step): a JSON
 * object with a `kind`. Kinds this client writes: `quiz` `{selectedOptionId}`, `video`
 * `{positionSeconds, durationSeconds, percent, watchedSeconds}`, `todo` `{done}`.
 */
export interface LearningInteractionState {
  kind: string;
  [field: string]: JsonValue;
}

/** A value JSON can carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | {
  [key: string]: JsonValue;
};

/** Fields every learning-progress event has. */
export interface LearningProgressEventBase {
  /** The idempotency key: globally unique, never reused for other content. */
  eventId: string;
  /** When it happened, ISO 8601 with an offset (the client writes its local offset). */
  occurredAt: string;
  /** The browser (install) that made the event. */
  clientId: string;
}

/** Payload of `content.progressed`. */
export interface ContentProgressPayload {
  contentId: string;
  status: LearningContentStatus;
  score?: number;
  contentVersion?: string;
  interaction?: {
    interactionId: string;
    /** `null` removes the interaction's state (e.g. a quiz reset). */
    state: LearningInteractionState | null;
  };
}

/** Progress on one piece of content. */
export type ContentProgressedEvent = LearningProgressEventBase & {
  type: "content.progressed";
  payload: ContentProgressPayload;
};
/** The student finished onboarding onto a path. */
export type OnboardingCompletedEvent = LearningProgressEventBase & {
  type: "onboarding.completed";
  payload: { pathId: string };
};
/** The student started onboarding over. */
export type OnboardingResetEvent = LearningProgressEventBase & { type: "onboarding.reset" };
/** The student chose (or cleared) the path they work on. */
export type ActivePathSetEvent = LearningProgressEventBase & {
  type: "activePath.set";
  payload: { pathId: string | null };
};
/**
 * Clears the derived progress of the lessons in `payload.contentIds` (of every lesson without a
 * payload, as seed 001 has it); earlier events stay in the log.
 */
export type ProgressResetEvent = LearningProgressEventBase & {
  type: "progress.reset";
  payload?: { contentIds: string[] };
};

/** Most lessons one scoped `progress.reset` names. */
export const MAX_RESET_CONTENT_IDS = 200;

/** True when a reset covers `contentId` (a reset without `contentIds` covers every lesson). */
export function resetCovers(
  reset: { payload?: { contentIds: readonly string[] } | undefined },
  contentId: string,
): boolean {
  return reset.payload === undefined || reset.payload.contentIds.includes(contentId);
}

/** One learning-progress event (seed 001's `LearningProgressEvent`). */
export type LearningProgressEvent =
  | ContentProgressedEvent
  | OnboardingCompletedEvent
  | OnboardingResetEvent
  | ActivePathSetEvent
  | ProgressResetEvent;

/** Longest event, client, content, interaction or path id, in characters. */
export const MAX_LEARNING_ID_LENGTH = 128;
/** Characters an event id may use: it becomes the id of the event in the shared log. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:~-]+$/;
/** Largest interaction state, as JSON text. */
export const MAX_INTERACTION_STATE_BYTES = 2048;

/** Serialises JSON-compatible data with object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Epoch milliseconds of an event's `occurredAt`, or NaN when it is not a date. */
export function occurredMs(event: Pick<LearningProgressEventBase, "occurredAt">): number {
  return Date.parse(event.occurredAt);
}

/** Log order: by the instant `occurredAt` names, ties by `eventId`. */
export function compareLearningEvents(
  a: Pick<LearningProgressEventBase, "occurredAt" | "eventId">,
  b: Pick<LearningProgressEventBase, "occurredAt" | "eventId">,
): number {
  const ma = occurredMs(a);
  const mb = occurredMs(b);
  if (ma !== mb) return ma < mb ? -1 : 1;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

const isId = (v: unknown): v is string =>
  typeof v === "string" && v.length > 0 && v.length <= MAX_LEARNING_ID_LENGTH;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function isInteractionState(v: unknown): v is LearningInteractionState {
  return isObject(v) && typeof v.kind === "string" && v.kind.length > 0 && v.kind.length <= 64 &&
    JSON.stringify(v).length <= MAX_INTERACTION_STATE_BYTES;
}

function isContentPayload(v: unknown): v is ContentProgressPayload {
  if (!isObject(v) || !isId(v.contentId)) return false;
  if (!(CONTENT_STATUSES as readonly unknown[]).includes(v.status)) return false;
  if (
    v.score !== undefined &&
    !(typeof v.score === "number" && Number.isFinite(v.score) && v.score >= 0 && v.score <= 100)
  ) return false;
  if (v.contentVersion !== undefined && !(typeof v.contentVersion === "string")) return false;
  if (v.interaction === undefined) return true;
  const interaction = v.interaction;
  return isObject(interaction) && isId(interaction.interactionId) &&
    (interaction.state === null || isInteractionState(interaction.state));
}

/**
 * True when `value` is a well-formed learning-progress event. The browser uses it on what it reads
 * back from localStorage and the server; the server validates requests with the zod schema in
 * `protocol_schema.ts`, which says what is wrong.
 */
export function isLearningEvent(value: unknown): value is LearningProgressEvent {
  if (!isObject(value)) return false;
  if (!isId(value.eventId) || !EVENT_ID_PATTERN.test(value.eventId)) return false;
  if (typeof value.occurredAt !== "string" || Number.isNaN(Date.parse(value.occurredAt))) {
    return false;
  }
  if (!isId(value.clientId)) return false;
  switch (value.type) {
    case "content.progressed":
      return isContentPayload(value.payload);
    case "onboarding.completed":
      return isObject(value.payload) && isId(value.payload.pathId);
    case "activePath.set":
      return isObject(value.payload) &&
        (value.payload.pathId === null || isId(value.payload.pathId));
    case "onboarding.reset":
      return true;
    case "progress.reset":
      return value.payload === undefined ||
        (isObject(value.payload) && Array.isArray(value.payload.contentIds) &&
          value.payload.contentIds.length > 0 &&
          value.payload.contentIds.length <= MAX_RESET_CONTENT_IDS &&
          value.payload.contentIds.every(isId));
    default:
      return false;
  }
}
