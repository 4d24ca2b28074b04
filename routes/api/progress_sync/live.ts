import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { streamNotifications } from "../../../lib/live/live_stream.ts";

/** `/api/progress-sync/live`: Server-Sent Events for the caller (`progress_update`, `achievement_earned`, `conflict_detected`). */
export const liveRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const userId = await subjectUserId(c, principal);
    const lastEventId = c.req.header("last-event-id") ?? c.req.query("lastEventId") ?? null;
    const response = streamSSE(
      c,
      (stream) =>
        streamNotifications(stream, c.get("deps").kv, userId, {
          lastEventId,
          shutdown: c.get("deps").shutdown,
        }),
    );
    response.headers.set("Cache-Control", "no-cache, no-transform");
    response.headers.set("X-Accel-Buffering", "no");
    return response;
  });
