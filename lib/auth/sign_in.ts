import { z } from "zod";
import { ConflictError, UnauthorizedError } from "../errors.ts";
import {
  createSession,
  createUser,
  getUserByUsername,
  normaliseUsername,
  type User,
} from "./account_store.ts";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "./password.ts";
import {
  clearFailures,
  refundAttempt,
  reserveAttempt,
  type ThrottleKey,
} from "./throttle_store.ts";

/** Failed sign-ins one address may make (any usernames) before its attempts are spaced out. */
export const ADDRESS_FREE_FAILURES = 20;

/** Sign-up and sign-in credentials. */
export const credentialsSchema = z.object({
  username: z.string().trim().min(3, "Must be at least 3 characters").max(
    40,
    "Must be at most 40 characters",
  ).regex(/^[A-Za-z0-9._-]+$/, "May contain only letters, digits and . _ -"),
  password: z.string().min(8, "Must be at least 8 characters").max(
    200,
    "Must be at most 200 characters",
  ),
});

/** Sign-in input: any non-empty username and password (rules are checked at sign-up). */
export const signInSchema = z.object({
  username: z.string().trim().min(1, "Required").max(200),
  password: z.string().min(1, "Required").max(200),
});

/** Validated credentials. */
export type Credentials = z.output<typeof credentialsSchema>;

/** Registers a student; 409 when the username is taken. */
export async function registerUser(kv: Deno.Kv, input: Credentials): Promise<User> {
  const user = await createUser(kv, {
    username: input.username,
    passwordHash: await hashPassword(input.password),
  });
  if (!user) {
    throw new ConflictError(`Username "${input.username}" is already taken`);
  }
  return user;
}

/**
 * Checks credentials and starts a session, returning the user and the cookie secret.
 * 401 on bad credentials (same answer whether or not the user exists). Failures are throttled
 * by (client address, username) and by address alone with growing delays (429 with
 * `retryAfterSeconds`), never by username alone, so nobody elsewhere can lock the owner out.
 * The attempt is counted before the password is checked, so concurrent guesses cannot slip past.
 */
export async function signIn(
  kv: Deno.Kv,
  input: { username: string; password: string },
  options: { address: string; nowMs?: number },
): Promise<{ user: User; sessionSecret: string }> {
  const pair: ThrottleKey = { parts: ["pair", options.address, normaliseUsername(input.username)] };
  const address: ThrottleKey = { parts: ["address", options.address], free: ADDRESS_FREE_FAILURES };
  await reserveAttempt(kv, [pair, address], {
    nowMs: options.nowMs ?? Date.now(),
    message: "Too many failed sign-ins from this address",
  });
  const user = await getUserByUsername(kv, input.username);
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !ok) throw new UnauthorizedError("Wrong username or password");
  await clearFailures(kv, pair);
  await refundAttempt(kv, address);
  return { user, sessionSecret: await createSession(kv, user.userId) };
}
