import { Hono } from "hono";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { getUnifiedView } from "../../../lib/progress/summary_store.ts";
import { setLastUpdatedAt } from "../../../lib/http/response_timestamps.ts";

/** `/api/progress-sync/summary`: the caller's `UnifiedProgressView`, read from projections. */
export const summaryRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const userId = await subjectUserId(c, principal);
    const view = await getUnifiedView(c.get("deps").kv, userId);
    setLastUpdatedAt(c, view.lastSyncTime);
    return c.json(view);
  });
