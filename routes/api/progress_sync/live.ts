import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { credentialAlive, credentialWatch } from "../../../lib/auth/credential_check.ts";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { HttpError } from "../../../lib/http/http_error.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { streamNotifications } from "../../../lib/live/live_stream.ts";
import { MAX_STREAMS_PER_STUDENT } from "../../../lib/live/stream_limits.ts";

/**
 * `/api/progress-sync/live`: Server-Sent Events for the caller (`progress_update`,
 * `achievement_earned`, `conflict_detected`); ends with the caller's credential, at most
 * `MAX_STREAMS_PER_STUDENT` open per student (429 beyond).
 */
export const liveRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const userId = await subjectUserId(c, principal);
    const deps = c.get("deps");
    const release = deps.liveStreams.open(userId);
    if (!release) {
      c.header("Retry-After", "30");
      throw new HttpError(
        429,
        `Too many live streams: a student may have ${MAX_STREAMS_PER_STUDENT} open at once`,
      );
    }
    const lastEventId = c.req.header("last-event-id") ?? c.req.query("lastEventId") ?? null;
    const response = streamSSE(c, async (stream) => {
      try {
        await streamNotifications(stream, deps.kv, userId, {
          lastEventId,
          alive: () => credentialAlive(deps, principal),
          credential: credentialWatch(principal),
          shutdown: deps.shutdown,
        });
      } finally {
        release();
      }
    });
    response.headers.set("Cache-Control", "no-cache, no-transform");
    response.headers.set("X-Accel-Buffering", "no");
    return response;
  });
