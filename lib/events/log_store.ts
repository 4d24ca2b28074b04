import { monotonicUlids } from "../ids.ts";
import { eventKey, eventsByUserPrefix, outboxKey } from "../kv_keys.ts";
import type { StoredEvent } from "../core/event_schema.ts";

/** What happened to one posted event. */
export type AppendStatus = "accepted" | "duplicate" | "conflict";

/** The outcome for one posted event, in request order. */
export interface AppendOutcome {
  id: string;
  userId: string;
  status: AppendStatus;
}

/** An outbox entry: the event waits to be processed. */
export interface OutboxEntry {
  eventId: string;
  acceptedAt: string;
}

/** Arrival order for outbox keys: increasing within this process, roughly by time across processes. */
const nextOutboxSeq = monotonicUlids();

const MAX_COMMIT_ATTEMPTS = 5;

/**
 * Appends events to the log in one atomic commit: each id is checked absent, and the event,
 * its log entry and its outbox entry are written. Ids already stored come back `duplicate`
 * (same content hash) or `conflict`.
 */
export async function appendEvents(
  kv: Deno.Kv,
  events: readonly StoredEvent[],
): Promise<AppendOutcome[]> {
  const outcomes: AppendOutcome[] = events.map((e) => ({
    id: e.id,
    userId: e.userId,
    status: "accepted",
  }));
  const firstIndex = new Map<string, number>();
  const repeats: [number, number][] = [];
  events.forEach((event, i) => {
    const key = `${event.userId}\u0000${event.id}`;
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, i);
    else repeats.push([i, first]);
  });
  /** The hash each first occurrence is judged against: its own when new, the stored one otherwise. */
  const storedHash = new Map<number, string>();
  let pending = [...firstIndex.values()];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_COMMIT_ATTEMPTS) {
      throw new Error("Could not store events: too much contention");
    }
    const batch = pending.map((i) => events[i]!);
    const result = await commitNewEvents(kv, batch);
    if (result.ok) break;
    const stored = await getStoredEvents(
      kv,
      batch.map((e) => [e.userId, e.id] as const),
    );
    pending = pending.filter((i, n) => {
      const existing = stored[n];
      if (!existing) return true;
      storedHash.set(i, existing.contentHash);
      outcomes[i]!.status = existing.contentHash === events[i]!.contentHash
        ? "duplicate"
        : "conflict";
      return false;
    });
  }
  for (const [i, first] of repeats) {
    const reference = storedHash.get(first) ?? events[first]!.contentHash;
    outcomes[i]!.status = reference === events[i]!.contentHash ? "duplicate" : "conflict";
  }
  return outcomes;
}

/** Commits new events (each checked absent) with their log and outbox entries; one commit. */
export function commitNewEvents(
  kv: Deno.Kv,
  events: readonly StoredEvent[],
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  const op = kv.atomic();
  const idsByUser = new Map<string, string[]>();
  for (const event of events) {
    const key = eventKey(event.userId, event.id);
    op.check({ key, versionstamp: null })
      .set(key, event)
      .set(
        outboxKey(event.userId, nextOutboxSeq()),
        { eventId: event.id, acceptedAt: event.receivedAt } satisfies OutboxEntry,
      );
    const ids = idsByUser.get(event.userId) ?? [];
    ids.push(event.id);
    idsByUser.set(event.userId, ids);
  }
  for (const [userId, ids] of idsByUser) {
    op.set([...eventsByUserPrefix(userId), kv.commitVersionstamp()], ids);
  }
  return op.commit();
}

/** Reads stored events by `[userId, eventId]`, in order; missing ones are `undefined`. */
export async function getStoredEvents(
  kv: Deno.Kv,
  ids: readonly (readonly [string, string])[],
): Promise<(StoredEvent | undefined)[]> {
  const out: (StoredEvent | undefined)[] = [];
  const chunks: (readonly (readonly [string, string])[])[] = [];
  for (let i = 0; i < ids.length; i += 10) chunks.push(ids.slice(i, i + 10));
  const results = await Promise.all(
    chunks.map((chunk) => kv.getMany<StoredEvent[]>(chunk.map(([u, e]) => eventKey(u, e)))),
  );
  for (const entries of results) {
    for (const entry of entries) out.push(entry.value ?? undefined);
  }
  return out;
}

/** Reads one stored event of a user, or null. */
export async function getStoredEvent(
  kv: Deno.Kv,
  userId: string,
  eventId: string,
): Promise<StoredEvent | null> {
  return (await kv.get<StoredEvent>(eventKey(userId, eventId))).value;
}

/** A page of a user's log and the cursor to continue from. */
export interface LogPage {
  events: StoredEvent[];
  cursor: string;
}

/** The cursor before the first event of every log. */
export const LOG_START_CURSOR = "0";

function encodeCursor(versionstamp: string, offset: number): string {
  return `${versionstamp}.${offset}`;
}

/** Parses an opaque log cursor, or returns null when it is malformed. */
export function parseCursor(
  cursor: string,
): { versionstamp: string; offset: number } | null {
  if (cursor === LOG_START_CURSOR) return { versionstamp: "", offset: 0 };
  const match = /^([0-9a-f]{20})\.(\d{1,4})$/.exec(cursor);
  if (!match) return null;
  return { versionstamp: match[1]!, offset: Number(match[2]) };
}

/**
 * Lists a user's events in log (commit) order after `since`, at most `limit`.
 * The returned cursor continues exactly where this page ended; with nothing new it equals `since`.
 */
export async function listEventsSince(
  kv: Deno.Kv,
  userId: string,
  options: { since?: string; limit?: number } = {},
): Promise<LogPage> {
  const limit = options.limit ?? 100;
  const since = parseCursor(options.since ?? LOG_START_CURSOR);
  if (!since) throw new RangeError("Malformed cursor");
  const prefix = eventsByUserPrefix(userId);
  const selector: Deno.KvListSelector = since.versionstamp === ""
    ? { prefix }
    : { prefix, start: [...prefix, since.versionstamp] };
  const picked: [string, string][] = [];
  let cursor = options.since ?? LOG_START_CURSOR;
  for await (const entry of kv.list<string[]>(selector)) {
    const versionstamp = entry.key[entry.key.length - 1] as string;
    const skip = versionstamp === since.versionstamp ? since.offset : 0;
    const ids = entry.value;
    for (let i = skip; i < ids.length && picked.length < limit; i++) {
      picked.push([userId, ids[i]!]);
      cursor = encodeCursor(versionstamp, i + 1);
    }
    if (picked.length >= limit) break;
  }
  const events = (await getStoredEvents(kv, picked)).filter((e) => e !== undefined);
  return { events, cursor };
}
