import assert from "node:assert/strict";
import fc from "fast-check";
import { createSession } from "../lib/auth/account_store.ts";
import { putActivity, putPath } from "../lib/catalog/catalog_store.ts";
import { lessonViewOf } from "../lib/core/lesson_view.ts";
import { headlineText } from "../lib/core/progress_model.ts";
import { getActivityStates, getUnifiedView } from "../lib/progress/summary_store.ts";
import { withTestApp } from "./support/test_app.ts";

const LESSONS = [["v1", "video"], ["q1", "quiz"], ["t1", "practice"], ["v2", "video"]] as const;
const IDS = LESSONS.map(([id]) => id);

/** One report: from a system (`POST /events`) or from the learn page (`PUT /api/v1/learning/progress`). */
const reportArb = fc.record({
  lesson: fc.constantFrom(...IDS, "extra"),
  from: fc.constantFrom("video_player", "quiz_engine", "todo_manager", "learn_page"),
  status: fc.constantFrom("started", "in_progress", "completed"),
  score: fc.option(fc.constantFrom(40, 69, 70, 95), { nil: undefined }),
  minute: fc.integer({ min: 0, max: 600 }),
});

function testId(html: string, id: string): string {
  const match = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html);
  return (match?.[1] ?? "").trim();
}

Deno.test("property: summary, dashboard, /learn and insights agree on the done set, the headline and the streak", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(reportArb, { minLength: 1, maxLength: 10 }), async (reports) => {
      await withTestApp(async (app) => {
        for (const [id, type] of LESSONS) {
          await putActivity(app.kv, id, { title: `Lesson ${id}`, activityType: type });
        }
        await putPath(app.kv, "p", {
          title: "Path",
          steps: IDS.map((id) => ({ stepId: `s-${id}`, activityId: id })),
        });
        const { userId, token } = await app.student();
        const base = Date.parse("2026-11-20T08:00:00Z");
        for (const [i, r] of reports.entries()) {
          const at = new Date(base + r.minute * 60_000).toISOString();
          const type = LESSONS.find(([id]) => id === r.lesson)?.[1] ?? "practice";
          if (r.from === "learn_page") {
            const status = r.status === "completed"
              ? (r.score !== undefined && r.score >= 70 ? "passed" : "completed")
              : "in_progress";
            await app.request("/api/v1/learning/progress", {
              method: "PUT",
              token,
              json: {
                clientUpdatedAt: at,
                events: [{
                  eventId: `l${i}`,
                  occurredAt: at,
                  clientId: "c",
                  type: "content.progressed",
                  payload: {
                    contentId: r.lesson,
                    status,
                    ...(r.score === undefined ? {} : { score: r.score }),
                  },
                }],
              },
            });
          } else {
            await app.request("/api/progress-sync/events", {
              method: "POST",
              token,
              json: {
                id: `e${i}`,
                eventType: "activity_progressed",
                sourceSystem: r.from,
                eventData: {
                  activityId: r.lesson,
                  activityType: type,
                  completionStatus: r.status,
                  ...(r.score === undefined ? {} : { score: r.score }),
                },
                timestamp: at,
              },
            });
          }
        }
        await app.processor.idle();

        const summary = (await getUnifiedView(app.kv, userId)).overallProgress;
        const states = await getActivityStates(app.kv, userId);
        const serverDone = new Set(
          [...states.values()].filter((s) => s.status === "completed").map((s) => s.activityId),
        );
        const view = await getUnifiedView(app.kv, userId);
        const pathDone = new Set(
          (view.learningPaths[0]?.steps ?? []).filter((s) => s.status === "completed").map((s) =>
            s.activityId
          ),
        );
        const learning = await (await app.request("/api/v1/learning/progress", { token })).json();
        const learnDone = new Set(IDS.filter((id) => {
          const s = states.get(id);
          const server = s
            ? { status: s.status, bestScore: s.bestScore, doneBy: s.doneBy ?? [] }
            : undefined;
          return lessonViewOf(server, learning.data.snapshot.content[id]).status === "done";
        }));
        // Same done set: the summary's paths, the learn page's lessons and the activity states.
        assert.deepEqual([...pathDone].sort(), IDS.filter((id) => serverDone.has(id)).sort());
        assert.deepEqual([...learnDone].sort(), [...pathDone].sort());
        assert.equal(summary.completedActivities, serverDone.size);
        assert.ok(
          summary.percentageComplete < 100 ||
            summary.completedActivities === summary.totalActivities,
        );

        // Same headline and streak, worded the same, on every page.
        const cookie = `ps_session=${await createSession(app.kv, userId)}`;
        const page = async (path: string) =>
          await (await app.request(path, { headers: { cookie } })).text();
        const [dashboard, learn, insights] = await Promise.all([
          page("/dashboard"),
          page("/learn"),
          page("/insights"),
        ]);
        const headline = headlineText({
          done: summary.completedActivities,
          total: summary.totalActivities,
          percentage: summary.percentageComplete,
        });
        const streak = `${summary.currentStreak} day${summary.currentStreak === 1 ? "" : "s"}`;
        assert.ok(testId(dashboard, "headline").startsWith(headline));
        assert.equal(testId(learn, "learn-headline"), `Overall ${headline}`);
        assert.equal(
          testId(insights, "insights-headline"),
          `Overall ${headline} · ${streak} streak`,
        );
        assert.equal(testId(dashboard, "stat-streak"), streak);
        assert.equal(testId(learn, "learn-streak"), `${streak} streak`);
        assert.equal(testId(learn, "path-done"), `${pathDone.size} of ${IDS.length} done`);
      });
    }),
    { numRuns: 12 },
  );
});
