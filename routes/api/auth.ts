import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { Context } from "hono";
import { deleteSession, SESSION_TTL_MS } from "../../lib/auth/account_store.ts";
import { credentialsSchema, registerUser, signIn, signInSchema } from "../../lib/auth/sign_in.ts";
import type { AppEnv } from "../../lib/http/app_env.ts";
import {
  checkCredentialPost,
  checkSameOrigin,
  sessionSecretOf,
} from "../../lib/http/auth_middleware.ts";
import { servedOverHttps, sessionCookieName } from "../../lib/http/cookies.ts";
import { clientAddress } from "../../lib/http/client_address.ts";
import { readJson } from "../../lib/http/read_json.ts";
import { parseOr400 } from "../../lib/http/validation.ts";

/** Sets the HttpOnly session cookie (`__Host-` and Secure when the site is served over https). */
export function setSessionCookie(c: Context<AppEnv>, secret: string): void {
  setCookie(c, sessionCookieName(c), secret, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure: servedOverHttps(c),
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

/** Ends the caller's session (if any) and clears the cookie. */
export async function endSession(c: Context<AppEnv>): Promise<void> {
  const secret = sessionSecretOf(c);
  if (secret) {
    checkSameOrigin(c);
    await deleteSession(c.get("deps").kv, secret);
  }
  deleteCookie(c, sessionCookieName(c), { path: "/", secure: servedOverHttps(c) });
}

/** `/api/auth`: register, login (session cookie) and logout. */
export const authRoutes = new Hono<AppEnv>()
  .post("/register", async (c) => {
    checkCredentialPost(c);
    const input = parseOr400(credentialsSchema, await readJson(c), "registration");
    const user = await registerUser(c.get("deps").kv, input);
    return c.json({ userId: user.userId, username: user.username }, 201);
  })
  .post("/login", async (c) => {
    checkCredentialPost(c);
    const input = parseOr400(signInSchema, await readJson(c), "sign-in");
    const { user, sessionSecret } = await signIn(c.get("deps").kv, input, {
      address: clientAddress(c),
    });
    setSessionCookie(c, sessionSecret);
    return c.json({ userId: user.userId });
  })
  .post("/logout", async (c) => {
    await endSession(c);
    return c.json({ ok: true });
  });
