import assert from "node:assert/strict";
import { pathWith } from "./test_fixtures.ts";
import {
  type ActivityFacts,
  type ActivityInfo,
  goalWeightedProgress,
  pathWeightedProgress,
  skillProgressOf,
} from "./weighted.ts";
import { DEFAULT_WEIGHTS, resolveWeights, weightsFromEnv } from "./weights.ts";

const facts: Record<string, ActivityFacts> = {
  a0: { status: "completed", timeSpentMinutes: 30, bestScore: null, tutorChat: true },
  a1: { status: "completed", timeSpentMinutes: 5, bestScore: 80, tutorChat: false },
  a2: { status: "in_progress", timeSpentMinutes: 10, bestScore: null, tutorChat: false },
  x: { status: "completed", timeSpentMinutes: 12, bestScore: null, tutorChat: false },
  q: { status: "failed", timeSpentMinutes: 4, bestScore: 40, tutorChat: false },
};
const info: Record<string, ActivityInfo> = {
  a0: { activityType: "video", expectedMinutes: 20, skills: ["html"] },
  a1: { activityType: "quiz", expectedMinutes: 10, skills: ["html", "css"] },
  a2: { activityType: "practice", expectedMinutes: null, skills: ["css"] },
  a3: { activityType: "project", expectedMinutes: 40, skills: [] },
  x: { activityType: "video", expectedMinutes: 10, skills: ["js"] },
  q: { activityType: "quiz", expectedMinutes: 10, skills: ["js"] },
};
const factsOf = (id: string) => facts[id];
const infoOf = (id: string) => info[id];

Deno.test("the default weights are seed 003's, and each group sums to 1", () => {
  assert.deepEqual(DEFAULT_WEIGHTS.path, {
    tasks: 0.4,
    time: 0.2,
    milestones: 0.3,
    interactions: 0.1,
  });
  assert.deepEqual(DEFAULT_WEIGHTS.goal, { paths: 0.6, milestones: 0.3, extraActivities: 0.1 });
  assert.deepEqual(DEFAULT_WEIGHTS.skill, { practiceTime: 0.4, mastery: 0.4, peerReviews: 0.2 });
  assert.deepEqual(resolveWeights({}), DEFAULT_WEIGHTS);
});

Deno.test("weights are configurable: overrides merge, and groups that do not sum to 1 are refused", () => {
  const w = resolveWeights({ path: { tasks: 0.5, time: 0.1 }, defaultExpectedMinutes: 15 });
  assert.deepEqual(w.path, { tasks: 0.5, time: 0.1, milestones: 0.3, interactions: 0.1 });
  assert.equal(w.defaultExpectedMinutes, 15);
  assert.throws(() => resolveWeights({ path: { tasks: 0.9 } }), /path weights must sum to 1/);
  assert.throws(() => resolveWeights({ skill: { typo: 1 } }), /Invalid progress weights/);
  assert.deepEqual(weightsFromEnv(() => undefined), DEFAULT_WEIGHTS);
  const fromEnv = weightsFromEnv(() => '{"goal":{"paths":0.5,"extraActivities":0.2}}');
  assert.deepEqual(fromEnv.goal, { paths: 0.5, milestones: 0.3, extraActivities: 0.2 });
  assert.throws(() => weightsFromEnv(() => "{nope"), /must be JSON/);
});

Deno.test("path weighted progress: tasks, time up to each step's budget, milestones, tutor chat", () => {
  // a0, a1 done; a2 in progress; a3 untouched. Expected minutes 20 + 10 + 30 (default) + 40 = 100.
  const p = pathWeightedProgress(pathWith(2, 4), factsOf, infoOf, DEFAULT_WEIGHTS);
  const byId = Object.fromEntries(p.components.map((c) => [c.id, c]));
  assert.equal(byId.tasks!.value, 50);
  // a0 counts 20 of its 30 min, a1 5, a2 10: 35 of 100.
  assert.equal(byId.time!.value, 35);
  assert.equal(byId.time!.detail, "35 min of 100 min expected");
  // 2 of 4 steps: the 25 % and 50 % thresholds.
  assert.equal(byId.milestones!.value, 50);
  assert.equal(byId.milestones!.detail, "2 of 4 progress milestones");
  assert.equal(byId.interactions!.value, 25);
  assert.equal(p.value, 0.4 * 50 + 0.2 * 35 + 0.3 * 50 + 0.1 * 25);
  assert.deepEqual(p.milestones, { reached: 2, total: 4 });
  assert.deepEqual(p.components.map((c) => c.weight), [0.4, 0.2, 0.3, 0.1]);
});

