import { normaliseUsername, type User } from "../auth/account_store.ts";
import { apiTokenByOwnerKey, TABLES, xapiStatementByStoredKey, xapiVoidedKey } from "../kv_keys.ts";
import type { StatementRecord } from "../xapi/statement_store.ts";

/** Mutations per erasure commit (KV allows 1,000). */
const BATCH = 500;

/** JSON of a value, or "" for values JSON cannot hold (`KvU64` counters, bytes). */
export function jsonOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return ""; // KvU64 counters and bytes: figures, never a student's data.
  }
}

async function deleteAll(kv: Deno.Kv, keys: readonly Deno.KvKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += BATCH) {
    const op = kv.atomic();
    for (const key of keys.slice(i, i + BATCH)) op.delete(key);
    await op.commit();
  }
}

/** Whether any xAPI agent in `value` (actor, authority, context, sub-statement) has the student's account name. */
function namesAccount(value: unknown, username: string): boolean {
  if (Array.isArray(value)) return value.some((v) => namesAccount(v, username));
  if (typeof value !== "object" || value === null) return false;
  const account = (value as { account?: { name?: unknown } }).account;
  if (typeof account?.name === "string" && normaliseUsername(account.name) === username) {
    return true;
  }
  return Object.values(value).some((v) => namesAccount(v, username));
}

/**
 * Whether an entry belongs to (or mentions) the student: their id anywhere, their name where
 * names are keys, and xAPI statements naming their account.
 */
export function mentions(entry: Deno.KvEntry<unknown>, user: User, username: string): boolean {
  if (entry.key.includes(user.userId)) return true;
  if (entry.key[0] === TABLES.xapiStatements) {
    return namesAccount((entry.value as StatementRecord).statement, username);
  }
  const table = entry.key[0];
  if (
    (table === TABLES.usersByUsername || table === TABLES.signInFailures) &&
    entry.key.includes(username)
  ) return true;
  return jsonOf(entry.value).includes(`"${user.userId}"`);
}

/**
 * Erases a student from KV: every entry whose key names them, whose value mentions their id
 * (events, projections, items, sessions, tokens, shares, webhook deliveries, their audit
 * entries), keyed by their username, or xAPI statements naming their account (with their
 * stored-order and voided entries), then the indexes that pointed at deleted tokens and
 * webhook deliveries. Scans the whole store (an erasure is rare; correctness beats speed) and
 * repeats until a pass finds nothing, so records written meanwhile go too. Returns how many
 * entries were deleted.
 */
export async function eraseStudent(kv: Deno.Kv, user: User): Promise<number> {
  const username = normaliseUsername(user.username);
  let erased = 0;
  for (let pass = 0; pass < 5; pass++) {
    const doomed = new Map<string, Deno.KvKey>();
    const doom = (key: Deno.KvKey) => doomed.set(jsonOf(key), key);
    const deliveryIds = new Set<string>();
    for await (const entry of kv.list({ prefix: [] })) {
      if (!mentions(entry, user, username)) continue;
      doom(entry.key);
      if (entry.key[0] === TABLES.webhookDeliveries) deliveryIds.add(String(entry.key[2]));
      if (entry.key[0] === TABLES.xapiStatements) {
        const { statement, seq } = entry.value as StatementRecord;
        doom(xapiStatementByStoredKey(seq));
        doom(xapiVoidedKey(String(statement.id)));
      }
      if (entry.key[0] === TABLES.apiTokens) {
        const token = entry.value as { ownerId: string; id: string };
        doom(apiTokenByOwnerKey(token.ownerId, token.id));
      }
    }
    for (const table of TABLES.deliveryIndexes) {
      if (deliveryIds.size === 0) break;
      for await (const entry of kv.list({ prefix: [table] })) {
        const refers = entry.key.some((part) => deliveryIds.has(String(part))) ||
          deliveryIds.has(String(entry.value));
        if (refers) doom(entry.key);
      }
    }
    if (doomed.size === 0) break;
    await deleteAll(kv, [...doomed.values()]);
    erased += doomed.size;
  }
  return erased;
}
