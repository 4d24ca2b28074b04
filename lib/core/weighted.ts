/**
 * Weighted progress (seed 003): per path ("space"), for the student's goal, and per skill, each a
 * weighted sum of components measured from the projections. Pure; also runs in the browser, where
 * the dashboard keeps path and goal progress live. Weights come from `weights.ts`.
 */
import type { ActivityType } from "./event_schema.ts";
import type { PathProgressSummary } from "./path_progress.ts";
import type { ActivityStatus } from "./activity_state.ts";
import { pathMilestones } from "./milestones.ts";
import type { ProgressWeights } from "./weights.ts";

/** What weighted progress needs to know of one activity's state. */
export interface ActivityFacts {
  status: ActivityStatus;
  timeSpentMinutes: number;
  bestScore: number | null;
  /** The tutor chat (`chat_system`) reported on it. */
  tutorChat: boolean;
}

/** What weighted progress needs to know of one catalog activity. */
export interface ActivityInfo {
  activityType: ActivityType;
  expectedMinutes: number | null;
  skills: readonly string[];
}

/** One component of a weighted progress value. */
export interface WeightedComponent {
  id: string;
  label: string;
  /** Share of the total, 0–1. */
  weight: number;
  /** The component's own progress, 0–100 (one decimal). */
  value: number;
  /** What was measured, in words (e.g. "3 of 8 steps"). */
  detail: string;
}

/** A weighted progress value with its components ("detailed" indicator). */
export interface WeightedProgress {
  /** Σ weight × value, 0–100 (one decimal). */
  value: number;
  components: WeightedComponent[];
}

/** A path's weighted progress, with the milestone counts the goal reuses. */
export interface PathWeightedProgress extends WeightedProgress {
  pathId: string;
  milestones: { reached: number; total: number };
}

/** One skill's progress (the summary's `skillProgress` entries). */
export interface SkillProgress extends WeightedProgress {
  skillId: string;
  /** Activities tagged with the skill that the student worked on or has on a path. */
  activities: number;
  completedActivities: number;
  timeSpentMinutes: number;
  /** The latest assessed level (`skill_assessed`), when one was reported. */
  level?: string;
  previousLevel?: string | null;
  /** Confidence of the latest assessment, 0–1 (null when it gave none). */
  confidence?: number | null;
  /** When the latest assessment was made. */
  assessedAt?: string;
}

/** Rounds to one decimal. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function share(part: number, whole: number): number {
  return whole <= 0 ? 0 : round1(Math.min(100, (part / whole) * 100));
}

function combine(components: WeightedComponent[]): WeightedProgress {
  const value = components.reduce((sum, c) => sum + c.weight * c.value, 0);
  return { value: round1(Math.min(100, value)), components };
}

function minutes(n: number): string {
  return `${Math.round(n)} min`;
}

/** Minutes spent on activities, each counted up to its expected time, and their expected total. */
function timeAgainstExpected(
  activityIds: readonly string[],
  factsOf: (id: string) => ActivityFacts | undefined,
  infoOf: (id: string) => ActivityInfo | undefined,
  defaultExpected: number,
): { spent: number; expected: number } {
  let spent = 0;
  let expected = 0;
  for (const id of activityIds) {
    const budget = infoOf(id)?.expectedMinutes ?? defaultExpected;
    expected += budget;
    spent += Math.min(budget, factsOf(id)?.timeSpentMinutes ?? 0);
  }
  return { spent, expected };
}

/**
 * A path's weighted progress: tasks (completed steps), time (minutes on each step up to its
 * expected time, over the steps' expected minutes), milestones (its `milestone` steps completed,
 * or, without such steps, its 25/50/75/100 % thresholds reached) and interactions (steps the
 * tutor chat reported on). Removed steps do not count.
 */
export function pathWeightedProgress(
  path: PathProgressSummary,
  factsOf: (activityId: string) => ActivityFacts | undefined,
  infoOf: (activityId: string) => ActivityInfo | undefined,
  weights: ProgressWeights,
): PathWeightedProgress {
  const w = weights.path;
  const steps = path.steps.filter((s) => s.status !== "removed");
  const ids = steps.map((s) => s.activityId);
  const time = timeAgainstExpected(ids, factsOf, infoOf, weights.defaultExpectedMinutes);
  const milestoneSteps = steps.filter((s) => infoOf(s.activityId)?.activityType === "milestone");
  const milestones = milestoneSteps.length > 0
    ? {
      reached: milestoneSteps.filter((s) => s.status === "completed").length,
      total: milestoneSteps.length,
      what: "milestone steps",
    }
    : {
      reached: pathMilestones(path).filter((m) => m.reached).length,
      total: pathMilestones(path).length,
      what: "progress milestones",
    };
  const discussed = ids.filter((id) => factsOf(id)?.tutorChat).length;
  const result = combine([
    {
      id: "tasks",
      label: "Tasks",
      weight: w.tasks,
      value: share(path.completedSteps, steps.length),
      detail: `${path.completedSteps} of ${steps.length} steps`,
    },
    {
      id: "time",
      label: "Time",
      weight: w.time,
      value: share(time.spent, time.expected),
      detail: `${minutes(time.spent)} of ${minutes(time.expected)} expected`,
    },
    {
      id: "milestones",
      label: "Milestones",
      weight: w.milestones,
      value: share(milestones.reached, milestones.total),
      detail: `${milestones.reached} of ${milestones.total} ${milestones.what}`,
    },
    {
      id: "interactions",
      label: "Tutor chat",
      weight: w.interactions,
      value: share(discussed, steps.length),
      detail: `${discussed} of ${steps.length} steps discussed`,
    },
  ]);
  return {
    ...result,
    pathId: path.pathId,
    milestones: { reached: milestones.reached, total: milestones.total },
  };
}

