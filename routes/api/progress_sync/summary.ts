import { Hono } from "hono";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { getUnifiedView } from "../../../lib/progress/summary_store.ts";

/** `/api/progress-sync/summary`: the caller's `UnifiedProgressView`, read from projections. */
export const summaryRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const userId = await subjectUserId(c, principal);
    return c.json(await getUnifiedView(c.get("deps").kv, userId));
  });
