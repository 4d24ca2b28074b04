import { Hono } from "hono";
import { buildHealthReport } from "../../../lib/health/health_report.ts";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";

/** `/api/progress-sync/health` (admin): outbox, processing, webhooks, per-system sync status, consistency, alerts. */
export const healthRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    requireScope(c, "admin");
    const { kv, processor, deliveries } = c.get("deps");
    const report = await buildHealthReport(kv, { processor, deliveries });
    return c.json({ ...report, meta: { timestamp: report.generatedAt } });
  });
