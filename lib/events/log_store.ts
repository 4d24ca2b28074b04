import { monotonicUlids } from "../ids.ts";
import { eventKey, eventsByUserPrefix, outboxKey } from "../kv_keys.ts";
import { getManyBatched } from "../kv_batch_reader.ts";
import { commitWithRetry } from "../kv_commit.ts";
import { type StoredEvent, targetsOf } from "../core/event_schema.ts";

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
  /**
   * The activities the event targets (`targetsOf`), so processing can read their states together
   * with the event. Absent on entries written before it was added: processing then reads the
   * event first (one more round trip).
   */
  activityIds?: string[];
}

/** The outbox entry of a newly accepted (or re-queued) event. */
export function outboxEntryOf(event: StoredEvent): OutboxEntry {
  return { eventId: event.id, acceptedAt: event.receivedAt, activityIds: targetsOf(event) };
}

/** Arrival order for outbox keys: increasing within this process, roughly by time across processes. */
const nextOutboxSeq = monotonicUlids();

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
  // New ids are the rule: commit first, and read what is stored only after a check failed.
  await commitWithRetry(async (attempt) => {
    if (attempt > 0) {
      const stored = await getStoredEvents(
        kv,
        pending.map((i) => [events[i]!.userId, events[i]!.id] as const),
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
    if (pending.length === 0) return { value: undefined };
    return { value: undefined, op: newEventsOperation(kv, pending.map((i) => events[i]!)) };
  }, { what: "store events" });
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
  return newEventsOperation(kv, events).commit();
}

/** The operation `commitNewEvents` commits. */
function newEventsOperation(kv: Deno.Kv, events: readonly StoredEvent[]): Deno.AtomicOperation {
  const op = kv.atomic();
  const idsByUser = new Map<string, string[]>();
  for (const event of events) {
    const key = eventKey(event.userId, event.id);
    op.check({ key, versionstamp: null })
      .set(key, event)
      .set(outboxKey(event.userId, nextOutboxSeq()), outboxEntryOf(event));
    const ids = idsByUser.get(event.userId) ?? [];
    ids.push(event.id);
    idsByUser.set(event.userId, ids);
  }
  for (const [userId, ids] of idsByUser) {
    op.set([...eventsByUserPrefix(userId), kv.commitVersionstamp()], ids);
  }
  return op;
}

/** Reads stored events by `[userId, eventId]`, in order; missing ones are `undefined`. */
export async function getStoredEvents(
  kv: Deno.Kv,
  ids: readonly (readonly [string, string])[],
): Promise<(StoredEvent | undefined)[]> {
  const entries = await getManyBatched<StoredEvent>(kv, ids.map(([u, e]) => eventKey(u, e)));
  return entries.map((entry) => entry.value ?? undefined);
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
