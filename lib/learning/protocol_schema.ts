/** Request schemas of the seed-001 protocol (`/api/v1/learning/progress`), for the server. */
import { z } from "zod";
import {
  CONTENT_STATUSES,
  EVENT_ID_PATTERN,
  MAX_INTERACTION_STATE_BYTES,
  MAX_LEARNING_ID_LENGTH,
  MAX_RESET_CONTENT_IDS,
} from "../core/learning_events.ts";

/** Most events one `PUT /api/v1/learning/progress` may carry. */
export const MAX_PUT_EVENTS = 100;
/** Most events one `GET /api/v1/learning/progress` returns. */
export const MAX_GET_EVENTS = 1000;

const id = z.string().min(1, "Must not be empty").max(
  MAX_LEARNING_ID_LENGTH,
  `Must be at most ${MAX_LEARNING_ID_LENGTH} characters`,
);

/** An ISO 8601 date-time with an offset, kept as written (the snapshot's streak uses its local day). */
const occurredAt = z.iso.datetime({
  offset: true,
  message: "Must be an ISO 8601 date-time with a time zone",
});

const interactionState = z.looseObject({
  kind: z.string().min(1, "Must not be empty").max(64, "Must be at most 64 characters"),
}).refine(
  (state) => JSON.stringify(state).length <= MAX_INTERACTION_STATE_BYTES,
  `Must be at most ${MAX_INTERACTION_STATE_BYTES} bytes as JSON`,
);

const base = {
  eventId: id.regex(EVENT_ID_PATTERN, "May contain only letters, digits and . _ : ~ -"),
  occurredAt,
  clientId: id,
};

/** One seed-001 learning-progress event. */
export const learningEventSchema = z.discriminatedUnion("type", [
  z.object({
    ...base,
    type: z.literal("content.progressed"),
    payload: z.object({
      contentId: id,
      status: z.enum(CONTENT_STATUSES),
      score: z.number().finite().min(0).max(100).optional(),
      contentVersion: z.string().max(64, "Must be at most 64 characters").optional(),
      interaction: z.object({
        interactionId: id,
        state: interactionState.nullable(),
      }).optional(),
    }),
  }),
  z.object({ ...base, type: z.literal("onboarding.completed"), payload: z.object({ pathId: id }) }),
  z.object({ ...base, type: z.literal("onboarding.reset") }),
  z.object({
    ...base,
    type: z.literal("activePath.set"),
    payload: z.object({ pathId: id.nullable() }),
  }),
  z.object({
    ...base,
    type: z.literal("progress.reset"),
    payload: z.object({
      contentIds: z.array(id).min(1, "Must name at least one lesson").max(
        MAX_RESET_CONTENT_IDS,
        `Must name at most ${MAX_RESET_CONTENT_IDS} lessons`,
      ),
    }).optional(),
  }),
], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? "Must be one of content.progressed, onboarding.completed, onboarding.reset, activePath.set, progress.reset"
      : undefined,
});

/** Body of `PUT /api/v1/learning/progress`. */
export const putProgressBodySchema = z.object({
  clientUpdatedAt: occurredAt,
  events: z.array(z.unknown(), "Must be an array of events").max(
    MAX_PUT_EVENTS,
    `Must hold at most ${MAX_PUT_EVENTS} events: send more in further requests`,
  ),
});

/** Query of `GET /api/v1/learning/progress`. */
export const getProgressQuerySchema = z.object({
  since: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_GET_EVENTS).default(500),
  userId: z.string().optional(),
});
