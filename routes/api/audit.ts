import { Hono } from "hono";
import { z } from "zod";
import { listAudit } from "../../lib/audit/audit_log.ts";
import type { AppEnv } from "../../lib/http/app_env.ts";
import { requireScope } from "../../lib/http/auth_middleware.ts";
import { parseOr400 } from "../../lib/http/validation.ts";
import { responseMeta } from "../../lib/http/response_timestamps.ts";

const querySchema = z.object({
  cursor: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "Must be a cursor this endpoint returned")
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  action: z.string().max(64).optional(),
});

/** `/api/audit` (admin): the audit log, newest first, paged with `cursor`, optionally one `action`. */
export const auditRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    requireScope(c, "admin");
    const query = parseOr400(querySchema, c.req.query(), "query");
    const page = await listAudit(c.get("deps").kv, {
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.action ? { action: query.action } : {}),
    });
    return c.json({ ...page, meta: responseMeta() });
  });
