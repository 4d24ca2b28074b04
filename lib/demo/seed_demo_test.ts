import assert from "node:assert/strict";
import { getUserByUsername } from "../auth/account_store.ts";
import { openConflictIds } from "../conflicts/conflict_store.ts";
import { getUnifiedView } from "../progress/summary_store.ts";
import { withTestApp } from "../../tests/support/test_app.ts";
import { seedDemo } from "./seed_demo.ts";

Deno.test("the demo student has progress on the path, a streak and one conflict to settle; seeding twice adds nothing", async () => {
  await withTestApp(async (app) => {
    const first = await seedDemo(app.kv, app.processor);
    assert.equal(first.created, true);
    const user = await getUserByUsername(app.kv, first.username);
    assert.ok(user);
    await app.processor.idle();
    const view = await getUnifiedView(app.kv, user.userId);
    assert.equal(view.overallProgress.completedActivities, 4);
    assert.equal(view.overallProgress.totalActivities, 8, "the 8 steps of the path, as on /learn");
    assert.equal(view.learningPaths.length, 1);
    assert.equal(view.learningPaths[0]!.completedSteps, 4);
    assert.ok(view.upcomingActivities.length > 0, "todos and calendar entries are upcoming");
    assert.equal((await openConflictIds(app.kv, user.userId)).length, 1);
    assert.equal(view.openConflicts, 1);

    const again = await seedDemo(app.kv, app.processor);
    assert.equal(again.created, false);
    assert.equal((await getUnifiedView(app.kv, user.userId)).overallProgress.totalActivities, 8);
  });
});