Deno.test("a path with milestone steps measures milestones by those steps", () => {
  const withMilestone = (id: string) =>
    id === "a1" ? { ...info.a1!, activityType: "milestone" as const } : info[id];
  const p = pathWeightedProgress(pathWith(1, 4), factsOf, withMilestone, DEFAULT_WEIGHTS);
  const milestones = p.components.find((c) => c.id === "milestones")!;
  assert.equal(milestones.value, 0);
  assert.equal(milestones.detail, "0 of 1 milestone steps");
});

Deno.test("a complete path with its time spent and every step discussed is 100", () => {
  const all: ActivityFacts = {
    status: "completed",
    timeSpentMinutes: 999,
    bestScore: null,
    tutorChat: true,
  };
  const p = pathWeightedProgress(pathWith(3, 3), () => all, () => undefined, DEFAULT_WEIGHTS);
  assert.equal(p.value, 100);
});

Deno.test("goal progress: the paths' average, path milestones and capped extra activities", () => {
  const paths = [pathWith(2, 4, { pathId: "p1" }), pathWith(4, 4, { pathId: "p2" })];
  const weighted = paths.map((p) => pathWeightedProgress(p, factsOf, infoOf, DEFAULT_WEIGHTS));
  // Distinct completed step activities: a0..a3 (4); 7 completed overall: 3 extra.
  const goal = goalWeightedProgress(paths, weighted, 7, DEFAULT_WEIGHTS)!;
  const byId = Object.fromEntries(goal.components.map((c) => [c.id, c]));
  assert.equal(
    byId.paths!.value,
    Math.round(((weighted[0]!.value + weighted[1]!.value) / 2) * 10) / 10,
  );
  assert.equal(byId.milestones!.value, 75, "2 + 4 of 8 thresholds");
  assert.equal(byId.extraActivities!.value, 30);
  assert.equal(byId.extraActivities!.detail, "3 completed outside your paths");
  const many = goalWeightedProgress(paths, weighted, 40, DEFAULT_WEIGHTS)!;
  assert.equal(many.components[2]!.value, 100, "capped at 100");
  assert.equal(goalWeightedProgress([], [], 5, DEFAULT_WEIGHTS), null);
});

Deno.test("skill progress: practice time, mastery from best scores, peer reviews 0", () => {
  const skills = skillProgressOf(["a0", "a1", "a2", "a3", "x", "q", "unknown"], factsOf, infoOf, {
    ...DEFAULT_WEIGHTS,
  });
  assert.deepEqual(Object.keys(skills), ["css", "html", "js"]);
  const html = skills.html!;
  // a0: 20 of 20 (capped), a1: 5 of 10 → 25 of 30; mastery: (100 + 80) / 2.
  assert.deepEqual(html.components.map((c) => [c.id, c.value]), [
    ["practiceTime", 83.3],
    ["mastery", 90],
    ["peerReviews", 0],
  ]);
  assert.equal(html.value, Math.round((0.4 * 83.3 + 0.4 * 90) * 10) / 10);
  assert.equal(html.activities, 2);
  assert.equal(html.completedActivities, 2);
  assert.equal(html.timeSpentMinutes, 35);
  // js: x completed without a score (100), q failed with 40 → mastery 70.
  assert.equal(skills.js!.components[1]!.value, 70);
  // css: a1 scored 80, a2 in progress without a score (0) → 40; a2 uses the default 30 min.
  assert.equal(skills.css!.components[1]!.value, 40);
  assert.equal(skills.css!.components[0]!.detail, "15 min of 40 min expected");
});
