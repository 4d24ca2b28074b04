/** The LRS's statements in Deno KV: stored once by id, listed in stored order, voided by marker. */
import { monotonicUlids, newUlid } from "../ids.ts";
import {
  xapiStatementByStoredKey,
  xapiStatementKey,
  xapiStatementsByStoredPrefix,
  xapiVoidedKey,
} from "../kv_keys.ts";
import { getValuesById } from "../kv_batch_reader.ts";
import type { JsonObject } from "./statement_validation.ts";

/** Largest stored statement, in bytes of JSON (Deno KV values hold at most 64 KiB). */
export const MAX_STATEMENT_BYTES = 60_000;
/** Most bytes of statements written in one KV commit (Deno KV allows 800 KiB). */
const MAX_COMMIT_BYTES = 600_000;

/** One stored statement. */
export interface StatementRecord {
  /** The statement as stored: as received, plus `id`, `stored`, `timestamp`, `authority`, `version`. */
  statement: JsonObject;
  /** Hash of what the client sent (without `id`, `stored`, `authority`, `version`): same hash, same statement. */
  hash: string;
  /** Position in stored order. */
  seq: string;
}

const nextSeq = monotonicUlids();

/** A new stored-order position for `storedMs`. */
export function newStoredSeq(storedMs: number): string {
  return nextSeq(storedMs);
}

/** Reads statements by id (missing ones are absent from the map). */
export function getStatementRecords(
  kv: Deno.Kv,
  ids: readonly string[],
): Promise<Map<string, StatementRecord>> {
  return getValuesById<StatementRecord>(kv, ids, xapiStatementKey);
}

/** Which of `ids` are voided. */
export async function voidedIds(kv: Deno.Kv, ids: readonly string[]): Promise<Set<string>> {
  return new Set((await getValuesById<string>(kv, ids, xapiVoidedKey)).keys());
}

/**
 * Stores new statements (each checked absent) with their stored-order entries, and the voided
 * markers of `voids` (target id → voiding id), in commits under Deno KV's size limit. Returns the
 * ids another writer stored first (the caller decides duplicate or conflict).
 */
export async function storeStatements(
  kv: Deno.Kv,
  records: readonly StatementRecord[],
  voids: ReadonlyMap<string, string>,
): Promise<string[]> {
  const lost: string[] = [];
  const voidOf = new Map([...voids].map(([target, voiding]) => [voiding, target]));
  let chunk: StatementRecord[] = [];
  let bytes = 0;
  const commit = async () => {
    if (chunk.length === 0) return;
    const op = kv.atomic();
    for (const record of chunk) {
      const id = record.statement.id as string;
      op.check({ key: xapiStatementKey(id), versionstamp: null })
        .set(xapiStatementKey(id), record)
        .set(xapiStatementByStoredKey(record.seq), id);
      const target = voidOf.get(id);
      if (target !== undefined) op.set(xapiVoidedKey(target), id);
    }
    const result = await op.commit();
    if (!result.ok) {
      if (chunk.length === 1) lost.push(chunk[0]!.statement.id as string);
      else {
        for (const record of chunk) lost.push(...await storeStatements(kv, [record], voids));
      }
    }
    chunk = [];
    bytes = 0;
  };
  for (const record of records) {
    const size = JSON.stringify(record).length;
    if (chunk.length >= 100 || bytes + size > MAX_COMMIT_BYTES) await commit();
    chunk.push(record);
    bytes += size;
  }
  await commit();
  return lost;
}

/** Where a listing starts and which way it goes. */
export interface ListOptions {
  ascending: boolean;
  /** Continue after this stored-order position (exclusive). */
  after?: string;
  /** Only statements stored after this instant (epoch ms, exclusive). */
  sinceMs?: number;
  /** Only statements stored up to this instant (epoch ms, inclusive). */
  untilMs?: number;
}

/** Statements in stored order (newest first unless ascending), with their positions. */
export async function* listStatementRecords(
  kv: Deno.Kv,
  options: ListOptions,
): AsyncGenerator<StatementRecord> {
  const prefix = xapiStatementsByStoredPrefix();
  const low = options.sinceMs === undefined ? null : newStoredBound(options.sinceMs + 1);
  const high = options.untilMs === undefined ? null : newStoredBound(options.untilMs + 1);
  const selector: { prefix: Deno.KvKey; start?: Deno.KvKey; end?: Deno.KvKey } = { prefix };
  let start = low;
  let end = high;
  if (options.after !== undefined) {
    if (options.ascending) {
      start = start && start > options.after ? start : `${options.after}\u0000`;
    } else end = end && end < options.after ? end : options.after;
  }
  if (start !== null) selector.start = [...prefix, start];
  if (end !== null) selector.end = [...prefix, end];
  const ids: string[] = [];
  const flush = async function* () {
    const records = await getStatementRecords(kv, ids);
    for (const id of ids) {
      const record = records.get(id);
      if (record) yield record;
    }
    ids.length = 0;
  };
  for await (
    const entry of kv.list<string>(selector, { reverse: !options.ascending, batchSize: 100 })
  ) {
    ids.push(entry.value);
    if (ids.length === 10) yield* flush();
  }
  yield* flush();
}

/** The smallest stored-order position at `ms` (a ULID time part followed by the lowest randomness). */
function newStoredBound(ms: number): string {
  return `${newUlid(ms).slice(0, 10)}0000000000000000`;
}
