import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { invalidInput, parseOr400 } from "../../../lib/http/validation.ts";
import {
  type InsightsData,
  insightsFrom,
  patternsFrom,
  readInsightsData,
} from "../../../lib/insights/insights_store.ts";

const day = z.iso.date({ message: "Must be a date (YYYY-MM-DD) or an ISO 8601 date-time" });
const bound = day.or(z.iso.datetime({ offset: true })).optional();

const querySchema = z.object({ from: bound, to: bound, userId: z.string().optional() });

/** Reads the student's data for the queried range (400 on an invalid or over-long range). */
async function read(c: Context<AppEnv>): Promise<{ userId: string; data: InsightsData }> {
  const principal = requireScope(c, "progress:read", "system");
  const query = parseOr400(querySchema, c.req.query(), "query");
  const userId = await subjectUserId(c, principal);
  const data = await readInsightsData(c.get("deps").kv, userId, query);
  if ("error" in data) throw invalidInput("query", [{ path: "from", message: data.error }]);
  c.header("X-Events-Scanned", String(data.scanned));
  return { userId, data };
}

/**
 * `/api/progress-sync/insights?from=&to=`: time spent, completion rate, skills and path estimates
 * over a range of days in the student's time zone (default the last 30; at most 366), and
 * `/patterns` over the same range.
 */
export const insightRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { userId, data } = await read(c);
    return c.json({ userId, ...insightsFrom(data) });
  })
  .get("/patterns", async (c) => {
    const { userId, data } = await read(c);
    return c.json({ userId, ...patternsFrom(data) });
  });
