import assert from "node:assert/strict";
import { DEFAULT_ACHIEVEMENTS } from "./achievement_definitions.ts";
import { emptyFacts, withCompletion, withDay } from "./achievement_facts.ts";
import { achievementStatuses } from "./achievement_progress.ts";

Deno.test("locked achievements show how close the student is; earned ones show full", () => {
  let facts = emptyFacts();
  for (const [day, id] of [["2026-11-20", "e1"], ["2026-11-21", "e2"], ["2026-11-22", "e3"]]) {
    facts = withDay(facts, day!, { timestamp: `${day}T10:00:00.000Z`, eventId: id! });
  }
  facts = withCompletion(
    facts,
    "a1",
    { timestamp: "2026-11-20T10:00:00.000Z", eventId: "e1" },
    { fast: false },
  );
  const statuses = achievementStatuses(DEFAULT_ACHIEVEMENTS, facts, [], "2026-11-22");
  const byId = Object.fromEntries(statuses.map((s) => [s.definition.id, s.progress]));
  assert.deepEqual(byId["ten-completions"], { current: 1, target: 10 });
  assert.deepEqual(byId["streak-7"], { current: 3, target: 7 });
  assert.deepEqual(
    byId["consistent-week"],
    { current: 3, target: 5 },
    "Friday to Sunday of one week",
  );
  assert.deepEqual(byId["speedy"], { current: 0, target: 1 });
});
