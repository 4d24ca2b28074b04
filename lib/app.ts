import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { authRoutes } from "../routes/api/auth.ts";
import { activityRoutes, itemRoutes, pathRoutes } from "../routes/api/progress_sync/catalog.ts";
import { achievementRoutes } from "../routes/api/progress_sync/achievements.ts";
import { insightRoutes } from "../routes/api/progress_sync/insights.ts";
import { profileRoutes } from "../routes/api/profile.ts";
import { eventRoutes } from "../routes/api/progress_sync/events.ts";
import { liveRoutes } from "../routes/api/progress_sync/live.ts";
import { summaryRoutes } from "../routes/api/progress_sync/summary.ts";
import { conflictRoutes } from "../routes/api/progress_sync/conflicts.ts";
import { learningProgressRoutes } from "../routes/api/v1/learning/progress.ts";
import { tokenRoutes } from "../routes/api/tokens.ts";
import { accountRoutes } from "../routes/api/account.ts";
import { auditRoutes } from "../routes/api/audit.ts";
import { webhookRoutes } from "../routes/api/webhooks.ts";
import { healthRoutes } from "../routes/api/progress_sync/health.ts";
import { repairRoutes } from "../routes/api/progress_sync/repair.ts";
import { pageRoutes } from "../routes/pages.ts";
import { openBadgesRoutes } from "../routes/openbadges.ts";
import { adminRoutes } from "../routes/admin.tsx";
import { xapiRoutes } from "../routes/xapi.ts";
import type { AppDeps, AppDepsInput, AppEnv } from "./http/app_env.ts";
import { createLiveStreamCounter } from "./live/stream_limits.ts";
import { createUrlPolicy } from "./webhooks/url_policy.ts";
import { createRejectionCounter } from "./health/rejection_counter.ts";
import { authenticate } from "./http/auth_middleware.ts";
import { handleError, handleNotFound } from "./http/error_handler.ts";
import { limitBody } from "./http/read_json.ts";
import { limitPathSegments } from "./http/path_limits.ts";
import { responseTimestamps } from "./http/response_timestamps.ts";
import { noStoreForCredentials, securityHeaders } from "./http/security_headers.ts";

/** Builds the whole HTTP app (API, pages, static files) over the given dependencies. */
export function createApp(given: AppDepsInput): Hono<AppEnv> {
  const deps: AppDeps = {
    ...given,
    inboundRejections: given.inboundRejections ?? createRejectionCounter(),
    liveStreams: given.liveStreams ?? createLiveStreamCounter(),
    webhookUrls: given.webhookUrls ??
      createUrlPolicy({ allowPrivate: given.webhookAllowPrivate ?? false }),
  };
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.use("*", securityHeaders());
  app.use("/static/*", serveStatic({ root: "./" }));
  app.use("*", noStoreForCredentials());
  app.use("*", async function provideDeps(c, next) {
    c.set("deps", deps);
    await next();
  });
  app.use("*", limitBody());
  app.use("*", limitPathSegments());
  app.use("*", authenticate());
  app.use("/api/*", responseTimestamps());
  app.route("/api/auth", authRoutes);
  app.route("/api/tokens", tokenRoutes);
  app.route("/api/account", accountRoutes);
  app.route("/api/progress-sync/events", eventRoutes);
  app.route("/api/progress-sync/summary", summaryRoutes);
  app.route("/api/progress-sync/conflicts", conflictRoutes);
  app.route("/api/progress-sync/live", liveRoutes);
  app.route("/api/progress-sync/achievements", achievementRoutes);
  app.route("/api/progress-sync/insights", insightRoutes);
  app.route("/api/profile", profileRoutes);
  app.route("/api/progress-sync/activities", activityRoutes);
  app.route("/api/progress-sync/paths", pathRoutes);
  app.route("/api/progress-sync/items", itemRoutes);
  app.route("/api/v1/learning/progress", learningProgressRoutes);
  app.route("/api/webhooks", webhookRoutes);
  app.route("/api/progress-sync/health", healthRoutes);
  app.route("/api/progress-sync/repair", repairRoutes);
  app.route("/api/audit", auditRoutes);
  app.route("/admin", adminRoutes);
  app.route("/openbadges", openBadgesRoutes);
  app.route("/xapi", xapiRoutes);
  app.route("/", pageRoutes);
  return app;
}
