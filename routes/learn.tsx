import { Hono } from "hono";
import { Island } from "../components/island.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import LearnPath from "../islands/learn_path.tsx";
import { getActivities, getPaths, listPaths } from "../lib/catalog/catalog_store.ts";
import type { LearningPath } from "../lib/core/propagation.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { pageUserWithNav } from "./_page_session.ts";
import { getClientSnapshot } from "../lib/learning/client_event_log.ts";
import { type Lesson, lessonFor } from "../lib/core/lesson_content.ts";
import { type ServerActivity, serverActivityOf } from "../lib/core/lesson_view.ts";
import { activityViewOf } from "../lib/core/activity_state.ts";
import { getActivityStates, getUnifiedView } from "../lib/progress/summary_store.ts";

/**
 * `/learn?path=`: work through a learning path's lessons, offline too. Open to guests (their
 * progress stays on the device until they sign in); a student's path defaults to their active one.
 */
export const learnPage = new Hono<AppEnv>().get("/", async (c) => {
  const user = await pageUserWithNav(c);
  const { kv } = c.get("deps");
  const paths = await listPaths(kv);
  const serverSnapshot = user ? await getClientSnapshot(kv, user.userId) : null;
  // `?lesson=` (links from the dashboard) opens that lesson: on `?path=`, else on the active path
  // when it has the lesson, else on the first path that has it.
  const lesson = c.req.query("lesson");
  const has = (p: LearningPath) =>
    lesson === undefined || p.steps.some((s) => s.activityId === lesson);
  const byId = (id: string | null | undefined) => paths.find((p) => p.pathId === id);
  const active = byId(serverSnapshot?.activePathId);
  const path = byId(c.req.query("path")) ?? (active && has(active) ? active : undefined) ??
    paths.find(has) ?? active ?? paths[0] ?? null;
  let lessons: Lesson[] = [];
  const serverStates: Record<string, ServerActivity> = {};
  if (path) {
    const full = (await getPaths(kv, [path.pathId])).get(path.pathId)!;
    const activities = await getActivities(kv, full.steps.map((s) => s.activityId));
    const titles = full.steps.flatMap((s) => activities.get(s.activityId)?.title ?? []);
    lessons = full.steps.flatMap((step) => {
      const activity = activities.get(step.activityId);
      return activity ? [lessonFor(activity, titles)] : [];
    });
    // The server's state of each lesson, in every system: the source of truth the page shows.
    const states = user ? await getActivityStates(kv, user.userId) : new Map();
    for (const lesson of lessons) {
      const state = states.get(lesson.activityId);
      if (state) serverStates[lesson.activityId] = serverActivityOf(activityViewOf(state));
    }
  }
  const overall = user ? (await getUnifiedView(kv, user.userId)).overallProgress : null;
  return c.html(renderPage(
    <Layout title="Learn" user={user} path="/learn">
      <div class="page-header">
        <div>
          <h1>Learn</h1>
          <p>
            Work through your path: every step is saved on this device at once and synced in the
            background, so you can keep going offline.
          </p>
        </div>
      </div>
      <Island
        name="learn_path"
        component={LearnPath}
        props={{
          userId: user?.userId ?? null,
          paths: paths.map((p) => ({ pathId: p.pathId, title: p.title })),
          path: path ? { pathId: path.pathId, title: path.title, lessons } : null,
          serverSnapshot,
          server: overall ? { activities: serverStates, overall } : null,
          renderedAt: new Date().toISOString(),
        }}
      />
    </Layout>,
  ));
});
