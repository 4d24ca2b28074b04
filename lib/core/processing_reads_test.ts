import assert from "node:assert/strict";
import fc from "fast-check";
import type { LearningPath, TrackedItem } from "./propagation.ts";
import { processingReads, type ProcessingReadsInput } from "./processing_reads.ts";

const path = (pathId: string, activityIds: string[]): LearningPath => ({
  pathId,
  title: pathId,
  system: "ai_journey",
  steps: activityIds.map((a) => ({ stepId: `step-${a}`, activityId: a })),
  updatedAt: "2026-11-01T00:00:00.000Z",
});

const item = (itemId: string, activityIds: string[]): TrackedItem => ({
  itemId,
  userId: "u1",
  system: "todo_manager",
  kind: "todo",
  title: itemId,
  activityIds,
  dueDate: null,
  scheduledStart: null,
  scheduledEnd: null,
  updatedAt: "2026-11-01T00:00:00.000Z",
});

const PATHS = new Map([
  ["web", path("web", ["html", "css", "js"])],
  ["data", path("data", ["sql", "js"])],
  ["old", path("old", ["cobol"])],
]);

function catalogPart(): Omit<ProcessingReadsInput, "targetActivityIds" | "items" | "userPathIds"> {
  const pathIdsByActivity = new Map<string, string[]>();
  for (const p of PATHS.values()) {
    for (const s of p.steps) {
      pathIdsByActivity.set(s.activityId, [
        ...(pathIdsByActivity.get(s.activityId) ?? []),
        p.pathId,
      ]);
    }
  }
  return {
    paths: PATHS,
    pathIdsByActivity,
    inCatalog: (id) => !id.startsWith("gone"),
  };
}

const ITEMS = [item("todo-1", ["html", "video-9"]), item("todo-2", ["quiz-3"])];

Deno.test("the reads cover the targets, their items' activities and the steps of their paths", () => {
  const reads = processingReads({
    ...catalogPart(),
    targetActivityIds: ["html", "html", "free"],
    items: ITEMS,
    userPathIds: ["old"],
  });
  assert.deepEqual(reads, {
    // Targets; todo-1's other activity; web's steps; the planned ones (old's step, every item's).
    activityIds: ["cobol", "css", "free", "html", "js", "quiz-3", "video-9"],
    itemIds: ["todo-1"],
    stepIds: ["css", "html", "js"],
  });
});

Deno.test("no target: only the planned activities of the student's paths and items", () => {
  assert.deepEqual(
    processingReads({ ...catalogPart(), targetActivityIds: [], items: ITEMS, userPathIds: [] }),
    { activityIds: ["html", "quiz-3", "video-9"], itemIds: [], stepIds: [] },
  );
});

Deno.test("a path step missing from the catalog is not planned, and an unknown path is skipped", () => {
  const reads = processingReads({
    ...catalogPart(),
    paths: new Map([["p", path("p", ["gone-1", "a"])]]),
    pathIdsByActivity: new Map([["a", ["p", "missing"]]]),
    targetActivityIds: ["b"],
    items: [],
    userPathIds: ["p", "missing"],
  });
  assert.deepEqual(reads, { activityIds: ["a", "b"], itemIds: [], stepIds: [] });
});

const ACTIVITIES = ["html", "css", "js", "sql", "cobol", "quiz-3", "video-9", "free", "x"];

Deno.test("property: any order and any duplicates of the inputs read the same keys, sorted and unique", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...ACTIVITIES), { maxLength: 20 }),
      fc.array(fc.constantFrom("web", "data", "old", "nope"), { maxLength: 5 }),
      fc.array(
        fc.record({
          itemId: fc.constantFrom("i1", "i2", "i3"),
          activityIds: fc.uniqueArray(fc.constantFrom(...ACTIVITIES), { maxLength: 3 }),
        }),
        { maxLength: 4 },
      ).map((xs) => {
        const byId = new Map(xs.map((x) => [x.itemId, item(x.itemId, x.activityIds)]));
        return [...byId.values()];
      }),
      fc.infiniteStream(fc.double({ noNaN: true })),
      (targets, userPathIds, items, noise) => {
        const shuffle = <T>(xs: readonly T[]) =>
          xs.map((x) => [noise.next().value, x] as const).sort((a, b) => a[0] - b[0]).map((p) =>
            p[1]
          );
        const base = processingReads({
          ...catalogPart(),
          targetActivityIds: targets,
          items,
          userPathIds,
        });
        const again = processingReads({
          ...catalogPart(),
          targetActivityIds: shuffle([...targets, ...targets]),
          items: shuffle(items),
          userPathIds: shuffle([...userPathIds, ...userPathIds]),
        });
        assert.deepEqual(again, base);
        for (const ids of [base.activityIds, base.itemIds, base.stepIds]) {
          assert.deepEqual(ids, [...new Set(ids)].sort());
        }
        const activities = new Set(base.activityIds);
        for (const t of targets) assert.ok(activities.has(t));
        for (const s of base.stepIds) assert.ok(activities.has(s));
        for (const i of items) {
          const owns = i.activityIds.some((a) => targets.includes(a));
          assert.equal(base.itemIds.includes(i.itemId), owns);
          for (const a of i.activityIds) assert.ok(activities.has(a));
        }
      },
    ),
  );
});
