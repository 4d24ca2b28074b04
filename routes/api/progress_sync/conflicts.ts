import { Hono } from "hono";
import { z } from "zod";
import { CONFLICT_IMPACTS, CONFLICT_TYPES } from "../../../lib/core/conflict.ts";
import { getConflict, listConflicts } from "../../../lib/conflicts/conflict_store.ts";
import { resolveConflict } from "../../../lib/conflicts/resolve_conflict.ts";
import {
  COMPLETION_STATUSES,
  instantSchema,
  MAX_ID_LENGTH,
  RESOLUTION_TYPES,
} from "../../../lib/core/event_schema.ts";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { HttpError } from "../../../lib/http/http_error.ts";
import { readJson } from "../../../lib/http/read_json.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { parseOr400 } from "../../../lib/http/validation.ts";

const listQuerySchema = z.object({
  status: z.enum(["unresolved", "resolved", "all"]).default("unresolved"),
  impact: z.enum(CONFLICT_IMPACTS).optional(),
  conflictType: z.enum(CONFLICT_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  userId: z.string().optional(),
});

/** The body of `POST /conflicts/:id/resolve` (seed 000's `ResolveConflictBody`). */
export const resolveBodySchema = z.object({
  resolutionType: z.enum(RESOLUTION_TYPES),
  userData: z.object({
    eventId: z.string().min(1).max(MAX_ID_LENGTH + 32).optional(),
    status: z.enum(COMPLETION_STATUSES).optional(),
    completedAt: instantSchema.nullable().optional(),
    percentComplete: z.number().finite().min(0).max(100).optional(),
  }).strict().optional(),
});

/**
 * `/api/progress-sync/conflicts`: the caller's conflicts (`?userId=` for system callers), filtered
 * by `status` (default `unresolved`), `impact` and `conflictType`; one conflict; and resolving one.
 */
export const conflictRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const query = parseOr400(listQuerySchema, c.req.query(), "query");
    const userId = await subjectUserId(c, principal);
    const conflicts = await listConflicts(c.get("deps").kv, userId, {
      status: query.status,
      limit: query.limit,
      ...(query.impact ? { impact: query.impact } : {}),
      ...(query.conflictType ? { conflictType: query.conflictType } : {}),
    });
    return c.json({ conflicts });
  })
  .get("/:id", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const userId = await subjectUserId(c, principal);
    const conflict = await getConflict(c.get("deps").kv, userId, c.req.param("id"));
    if (!conflict) throw new HttpError(404, "Conflict not found");
    return c.json(conflict);
  })
  .post("/:id/resolve", async (c) => {
    const principal = requireScope(c, "events:write", "system");
    const userId = await subjectUserId(c, principal);
    const body = parseOr400(resolveBodySchema, await readJson(c), "resolution");
    const result = await resolveConflict(
      c.get("deps"),
      userId,
      c.req.param("id"),
      body,
      principal.userId === userId ? "student" : "system",
    );
    return c.json(result, result.processed ? 200 : 202);
  });
