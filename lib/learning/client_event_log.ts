/**
 * The per-user log of seed-001 learning-progress events, as browsers sent them: what
 * `GET /api/v1/learning/progress` returns and reduces. Keyed and paged like the shared event log
 * (`["client_events_by_user", userId, versionstamp]` holding ids; cursors `versionstamp.offset`).
 */
import { sha256Hex } from "../core/content_hash.ts";
import { LOG_START_CURSOR, parseCursor } from "../events/log_store.ts";
import {
  clientEventKey,
  clientEventsByUserPrefix,
  clientResetKey,
  clientResetsPrefix,
  clientSnapshotKey,
} from "../kv_keys.ts";
import { getManyBatched } from "../kv_batch_reader.ts";
import { commitWithRetry } from "../kv_commit.ts";
import {
  canonicalJson,
  type LearningProgressEvent,
  type ProgressResetEvent,
} from "../core/learning_events.ts";
import { type LearningProgressSnapshot, reduceLearningEvents } from "../core/learning_snapshot.ts";

/** A stored learning-progress event. */
export interface StoredClientEvent {
  event: LearningProgressEvent;
  /** SHA-256 of the event's canonical JSON: equal means the same content. */
  contentHash: string;
  receivedAt: string;
}

/** What happened to one received event: new, a repeat of the same content, or an id reused for other content. */
export type ClientAppendStatus = "accepted" | "duplicate" | "conflict";

/** A page of a user's learning-progress events. */
export interface ClientLogPage {
  events: LearningProgressEvent[];
  cursor: string;
  /** True when more events follow the page. */
  hasMore: boolean;
}

/** The content hash of a learning-progress event. */
export function clientEventHash(event: LearningProgressEvent): Promise<string> {
  return sha256Hex(canonicalJson(event));
}

/** Reads a user's stored learning-progress events by id, in order; null where unknown. */
export async function getClientEvents(
  kv: Deno.Kv,
  userId: string,
  ids: readonly string[],
): Promise<(LearningProgressEvent | null)[]> {
  return (await getStored(kv, userId, ids)).map((s) => s?.event ?? null);
}

async function getStored(
  kv: Deno.Kv,
  userId: string,
  ids: readonly string[],
): Promise<(StoredClientEvent | null)[]> {
  const entries = await getManyBatched<StoredClientEvent>(
    kv,
    ids.map((id) => clientEventKey(userId, id)),
  );
  return entries.map((entry) => entry.value);
}

/**
 * Stores a user's learning-progress events by `eventId` in one atomic commit (each id checked
 * absent), with their log entry and, for `progress.reset`, an index entry. Returns each event's
 * status in request order: an id already stored (or earlier in the request) is `duplicate` with
 * the same content and `conflict` with other content; neither changes anything.
 */
export async function appendClientEvents(
  kv: Deno.Kv,
  userId: string,
  events: readonly LearningProgressEvent[],
  receivedAt: string,
): Promise<ClientAppendStatus[]> {
  const hashes = await Promise.all(events.map(clientEventHash));
  const statuses: ClientAppendStatus[] = events.map(() => "accepted");
  const first = new Map<string, number>();
  events.forEach((event, i) => {
    const earlier = first.get(event.eventId);
    if (earlier === undefined) first.set(event.eventId, i);
    else statuses[i] = hashes[i] === hashes[earlier] ? "duplicate" : "conflict";
  });
  let pending = [...first.values()];
  await commitWithRetry(async () => {
    const stored = await getStored(kv, userId, pending.map((i) => events[i]!.eventId));
    pending = pending.filter((i, n) => {
      const existing = stored[n];
      if (!existing) return true;
      statuses[i] = existing.contentHash === hashes[i] ? "duplicate" : "conflict";
      return false;
    });
    if (pending.length === 0) return { value: undefined };
    const op = kv.atomic();
    for (const i of pending) {
      const event = events[i]!;
      const key = clientEventKey(userId, event.eventId);
      op.check({ key, versionstamp: null }).set(
        key,
        {
          event,
          contentHash: hashes[i]!,
          receivedAt,
        } satisfies StoredClientEvent,
      );
      if (event.type === "progress.reset") {
        op.set(
          clientResetKey(userId, event.eventId),
          event.payload ? { occurredAt: event.occurredAt, ...event.payload } : event.occurredAt,
        );
      }
    }
    op.set(
      [...clientEventsByUserPrefix(userId), kv.commitVersionstamp()],
      pending.map((i) => events[i]!.eventId),
    );
    return { value: undefined, op };
  }, { what: "store events" });
  // A repeat within the request takes the status its first copy's content earned.
  for (const [i, event] of events.entries()) {
    const firstIndex = first.get(event.eventId)!;
    if (firstIndex !== i && statuses[i] === "duplicate" && statuses[firstIndex] === "conflict") {
      statuses[i] = "conflict";
    }
  }
  return statuses;
}

