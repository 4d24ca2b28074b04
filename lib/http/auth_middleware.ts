import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import {
  type ApiToken,
  findApiTokenByHash,
  getSessionByHash,
  getUser,
} from "../auth/account_store.ts";
import { hasScope, type Principal, type Scope, SESSION_SCOPES } from "../auth/principal.ts";
import { constantTimeEqual, hashSecret } from "../auth/secrets.ts";
import type { AppEnv } from "./app_env.ts";
import { sessionCookieName } from "./cookies.ts";
import { HttpError } from "./http_error.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

async function principalFromBearer(
  c: Context<AppEnv>,
  secret: string,
): Promise<Principal> {
  const { kv, adminToken } = c.get("deps");
  const credentialHash = await hashSecret(secret);
  if (adminToken && constantTimeEqual(credentialHash, await hashSecret(adminToken))) {
    return {
      userId: null,
      ownerId: "admin",
      scopes: ["admin"],
      via: "admin_token",
      credentialHash,
    };
  }
  const token = await findApiTokenByHash(kv, credentialHash);
  if (!token) throw new HttpError(401, "Invalid or revoked API token");
  return {
    userId: token.userId,
    ownerId: tokenManagerId(token),
    scopes: token.scopes,
    via: "token",
    credentialHash,
    tokenId: token.id,
  };
}

/**
 * Whose tokens a token-authenticated caller manages: an admin token the admin's, a student's token
 * the student's, and an integration (`system`) token only its own — never the admin's.
 */
function tokenManagerId(token: ApiToken): string {
  if (token.scopes.includes("admin")) return "admin";
  return token.userId ?? `token:${token.id}`;
}

/** The password of an HTTP Basic header (the xAPI resource takes an API token there), else null. */
export function basicAuthPassword(header: string): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]!), (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  return colon === -1 || colon === decoded.length - 1 ? null : decoded.slice(colon + 1);
}

/** The session cookie's secret, if any. */
export function sessionSecretOf(c: Context<AppEnv>): string | undefined {
  return getCookie(c, sessionCookieName(c));
}

/**
 * Identifies the caller from `Authorization: Bearer` (an API token or `ADMIN_TOKEN`) or the
 * session cookie, and sets `principal` (null when anonymous). A bad bearer token is a 401;
 * a cookie-authenticated write must come from our own origin (403 otherwise).
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const header = c.req.header("authorization");
    let principal: Principal | null = null;
    if (header !== undefined) {
      const basic = c.req.path.startsWith("/xapi/") ? basicAuthPassword(header) : null;
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match && basic === null) {
        throw new HttpError(401, "Authorization header must be `Bearer <token>`");
      }
      principal = await principalFromBearer(c, basic ?? match![1]!);
    } else {
      const secret = sessionSecretOf(c);
      const credentialHash = secret ? await hashSecret(secret) : null;
      const session = credentialHash
        ? await getSessionByHash(c.get("deps").kv, credentialHash)
        : null;
      const user = session ? await getUser(c.get("deps").kv, session.userId) : null;
      if (user && credentialHash) {
        principal = {
          userId: user.userId,
          ownerId: user.userId,
          scopes: SESSION_SCOPES,
          via: "session",
          username: user.username,
          credentialHash,
        };
        if (!SAFE_METHODS.has(c.req.method)) checkSameOrigin(c);
      }
    }
    c.set("principal", principal);
    await next();
  };
}

/**
 * The host this site answers as: `PUBLIC_URL`'s when configured, else the request's `Host`
 * (`X-Forwarded-Host` only with `TRUST_PROXY`).
 */
export function siteHost(c: Context<AppEnv>): string {
  const { publicUrl, trustProxy } = c.get("deps");
  if (publicUrl) return new URL(publicUrl).host;
  const forwarded = trustProxy ? c.req.header("x-forwarded-host") : undefined;
  return forwarded ?? c.req.header("host") ?? new URL(c.req.url).host;
}

function originHostOf(origin: string | undefined): string | null {
  if (!origin) return null;
  return URL.parse(origin)?.host ?? null;
}

/** Rejects a cookie-authenticated write whose `Origin` is not this site (CSRF defence). */
export function checkSameOrigin(c: Context<AppEnv>): void {
  if (originHostOf(c.req.header("origin")) !== siteHost(c)) {
    throw new HttpError(
      403,
      "Cross-origin request refused: a cookie-authenticated write needs a same-origin `Origin` header",
    );
  }
}

/**
 * Guards the JSON sign-in and sign-up API against login CSRF: the body must be declared
 * `application/json` (415; a cross-site page cannot send that without a refused preflight) and
 * an `Origin`, when sent, must be this site (403). Scripts without an `Origin` are fine.
 */
export function checkCredentialPost(c: Context<AppEnv>): void {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, "Send the credentials as JSON (`Content-Type: application/json`)");
  }
  const origin = c.req.header("origin");
  const crossSite = c.req.header("sec-fetch-site") === "cross-site";
  if (crossSite || (origin !== undefined && originHostOf(origin) !== siteHost(c))) {
    throw new HttpError(403, "Cross-origin sign-in refused: sign in from this site's own pages");
  }
}

/** The authenticated caller, or a 401. */
export function requirePrincipal(c: Context<AppEnv>): Principal {
  const principal = c.get("principal");
  if (!principal) {
    throw new HttpError(
      401,
      "Authentication required: send `Authorization: Bearer <token>` or sign in",
    );
  }
  return principal;
}

/** The authenticated caller holding one of `scopes`, or a 401/403. */
export function requireScope(
  c: Context<AppEnv>,
  ...scopes: Scope[]
): Principal {
  const principal = requirePrincipal(c);
  if (!scopes.some((scope) => hasScope(principal, scope))) {
    throw new HttpError(
      403,
      `Missing scope: this needs ${scopes.map((s) => `\`${s}\``).join(" or ")}`,
    );
  }
  return principal;
}
