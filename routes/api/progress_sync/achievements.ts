import { Hono } from "hono";
import { z } from "zod";
import { listAwards, listPublicAwards } from "../../../lib/achievements/achievement_store.ts";
import { setAwardPublic } from "../../../lib/achievements/achievement_sharing.ts";
import { shareUrls } from "../../../lib/achievements/open_badges.ts";
import type { AppEnv } from "../../../lib/http/app_env.ts";
import { requireScope } from "../../../lib/http/auth_middleware.ts";
import { HttpError } from "../../../lib/http/http_error.ts";
import { readJson } from "../../../lib/http/read_json.ts";
import { subjectUserId } from "../../../lib/http/subject_user.ts";
import { parseOr400 } from "../../../lib/http/validation.ts";
import { publicOrigin } from "../../../lib/http/public_origin.ts";

const TYPES = ["completion", "streak", "speed", "consistency", "milestone"] as const;

const querySchema = z.object({
  type: z.union([z.string(), z.array(z.string())]).optional().transform((v, ctx) => {
    const types = (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((t) => t.split(","))
      .filter(Boolean);
    for (const t of types) {
      if (!(TYPES as readonly string[]).includes(t)) {
        ctx.addIssue({ code: "custom", message: `Unknown type "${t}": use ${TYPES.join(", ")}` });
      }
    }
    return types;
  }),
  startDate: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  endDate: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  includePublic: z.enum(["true", "false"]).optional(),
  userId: z.string().optional(),
});

/** `/api/progress-sync/achievements`: the caller's achievements (filters of seed 000) and sharing (answers the public link and Open Badges assertion). */
export const achievementRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read", "system");
    const query = parseOr400(querySchema, c.req.queries() ? flatten(c.req.queries()) : {}, "query");
    const userId = await subjectUserId(c, principal);
    const { kv } = c.get("deps");
    const start = query.startDate ? new Date(query.startDate).toISOString() : null;
    const end = query.endDate
      ? new Date(query.endDate.length === 10 ? `${query.endDate}T23:59:59.999Z` : query.endDate)
        .toISOString()
      : null;
    const matches = (a: { type: string; earnedAt: string }) =>
      (query.type.length === 0 || query.type.includes(a.type)) &&
      (start === null || a.earnedAt >= start) && (end === null || a.earnedAt <= end);
    const achievements = (await listAwards(kv, userId)).filter(matches);
    if (query.includePublic !== "true") return c.json({ achievements });
    const others = (await listPublicAwards(kv, { excludeUserId: userId })).filter(matches);
    const urls = shareUrls(publicOrigin(c));
    return c.json({
      achievements,
      public: others.map((a) => ({ ...a, shareUrl: urls.sharedPage(a.shareId) })),
    });
  })
  .put("/:achievementId/public", async (c) => {
    const principal = requireScope(c, "events:write");
    const input = parseOr400(z.object({ public: z.boolean() }), await readJson(c), "request");
    const result = principal.userId
      ? await setAwardPublic(c.get("deps").kv, {
        userId: principal.userId,
        achievementId: c.req.param("achievementId"),
        isPublic: input.public,
      })
      : null;
    if (!result) throw new HttpError(404, "Achievement not earned");
    const urls = shareUrls(publicOrigin(c));
    const { award, shareId } = result;
    return c.json({
      ...award,
      shareUrl: shareId && urls.sharedPage(shareId),
      assertionUrl: shareId && urls.assertion(shareId),
    });
  });

/** Hono's multi-value query as plain values (single values unwrapped). */
function flatten(queries: Record<string, string[]>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(queries).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]),
  );
}
