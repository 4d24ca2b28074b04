import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import { closeAccount } from "../../lib/account/close_account.ts";
import { exportStudent } from "../../lib/account/account_export.ts";
import { getUser, normaliseUsername, type User } from "../../lib/auth/account_store.ts";
import { verifyPassword } from "../../lib/auth/password.ts";
import { hasScope, type Principal } from "../../lib/auth/principal.ts";
import { clearFailures, reserveAttempt, type ThrottleKey } from "../../lib/auth/throttle_store.ts";
import type { AppEnv } from "../../lib/http/app_env.ts";
import { requirePrincipal, requireScope } from "../../lib/http/auth_middleware.ts";
import { clientAddress } from "../../lib/http/client_address.ts";
import { HttpError } from "../../lib/http/http_error.ts";
import { readJson } from "../../lib/http/read_json.ts";
import { parseOr400 } from "../../lib/http/validation.ts";
import { endSession } from "./auth.ts";

const deleteSchema = z.object({ password: z.string().max(200).optional() });

/** The student a request is about: the caller, or with `?userId=` (admin only) that student. */
export async function accountSubject(c: Context<AppEnv>, principal: Principal): Promise<User> {
  const named = c.req.query("userId");
  if (named !== undefined && named !== principal.userId && !hasScope(principal, "admin")) {
    throw new HttpError(403, "Only an admin may act on another student's account");
  }
  const userId = named ?? principal.userId;
  if (!userId) throw new HttpError(400, "Name the student with ?userId=");
  const user = await getUser(c.get("deps").kv, userId.slice(0, 128));
  if (!user) throw new HttpError(404, "User not found");
  return user;
}

/**
 * Checks a student's password before their account is deleted, throttled like sign-in (by
 * address and username): 403 when wrong.
 */
export async function confirmPassword(
  c: Context<AppEnv>,
  user: User,
  password: string,
): Promise<void> {
  const { kv } = c.get("deps");
  const key: ThrottleKey = {
    parts: ["pair", clientAddress(c), normaliseUsername(user.username)],
  };
  await reserveAttempt(kv, [key], {
    nowMs: Date.now(),
    message: "Too many wrong passwords from this address",
  });
  if (!(await verifyPassword(password, user.passwordHash))) {
    throw new HttpError(403, "Wrong password: the account was not deleted");
  }
  await clearFailures(kv, key);
}

/**
 * `/api/account`: a student's data rights. `GET /export` returns everything stored about them;
 * `DELETE /` with `{ "password" }` erases the account and every record of it. The admin does both
 * for any student with `?userId=` (no password).
 */
export const accountRoutes = new Hono<AppEnv>()
  .get("/export", async (c) => {
    const principal = requireScope(c, "progress:read");
    const user = await accountSubject(c, principal);
    const data = await exportStudent(c.get("deps").kv, user);
    c.header(
      "Content-Disposition",
      `attachment; filename="progress-sync-${user.username.replace(/[^\w.-]/g, "_")}.json"`,
    );
    return c.json(data);
  })
  .delete("/", async (c) => {
    const principal = requirePrincipal(c);
    const user = await accountSubject(c, principal);
    const admin = hasScope(principal, "admin");
    if (!admin) {
      const { password } = parseOr400(deleteSchema, await readJson(c), "account deletion");
      if (!password) {
        throw new HttpError(400, "Send your password to delete your account", {
          details: { issues: [{ path: "password", message: "Required" }] },
        });
      }
      await confirmPassword(c, user, password);
    }
    const erased = await closeAccount(c.get("deps"), user, { by: admin ? "admin" : "student" });
    if (principal.via === "session") await endSession(c);
    return c.json({ deleted: true, erasedRecords: erased });
  });
