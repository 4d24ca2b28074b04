import { newUlid } from "../ids.ts";
import { ConflictError } from "../errors.ts";
import {
  apiTokenByOwnerKey,
  apiTokenKey,
  apiTokensByOwnerPrefix,
  apiTokensVersionKey,
  sessionKey,
  userByUsernameKey,
  userKey,
} from "../kv_keys.ts";
import { commitWithRetry } from "../kv_commit.ts";
import { getManyBatched, getValuesById } from "../kv_batch_reader.ts";
import type { Scope } from "./principal.ts";
import { hashSecret, newSecret } from "./secrets.ts";

/** A student account. */
export interface User {
  userId: string;
  username: string;
  passwordHash: string;
  createdAt: string;
  /** IANA time zone streaks and days are counted in (default `UTC`). */
  timeZone?: string;
}

/** A browser session. */
export interface Session {
  userId: string;
  createdAt: string;
  expiresAt: string;
}

/** An API token as stored (the secret is only its hash, the key). */
export interface ApiToken {
  id: string;
  ownerId: string;
  /** The student the token acts as; null for tokens owned by the admin. */
  userId: string | null;
  name: string;
  scopes: Scope[];
  createdAt: string;
  /** The token that created this one (revoking it revokes this one too); absent when made by a session or the admin. */
  parentId?: string;
}

/** How long a session lasts. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Usernames compare case-insensitively. */
export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Creates a user unless the username is taken (then null); atomic, so two racing sign-ups cannot both win. */
export async function createUser(
  kv: Deno.Kv,
  input: { username: string; passwordHash: string },
): Promise<User | null> {
  const user: User = {
    userId: newUlid(),
    username: input.username.trim(),
    passwordHash: input.passwordHash,
    createdAt: new Date().toISOString(),
  };
  const indexKey = userByUsernameKey(normaliseUsername(input.username));
  const result = await kv.atomic()
    .check({ key: indexKey, versionstamp: null })
    .set(indexKey, user.userId)
    .set(userKey(user.userId), user)
    .commit();
  return result.ok ? user : null;
}

/** Reads a user by id, or null. */
export async function getUser(kv: Deno.Kv, userId: string): Promise<User | null> {
  return (await kv.get<User>(userKey(userId))).value;
}

/** Sets a user's time zone; false when there is no such user. */
export async function setUserTimeZone(
  kv: Deno.Kv,
  userId: string,
  timeZone: string,
): Promise<boolean> {
  return await commitWithRetry(async () => {
    const entry = await kv.get<User>(userKey(userId));
    if (!entry.value) return { value: false };
    return {
      value: true,
      op: kv.atomic().check(entry).set(entry.key, { ...entry.value, timeZone }),
    };
  }, { what: "update the profile" });
}

/** Reads which of `userIds` exist. */
export async function existingUserIds(
  kv: Deno.Kv,
  userIds: readonly string[],
): Promise<Set<string>> {
  return new Set((await getValuesById<User>(kv, userIds, userKey)).keys());
}

/** Reads a user by username (case-insensitive), or null. */
export async function getUserByUsername(
  kv: Deno.Kv,
  username: string,
): Promise<User | null> {
  const id = await kv.get<string>(userByUsernameKey(normaliseUsername(username)));
  return id.value ? getUser(kv, id.value) : null;
}

/** Starts a session for a user; returns the secret for the cookie (stored only hashed). */
export async function createSession(
  kv: Deno.Kv,
  userId: string,
  options: { ttlMs?: number } = {},
): Promise<string> {
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
  const secret = newSecret("s_");
  const now = Date.now();
  const session: Session = {
    userId,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ttlMs).toISOString(),
  };
  await kv.set(sessionKey(await hashSecret(secret)), session, { expireIn: ttlMs });
  return secret;
}

/** The live session stored under a secret's hash, or null when unknown or expired. */
export async function getSessionByHash(kv: Deno.Kv, hash: string): Promise<Session | null> {
  const session = (await kv.get<Session>(sessionKey(hash))).value;
  if (!session || Date.parse(session.expiresAt) <= Date.now()) return null;
  return session;
}

