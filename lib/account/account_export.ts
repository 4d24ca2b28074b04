import { normaliseUsername, type User } from "../auth/account_store.ts";
import {
  achievementsPrefix,
  activityStatesPrefix,
  apiTokensByOwnerPrefix,
  apiTokensVersionKey,
  clientEventKey,
  conflictsPrefix,
  eventsPrefix,
  itemKey,
  itemStateKey,
  sessionKey,
  summaryKey,
  TABLES,
  userByUsernameKey,
  userKey,
} from "../kv_keys.ts";
import { mentions } from "./account_erasure.ts";

/** Tables exported under their own name; every other record goes to `otherRecords` by table. */
const NAMED = {
  events: eventsPrefix()[0],
  learningEvents: clientEventKey("", "")[0],
  states: activityStatesPrefix("")[0],
  summary: summaryKey("")[0],
  achievements: achievementsPrefix("")[0],
  conflicts: conflictsPrefix("")[0],
  items: itemKey("")[0],
  itemStates: itemStateKey("", "")[0],
};

/** Tables that hold only secrets' hashes or bookkeeping (the account is exported on its own). */
const SKIPPED = new Set([
  apiTokensByOwnerPrefix("")[0],
  apiTokensVersionKey("")[0],
  userKey("")[0],
  userByUsernameKey("")[0],
]);
const SESSIONS = sessionKey("")[0];

/** Everything stored about a student, as `GET /api/account/export` returns it. */
export interface AccountExport {
  exportedAt: string;
  account: { userId: string; username: string; createdAt: string; timeZone: string };
  tokens: { id: string; name: string; scopes: string[]; createdAt: string }[];
  sessions: { createdAt: string; expiresAt: string }[];
  events: unknown[];
  learningEvents: unknown[];
  states: unknown[];
  summary: unknown[];
  achievements: unknown[];
  conflicts: unknown[];
  items: unknown[];
  itemStates: unknown[];
  /** Every other record that names the student (indexes, live messages, audit entries, webhook deliveries…), by table. */
  otherRecords: Record<string, unknown[]>;
}

/**
 * Collects everything stored about a student: the records an erasure would delete (so the two
 * cannot drift apart), without secrets (no password hash, no token or session hashes).
 */
export async function exportStudent(
  kv: Deno.Kv,
  user: User,
  now = new Date(),
): Promise<AccountExport> {
  const out: AccountExport = {
    exportedAt: now.toISOString(),
    account: {
      userId: user.userId,
      username: user.username,
      createdAt: user.createdAt,
      timeZone: user.timeZone ?? "UTC",
    },
    tokens: [],
    sessions: [],
    events: [],
    learningEvents: [],
    states: [],
    summary: [],
    achievements: [],
    conflicts: [],
    items: [],
    itemStates: [],
    otherRecords: {},
  };
  const named = new Map<unknown, keyof typeof NAMED>(
    Object.entries(NAMED).map(([field, table]) => [table, field as keyof typeof NAMED]),
  );
  const username = normaliseUsername(user.username);
  for await (const entry of kv.list({ prefix: [] })) {
    const table = String(entry.key[0]);
    if (SKIPPED.has(entry.key[0]) || !mentions(entry, user, username)) continue;
    if (table === TABLES.apiTokens) {
      const { id, name, scopes, createdAt } = entry.value as AccountExport["tokens"][number];
      out.tokens.push({ id, name, scopes, createdAt });
    } else if (table === SESSIONS) {
      const { createdAt, expiresAt } = entry.value as AccountExport["sessions"][number];
      out.sessions.push({ createdAt, expiresAt });
    } else if (named.has(table)) {
      out[named.get(table)!].push(entry.value);
    } else if (entry.value instanceof Deno.KvU64 || entry.value === null) {
      continue;
    } else {
      (out.otherRecords[table] ??= []).push(entry.value);
    }
  }
  return out;
}
