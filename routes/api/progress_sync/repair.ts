import { Hono } from "hono";
import { z } from "zod";
import { actorOf, recordAudit } from "../../../lib/audit/audit_log.ts";
import { existingUserIds } from "../../../lib/auth/account_store.ts";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { HttpError } from "../../../lib/http/http_error.ts";
import { readJson } from "../../../lib/http/read_json.ts";
import { parseOr400 } from "../../../lib/http/validation.ts";
import { checkConsistency } from "../../../lib/repair/consistency.ts";
import { INCONSISTENCY_TYPES } from "../../../lib/repair/consistency_diff.ts";

const repairSchema = z.object({
  inconsistencyTypes: z.array(z.enum([...INCONSISTENCY_TYPES, "all"])).min(
    1,
    'Name at least one type (or "all")',
  ).default(["all"]),
  autoRepair: z.boolean().default(true),
  dryRun: z.boolean().default(false),
  userId: z.string().min(1).max(128).optional(),
});

/**
 * `/api/progress-sync/repair` (admin): recomputes projections from the log for one student or
 * all, reports each difference, and fixes them unless `dryRun` is true or `autoRepair` false.
 */
export const repairRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const principal = requireScope(c, "admin");
    const input = parseOr400(repairSchema, await readJson(c), "repair request");
    const { kv, processor } = c.get("deps");
    if (input.userId !== undefined) {
      const found = await existingUserIds(kv, [input.userId]);
      if (!found.has(input.userId)) throw new HttpError(404, "User not found");
    }
    const types = input.inconsistencyTypes.includes("all")
      ? [...INCONSISTENCY_TYPES]
      : input.inconsistencyTypes.filter((t) => t !== "all");
    const repair = !input.dryRun && input.autoRepair;
    const report = await checkConsistency(kv, {
      types: types as (typeof INCONSISTENCY_TYPES)[number][],
      repair,
      ...(input.userId !== undefined ? { userId: input.userId } : {}),
      reschedule: (userId) => processor.schedule(userId),
    });
    await recordAudit(kv, {
      actor: actorOf(principal),
      action: "repair.run",
      target: input.userId ?? null,
      details: {
        dryRun: report.dryRun,
        inconsistencyTypes: types,
        counts: report.counts,
        repaired: report.repaired,
      },
    });
    return c.json({ ...report, meta: { timestamp: report.finishedAt } });
  });
