/**
 * The weights of weighted progress (seed 003), as configurable defaults in one place.
 * `PROGRESS_WEIGHTS` (JSON, any subset, e.g. `{"path":{"tasks":0.5,"time":0.1}}`) overrides them;
 * every group must still sum to 1.
 */
import { z } from "zod";

/** Weights of a path's (seed 003's "space") progress. */
export interface PathWeights {
  /** Completed steps. */
  tasks: number;
  /** Minutes spent on the steps against the minutes they are expected to take. */
  time: number;
  /** The path's milestones reached. */
  milestones: number;
  /** Steps discussed with the tutor chat (`chat_system` events). */
  interactions: number;
}

/** Weights of the student's goal progress (all their paths). */
export interface GoalWeights {
  /** The average weighted progress of the student's paths. */
  paths: number;
  /** Path milestones reached, across every path. */
  milestones: number;
  /** Activities completed outside any path. */
  extraActivities: number;
}

/** Weights of one skill's progress. */
export interface SkillWeights {
  /** Minutes spent on the skill's activities against the minutes they are expected to take. */
  practiceTime: number;
  /** The best result on each of the skill's activities. */
  mastery: number;
  /** Peer reviews (no system reports them yet, so this component is 0). */
  peerReviews: number;
}

/** Every weight of weighted progress, and the constants the components are measured with. */
export interface ProgressWeights {
  path: PathWeights;
  goal: GoalWeights;
  skill: SkillWeights;
  /** Minutes assumed for an activity the catalog gives no `expectedMinutes` for. */
  defaultExpectedMinutes: number;
  /** Points each extra activity adds to the goal's extra-activities component (capped at 100). */
  pointsPerExtraActivity: number;
}

/** Seed 003's weights. */
export const DEFAULT_WEIGHTS: ProgressWeights = Object.freeze({
  path: Object.freeze({ tasks: 0.4, time: 0.2, milestones: 0.3, interactions: 0.1 }),
  goal: Object.freeze({ paths: 0.6, milestones: 0.3, extraActivities: 0.1 }),
  skill: Object.freeze({ practiceTime: 0.4, mastery: 0.4, peerReviews: 0.2 }),
  defaultExpectedMinutes: 30,
  pointsPerExtraActivity: 10,
});

const weight = z.number().finite().min(0).max(1);

const overridesSchema = z.object({
  path: z.object({
    tasks: weight,
    time: weight,
    milestones: weight,
    interactions: weight,
  }).partial().strict().optional(),
  goal: z.object({ paths: weight, milestones: weight, extraActivities: weight }).partial()
    .strict().optional(),
  skill: z.object({ practiceTime: weight, mastery: weight, peerReviews: weight }).partial()
    .strict().optional(),
  defaultExpectedMinutes: z.number().finite().positive().max(10_000).optional(),
  pointsPerExtraActivity: z.number().finite().min(0).max(100).optional(),
}).strict();

/** Overrides of the default weights (any subset). */
export type WeightOverrides = z.input<typeof overridesSchema>;

function sumsToOne(group: Record<string, number>): boolean {
  return Math.abs(Object.values(group).reduce((a, b) => a + b, 0) - 1) < 1e-9;
}

/** The defaults with `overrides` applied; throws a RangeError naming the problem when invalid. */
export function resolveWeights(overrides: unknown, base = DEFAULT_WEIGHTS): ProgressWeights {
  const parsed = overridesSchema.safeParse(overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RangeError(`Invalid progress weights at ${issue.path.join(".")}: ${issue.message}`);
  }
  const o = parsed.data;
  const weights: ProgressWeights = {
    path: { ...base.path, ...o.path },
    goal: { ...base.goal, ...o.goal },
    skill: { ...base.skill, ...o.skill },
    defaultExpectedMinutes: o.defaultExpectedMinutes ?? base.defaultExpectedMinutes,
    pointsPerExtraActivity: o.pointsPerExtraActivity ?? base.pointsPerExtraActivity,
  };
  for (const group of ["path", "goal", "skill"] as const) {
    if (!sumsToOne({ ...weights[group] })) {
      throw new RangeError(`Invalid progress weights: the ${group} weights must sum to 1`);
    }
  }
  return weights;
}

/** The weights configured by `PROGRESS_WEIGHTS` (JSON), or the defaults when it is unset. */
export function weightsFromEnv(env: (name: string) => string | undefined): ProgressWeights {
  const raw = env("PROGRESS_WEIGHTS");
  if (!raw) return DEFAULT_WEIGHTS;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new RangeError("Invalid progress weights: PROGRESS_WEIGHTS must be JSON");
  }
  return resolveWeights(json);
}