/**
 * Lists a user's learning-progress events in commit order after `since` (from the start when
 * absent), at most `limit`; the cursor continues exactly where the page ended, and equals `since`
 * when nothing is new. Throws a RangeError on a malformed cursor.
 */
export async function listClientEventsSince(
  kv: Deno.Kv,
  userId: string,
  options: { since?: string; limit?: number } = {},
): Promise<ClientLogPage> {
  const limit = options.limit ?? 500;
  const since = parseCursor(options.since ?? LOG_START_CURSOR);
  if (!since) throw new RangeError("Malformed cursor");
  const prefix = clientEventsByUserPrefix(userId);
  const selector: Deno.KvListSelector = since.versionstamp === ""
    ? { prefix }
    : { prefix, start: [...prefix, since.versionstamp] };
  const picked: string[] = [];
  let cursor = options.since ?? LOG_START_CURSOR;
  let hasMore = false;
  for await (const entry of kv.list<string[]>(selector)) {
    const versionstamp = entry.key[entry.key.length - 1] as string;
    const skip = versionstamp === since.versionstamp ? since.offset : 0;
    const ids = entry.value;
    for (let i = skip; i < ids.length; i++) {
      if (picked.length >= limit) {
        hasMore = true;
        break;
      }
      picked.push(ids[i]!);
      cursor = `${versionstamp}.${i + 1}`;
    }
    if (hasMore) break;
  }
  const stored = await getStored(kv, userId, picked);
  return {
    events: stored.flatMap((s) => (s ? [s.event] : [])),
    cursor,
    hasMore,
  };
}

/** The cursor after a user's latest learning-progress event (`"0"` for an empty log). */
export async function latestClientCursor(kv: Deno.Kv, userId: string): Promise<string> {
  for await (
    const entry of kv.list<string[]>({ prefix: clientEventsByUserPrefix(userId) }, {
      reverse: true,
      limit: 1,
    })
  ) {
    return `${entry.key[entry.key.length - 1] as string}.${entry.value.length}`;
  }
  return LOG_START_CURSOR;
}

/** A user's `progress.reset` events: id, `occurredAt` and, for a scoped reset, its `payload`. */
export async function listClientResets(
  kv: Deno.Kv,
  userId: string,
): Promise<Pick<ProgressResetEvent, "eventId" | "occurredAt" | "payload">[]> {
  const out: Pick<ProgressResetEvent, "eventId" | "occurredAt" | "payload">[] = [];
  type Indexed = string | { occurredAt: string; contentIds: string[] };
  for await (const entry of kv.list<Indexed>({ prefix: clientResetsPrefix(userId) })) {
    const eventId = entry.key[entry.key.length - 1] as string;
    const v = entry.value;
    out.push(
      typeof v === "string"
        ? { eventId, occurredAt: v }
        : { eventId, occurredAt: v.occurredAt, payload: { contentIds: v.contentIds } },
    );
  }
  return out;
}

const MAX_CACHED_SNAPSHOT_CHARS = 30_000;

interface CachedSnapshot {
  cursor: string;
  snapshot: LearningProgressSnapshot;
}

/**
 * The snapshot of all of a user's learning-progress events, from a cache keyed by the log's
 * latest cursor; reduced again from the whole log (and cached) when the log has moved on.
 */
export async function getClientSnapshot(
  kv: Deno.Kv,
  userId: string,
): Promise<LearningProgressSnapshot> {
  const latest = await latestClientCursor(kv, userId);
  const cached = await kv.get<CachedSnapshot>(clientSnapshotKey(userId));
  if (cached.value?.cursor === latest) return cached.value.snapshot;
  const events: LearningProgressEvent[] = [];
  let cursor: string = LOG_START_CURSOR;
  for (let more = true; more;) {
    const page = await listClientEventsSince(kv, userId, { since: cursor, limit: 1000 });
    events.push(...page.events);
    cursor = page.cursor;
    more = page.hasMore;
  }
  const snapshot = reduceLearningEvents(events);
  // KV values hold at most 64 KiB: a bigger snapshot is reduced on every read instead.
  if (JSON.stringify(snapshot).length <= MAX_CACHED_SNAPSHOT_CHARS) {
    await kv.atomic().check(cached).set(clientSnapshotKey(userId), { cursor, snapshot }).commit();
  }
  return snapshot;
}
