import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { authRoutes } from "./api/auth.ts";
import { activityRoutes, itemRoutes, pathRoutes } from "./api/progress_sync/catalog.ts";
import { achievementRoutes } from "./api/progress_sync/achievements.ts";
import { insightRoutes } from "./api/progress_sync/insights.ts";
import { profileRoutes } from "./api/profile.ts";
import { eventRoutes } from "./api/progress_sync/events.ts";
import { liveRoutes } from "./api/progress_sync/live.ts";
import { summaryRoutes } from "./api/progress_sync/summary.ts";
import { conflictRoutes } from "./api/progress_sync/conflicts.ts";
import { learningProgressRoutes } from "./api/v1/learning/progress.ts";
import { tokenRoutes } from "./api/tokens.ts";
import { accountRoutes } from "./api/account.ts";
import { auditRoutes } from "./api/audit.ts";
import { webhookRoutes } from "./api/webhooks.ts";
import { healthRoutes } from "./api/progress_sync/health.ts";
import { repairRoutes } from "./api/progress_sync/repair.ts";
import { pageRoutes } from "./pages.ts";
import { openBadgesRoutes } from "./openbadges.ts";
import { adminRoutes } from "./admin.tsx";
import { xapiRoutes } from "./xapi.ts";
import type { AppDeps, AppDepsInput, AppEnv } from "../lib/http/app_env.ts";
import { createLiveStreamCounter } from "../lib/live/stream_limits.ts";
import { createUrlPolicy } from "../lib/webhooks/url_policy.ts";
import { createRejectionCounter } from "../lib/health/rejection_counter.ts";
import { authenticate } from "../lib/http/auth_middleware.ts";
import { handleError, handleNotFound } from "./_error_handler.ts";
import { limitBody } from "../lib/http/read_json.ts";
import { limitPathSegments } from "../lib/http/path_limits.ts";
import { responseTimestamps } from "../lib/http/response_timestamps.ts";
import { noStoreForCredentials, securityHeaders } from "../lib/http/security_headers.ts";

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
