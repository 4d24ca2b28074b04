import { Hono } from "hono";
import { Island } from "../components/island.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import LiveDashboard from "../islands/live_dashboard.tsx";
import ConflictNotice from "../islands/conflict_notice.tsx";
import { openConflictIds } from "../lib/conflicts/conflict_store.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { pageUser, redirectToSignIn } from "../lib/http/page_session.ts";
import { getActivities } from "../lib/catalog/catalog_store.ts";
import { latestNotificationId } from "../lib/live/notification_store.ts";
import { getUnifiedView } from "../lib/progress/summary_store.ts";

/** `/dashboard`: the student's progress, rendered from projections and kept live by an island. */
export const dashboardPage = new Hono<AppEnv>().get("/", async (c) => {
  const user = pageUser(c);
  if (!user) return redirectToSignIn(c);
  const { kv } = c.get("deps");
  // The cursor is read before the view, so the stream replays anything the view may have missed.
  const liveCursor = await latestNotificationId(kv, user.userId);
  const [view, conflictIds] = await Promise.all([
    getUnifiedView(kv, user.userId),
    openConflictIds(kv, user.userId),
  ]);
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
      user={{ ...user, openConflicts: conflictIds.length }}
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
          titles,
        }}
      />
    </Layout>,
  ));
});
