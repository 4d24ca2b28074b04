import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  type ApiToken,
  createApiToken,
  deleteApiToken,
  existingUserIds,
  listApiTokens,
} from "../../lib/auth/account_store.ts";
import {
  hasScope,
  managesTokens,
  type Principal,
  type Scope,
  SCOPES,
} from "../../lib/auth/principal.ts";
import { actorOf, recordAudit } from "../../lib/audit/audit_log.ts";
import type { AppEnv } from "../../lib/http/app_env.ts";
import { requirePrincipal } from "../../lib/http/auth_middleware.ts";
import { HttpError } from "../../lib/http/http_error.ts";
import { readJson } from "../../lib/http/read_json.ts";
import { parseOr400 } from "../../lib/http/validation.ts";

const createTokenSchema = z.object({
  name: z.string().trim().min(1, "Required").max(80, "Must be at most 80 characters"),
  scopes: z.array(z.enum(SCOPES)).min(1, "Name at least one scope"),
  userId: z.string().max(128).optional(),
});

/** Checks that `principal` may grant `scopes`: students their own data scopes, tokens no more than they hold, only admins `system`/`admin`. */
export function assertMayGrant(principal: Principal, scopes: readonly Scope[]): void {
  for (const scope of scopes) {
    const privileged = scope === "system" || scope === "admin";
    if (privileged && !hasScope(principal, "admin")) {
      throw new HttpError(403, `Only an admin may create a token with scope \`${scope}\``);
    }
    const held = scope === "tokens:manage" ? managesTokens(principal) : hasScope(principal, scope);
    if (!held) {
      throw new HttpError(403, `Cannot grant scope \`${scope}\`: the caller does not hold it`);
    }
  }
}

/** The public view of a token (never its secret). */
export function tokenView(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    userId: token.userId,
    createdAt: token.createdAt,
  };
}

/** The caller, when it may manage tokens: a signed-in session, a `tokens:manage` token or the admin. */
function requireTokenManager(c: Context<AppEnv>): Principal {
  const principal = requirePrincipal(c);
  if (!managesTokens(principal)) {
    throw new HttpError(
      403,
      "Missing scope: managing tokens needs a signed-in session or `tokens:manage`",
    );
  }
  return principal;
}

/** Whose tokens a request manages: the caller's, or with `?userId=` (admin only) a student's. */
async function tokenOwner(c: Context<AppEnv>, principal: Principal): Promise<string> {
  const userId = c.req.query("userId");
  if (userId === undefined || userId === principal.userId) return principal.ownerId;
  if (!hasScope(principal, "admin")) {
    throw new HttpError(403, "Only an admin may manage another student's tokens");
  }
  const found = await existingUserIds(c.get("deps").kv, [userId.slice(0, 128)]);
  if (!found.has(userId)) throw new HttpError(404, "User not found");
  return userId;
}

/**
 * `/api/tokens`: create (secret shown once), list and revoke the caller's API tokens (a session
 * or the admin; the admin also any student's with `?userId=`).
 */
export const tokenRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    const principal = requireTokenManager(c);
    const input = parseOr400(createTokenSchema, await readJson(c), "token request");
    assertMayGrant(principal, input.scopes);
    let userId = principal.userId;
    if (input.userId !== undefined && input.userId !== principal.userId) {
      if (!hasScope(principal, "admin")) {
        throw new HttpError(403, "Only an admin may create a token for another user");
      }
      const found = await existingUserIds(c.get("deps").kv, [input.userId]);
      if (!found.has(input.userId)) throw new HttpError(404, "User not found");
      userId = input.userId;
    }
    const { token, secret } = await createApiToken(c.get("deps").kv, {
      ownerId: principal.ownerId,
      userId,
      name: input.name,
      scopes: input.scopes,
      ...(principal.tokenId ? { parentId: principal.tokenId } : {}),
    });
    await recordAudit(c.get("deps").kv, {
      actor: actorOf(principal),
      action: "token.created",
      target: token.id,
      details: { name: token.name, scopes: token.scopes, userId: token.userId },
    });
    return c.json({ ...tokenView(token), token: secret }, 201);
  })
  .get("/", async (c) => {
    const principal = requireTokenManager(c);
    const owner = await tokenOwner(c, principal);
    const tokens = await listApiTokens(c.get("deps").kv, owner);
    return c.json({ tokens: tokens.map(tokenView) });
  })
  .delete("/:id", async (c) => {
    const principal = requireTokenManager(c);
    const owner = await tokenOwner(c, principal);
    const deleted = await deleteApiToken(c.get("deps").kv, owner, c.req.param("id"));
    if (!deleted) throw new HttpError(404, "Token not found");
    await recordAudit(c.get("deps").kv, {
      actor: actorOf(principal),
      action: "token.deleted",
      target: c.req.param("id"),
      ...(owner === principal.ownerId ? {} : { details: { userId: owner } }),
    });
    return c.body(null, 204);
  });
