import { z } from "zod";
import { ACTIVITY_TYPES, MAX_ID_LENGTH } from "../core/event_schema.ts";

const id = z.string().trim().min(1, "Must not be empty").max(
  MAX_ID_LENGTH,
  `Must be at most ${MAX_ID_LENGTH} characters`,
);
const title = z.string().trim().min(1, "Required").max(200, "Must be at most 200 characters");
const instant = z.iso.datetime({
  offset: true,
  message: "Must be an ISO 8601 date-time with a time zone",
})
  .transform((v) => new Date(v).toISOString());

/** Longest xAPI IRI a catalog activity may register (it is part of a KV key). */
export const MAX_IRI_LENGTH = 1000;
/** Most steps in a learning path. */
export const MAX_PATH_STEPS = 200;
/** Most activities one item tracks. */
export const MAX_ITEM_ACTIVITIES = 50;
/** Most items of one student linked to the same activity (bounds the work one event can fan out to). */
export const MAX_ITEMS_PER_ACTIVITY = 100;

/** Systems that own per-student items, by kind. */
export const ITEM_SYSTEMS = { todo: "todo_manager", schedule: "calendar_service" } as const;

/** Body of `PUT /activities/:activityId`. */
export const activityInputSchema = z.object({
  title,
  activityType: z.enum(ACTIVITY_TYPES),
  skills: z.array(id).max(50).optional(),
  expectedMinutes: z.number().finite().min(0).max(10_000).optional(),
  /** The IRI xAPI statements use for this activity (besides `{origin}/activities/{activityId}`). */
  iri: z.string().trim().max(MAX_IRI_LENGTH, `Must be at most ${MAX_IRI_LENGTH} characters`)
    .regex(/^[a-z][a-z0-9+.-]*:[^\s]+$/i, "Must be an absolute IRI").optional(),
});

/** Body of `PUT /paths/:pathId`. */
export const pathInputSchema = z.object({
  title,
  system: z.enum(["ai_journey", "learning_path_generator"]).optional(),
  steps: z.array(z.object({ stepId: id, activityId: id })).min(1, "Needs at least one step")
    .max(MAX_PATH_STEPS, `Must have at most ${MAX_PATH_STEPS} steps`)
    .superRefine((steps, ctx) => {
      const seenSteps = new Set<string>();
      const seenActivities = new Set<string>();
      steps.forEach((step, i) => {
        if (seenSteps.has(step.stepId)) {
          ctx.addIssue({ code: "custom", path: [i, "stepId"], message: "Step ids must be unique" });
        }
        if (seenActivities.has(step.activityId)) {
          ctx.addIssue({
            code: "custom",
            path: [i, "activityId"],
            message: "An activity may appear only once in a path",
          });
        }
        seenSteps.add(step.stepId);
        seenActivities.add(step.activityId);
      });
    }),
});

/** Body of `PUT /items/:itemId`. */
export const itemInputSchema = z.object({
  userId: id.optional(),
  system: z.enum(["todo_manager", "calendar_service"]),
  kind: z.enum(["todo", "schedule"]),
  title,
  activityIds: z.array(id).min(1, "Needs at least one activity").max(
    MAX_ITEM_ACTIVITIES,
    `Must track at most ${MAX_ITEM_ACTIVITIES} activities`,
  ).refine((ids) => new Set(ids).size === ids.length, "Activity ids must be unique"),
  dueDate: instant.optional(),
  scheduledStart: instant.optional(),
  scheduledEnd: instant.optional(),
}).superRefine((item, ctx) => {
  if (ITEM_SYSTEMS[item.kind] !== item.system) {
    ctx.addIssue({
      code: "custom",
      path: ["system"],
      message: `A ${item.kind} belongs to ${ITEM_SYSTEMS[item.kind]}`,
    });
  }
  if (item.scheduledStart && item.scheduledEnd && item.scheduledEnd < item.scheduledStart) {
    ctx.addIssue({
      code: "custom",
      path: ["scheduledEnd"],
      message: "Must not be before scheduledStart",
    });
  }
});

/** A validated activity body. */
export type ActivityInput = z.output<typeof activityInputSchema>;
/** A validated path body. */
export type PathInput = z.output<typeof pathInputSchema>;
/** A validated item body. */
export type ItemInput = z.output<typeof itemInputSchema>;
