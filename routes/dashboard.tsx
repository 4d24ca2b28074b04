import { Hono } from "hono";
import { Island } from "../components/island.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import LiveDashboard, { type WeightedInputs } from "../islands/live_dashboard.tsx";
import ConflictNotice from "../islands/conflict_notice.tsx";
import { openConflictIds } from "../lib/conflicts/conflict_store.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { pageUser, redirectToSignIn } from "./_page_session.ts";
import { getActivities } from "../lib/catalog/catalog_store.ts";
import { latestNotificationId } from "../lib/live/notification_store.ts";
import { ACTIVITY_MILESTONES } from "../lib/core/milestones.ts";
import {
  activityFactsOf,
  activityInfoOf,
  readUnifiedView,
  type UnifiedViewRead,
} from "../lib/progress/summary_store.ts";

/** The paths' step facts and the milestone times the island recomputes weighted progress from. */
function weightedInputsOf(read: UnifiedViewRead): WeightedInputs {
  const stepIds = new Set(read.inputs.paths.flatMap((p) => p.steps.map((s) => s.activityId)));
  const stepFacts: WeightedInputs["stepFacts"] = {};
  const stepInfo: WeightedInputs["stepInfo"] = {};
  for (const id of stepIds) {
    const state = read.inputs.states.get(id);
    const activity = read.inputs.catalog.get(id);
    if (state) stepFacts[id] = activityFactsOf(state);
    if (activity) stepInfo[id] = activityInfoOf(activity);
  }
  const completionTimes: WeightedInputs["completionTimes"] = {};
  for (const n of ACTIVITY_MILESTONES) {
    const at = read.completionTimeAt(n);
    if (at) completionTimes[n] = at;
  }
  return { weights: read.weights, stepFacts, stepInfo, completionTimes };
}

/** `/dashboard`: the student's progress, rendered from projections and kept live by an island. */
export const dashboardPage = new Hono<AppEnv>().get("/", async (c) => {
  const user = pageUser(c);
  if (!user) return redirectToSignIn(c);
  const { kv } = c.get("deps");
  // The cursor is read before the view, so the stream replays anything the view may have missed.
  const liveCursor = await latestNotificationId(kv, user.userId);
  const [read, conflictIds] = await Promise.all([
    readUnifiedView(kv, user.userId),
    openConflictIds(kv, user.userId),
  ]);
  const { view } = read;
  const shownIds = [
    ...view.recentActivities.map((a) => a.activityId),
    ...view.learningPaths.flatMap((p) => p.steps.map((s) => s.activityId)),
  ];
  const titles = Object.fromEntries(
    [...(await getActivities(kv, shownIds)).values()].map((a) => [a.activityId, a.title]),
  );
  return c.html(renderPage(
    <Layout
      title="Dashboard"
      user={{ ...user, openConflictIds: conflictIds, liveCursor }}
      path="/dashboard"
    >
      <div class="page-header">
        <div>
          <h1>Hi, {user.username}</h1>
          <p>Your progress across every learning tool, updated the moment it happens.</p>
        </div>
      </div>
      <Island
        name="conflict_notice"
        component={ConflictNotice}
        props={{ openConflictIds: conflictIds, liveCursor }}
      />
      <Island
        name="live_dashboard"
        component={LiveDashboard}
        props={{
          overallProgress: view.overallProgress,
          recentActivities: view.recentActivities,
          lastSyncTime: view.lastSyncTime,
          renderedAt: new Date().toISOString(),
          liveCursor,
          trackedItems: view.upcomingActivities,
          learningPaths: view.learningPaths,
          weighted: weightedInputsOf(read),
          titles,
        }}
      />
    </Layout>,
  ));
});