/**
 * The student's goal progress over their paths: the paths' average weighted progress, path
 * milestones reached across all paths, and extra activities (completed outside any path, each
 * worth `pointsPerExtraActivity`, capped at 100). Null without a path.
 */
export function goalWeightedProgress(
  paths: readonly PathProgressSummary[],
  pathProgress: readonly PathWeightedProgress[],
  completedActivities: number,
  weights: ProgressWeights,
): WeightedProgress | null {
  if (paths.length === 0) return null;
  const w = weights.goal;
  const average = pathProgress.reduce((sum, p) => sum + p.value, 0) / pathProgress.length;
  const reached = pathProgress.reduce((sum, p) => sum + p.milestones.reached, 0);
  const total = pathProgress.reduce((sum, p) => sum + p.milestones.total, 0);
  const completedSteps = new Set(
    paths.flatMap((p) => p.steps.filter((s) => s.status === "completed").map((s) => s.activityId)),
  );
  const extra = Math.max(0, completedActivities - completedSteps.size);
  return combine([
    {
      id: "paths",
      label: "Paths",
      weight: w.paths,
      value: round1(average),
      detail: `average of ${paths.length} path${paths.length === 1 ? "" : "s"}`,
    },
    {
      id: "milestones",
      label: "Milestones",
      weight: w.milestones,
      value: share(reached, total),
      detail: `${reached} of ${total} path milestones`,
    },
    {
      id: "extraActivities",
      label: "Extra activities",
      weight: w.extraActivities,
      value: Math.min(100, extra * weights.pointsPerExtraActivity),
      detail: `${extra} completed outside your paths`,
    },
  ]);
}

/**
 * Progress per skill, over the given activities (those the student worked on and those on their
 * paths), each counting for every skill the catalog tags it with: practice time (minutes on each
 * activity up to its expected time, over their expected minutes), mastery (the best score of each
 * activity; 100 when completed without a score, 0 when neither; averaged) and peer reviews (0: no
 * system reports them yet). Keys in order.
 */
export function skillProgressOf(
  activityIds: Iterable<string>,
  factsOf: (activityId: string) => ActivityFacts | undefined,
  infoOf: (activityId: string) => ActivityInfo | undefined,
  weights: ProgressWeights,
): Record<string, SkillProgress> {
  const bySkill = new Map<string, string[]>();
  for (const id of new Set(activityIds)) {
    for (const skill of new Set(infoOf(id)?.skills ?? [])) {
      bySkill.set(skill, [...(bySkill.get(skill) ?? []), id]);
    }
  }
  const w = weights.skill;
  const out: Record<string, SkillProgress> = {};
  for (const skillId of [...bySkill.keys()].sort()) {
    const ids = bySkill.get(skillId)!.sort();
    const time = timeAgainstExpected(ids, factsOf, infoOf, weights.defaultExpectedMinutes);
    const results = ids.map((id) => {
      const facts = factsOf(id);
      return facts?.bestScore ?? (facts?.status === "completed" ? 100 : 0);
    });
    const mastery = results.reduce((a, b) => a + b, 0) / results.length;
    const completed = ids.filter((id) => factsOf(id)?.status === "completed").length;
    const spent = ids.reduce((sum, id) => sum + (factsOf(id)?.timeSpentMinutes ?? 0), 0);
    out[skillId] = {
      skillId,
      activities: ids.length,
      completedActivities: completed,
      timeSpentMinutes: Math.round(spent * 1000) / 1000,
      ...combine([
        {
          id: "practiceTime",
          label: "Practice time",
          weight: w.practiceTime,
          value: share(time.spent, time.expected),
          detail: `${minutes(time.spent)} of ${minutes(time.expected)} expected`,
        },
        {
          id: "mastery",
          label: "Mastery",
          weight: w.mastery,
          value: round1(mastery),
          detail: `${completed} of ${ids.length} activities completed`,
        },
        {
          id: "peerReviews",
          label: "Peer reviews",
          weight: w.peerReviews,
          value: 0,
          detail: "no system reports peer reviews yet",
        },
      ]),
    };
  }
  return out;
}