/** Ends a session. */
export async function deleteSession(kv: Deno.Kv, secret: string): Promise<void> {
  await kv.delete(sessionKey(await hashSecret(secret)));
}

/** Most API tokens one principal (a student, the admin) may hold at once. */
export const MAX_TOKENS_PER_OWNER = 50;

/**
 * Creates an API token; returns its record and the secret, which is shown once and stored only
 * hashed. 409 when the owner already holds `MAX_TOKENS_PER_OWNER` (checked atomically).
 */
export async function createApiToken(
  kv: Deno.Kv,
  input: {
    ownerId: string;
    userId: string | null;
    name: string;
    scopes: Scope[];
    parentId?: string;
  },
): Promise<{ token: ApiToken; secret: string }> {
  const secret = newSecret("ps_");
  const hash = await hashSecret(secret);
  const token: ApiToken = {
    id: newUlid(),
    ownerId: input.ownerId,
    userId: input.userId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    createdAt: new Date().toISOString(),
    ...(input.parentId ? { parentId: input.parentId } : {}),
  };
  const versionKey = apiTokensVersionKey(input.ownerId);
  // Every concurrent creation of one owner but one retries: a burst of them takes as many rounds.
  return await commitWithRetry(async () => {
    const version = await kv.get(versionKey);
    let held = 0;
    for await (const _ of kv.list({ prefix: apiTokensByOwnerPrefix(input.ownerId) })) held++;
    if (held >= MAX_TOKENS_PER_OWNER) {
      throw new ConflictError(
        `Token limit reached: at most ${MAX_TOKENS_PER_OWNER} API tokens at once; revoke one first`,
      );
    }
    const op = kv.atomic()
      .check(version)
      .check({ key: apiTokenKey(hash), versionstamp: null })
      .set(versionKey, token.id)
      .set(apiTokenKey(hash), token)
      .set(apiTokenByOwnerKey(input.ownerId, token.id), hash);
    return { value: { token, secret }, op };
  }, { what: "create the token" });
}

/** The token for a bearer secret, or null. */
export async function findApiToken(
  kv: Deno.Kv,
  secret: string,
): Promise<ApiToken | null> {
  return findApiTokenByHash(kv, await hashSecret(secret));
}

/** The token stored under a secret's hash, or null (revoked or never made). */
export async function findApiTokenByHash(kv: Deno.Kv, hash: string): Promise<ApiToken | null> {
  return (await kv.get<ApiToken>(apiTokenKey(hash))).value;
}

/** Lists a principal's tokens, oldest first. */
export async function listApiTokens(
  kv: Deno.Kv,
  ownerId: string,
): Promise<ApiToken[]> {
  const hashes: string[] = [];
  for await (
    const entry of kv.list<string>({ prefix: apiTokensByOwnerPrefix(ownerId) })
  ) hashes.push(entry.value);
  const entries = await getManyBatched<ApiToken>(kv, hashes.map(apiTokenKey));
  return entries.flatMap((e) => e.value ? [e.value] : []);
}

/**
 * Revokes one of a principal's tokens and every token it made (and they made), in one commit;
 * false when it has no such token.
 */
export async function deleteApiToken(
  kv: Deno.Kv,
  ownerId: string,
  tokenId: string,
): Promise<boolean> {
  const index = await kv.get<string>(apiTokenByOwnerKey(ownerId, tokenId));
  if (!index.value) return false;
  const revoked = new Set([tokenId]);
  const tokens = await listApiTokens(kv, ownerId);
  for (let grew = true; grew;) {
    grew = false;
    for (const t of tokens) {
      if (t.parentId && revoked.has(t.parentId) && !revoked.has(t.id)) {
        revoked.add(t.id);
        grew = true;
      }
    }
  }
  const hashes = new Map<string, string>([[tokenId, index.value]]);
  for (const id of revoked) {
    if (hashes.has(id)) continue;
    const entry = await kv.get<string>(apiTokenByOwnerKey(ownerId, id));
    if (entry.value) hashes.set(id, entry.value);
  }
  const op = kv.atomic().check(index);
  for (const [id, hash] of hashes) {
    op.delete(apiTokenKey(hash)).delete(apiTokenByOwnerKey(ownerId, id));
  }
  await op.commit();
  return true;
}
