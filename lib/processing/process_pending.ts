import { getStoredEvents, type OutboxEntry } from "../events/log_store.ts";
import { ContentionError } from "../errors.ts";
import { type BatchedReader, createBatchedReader } from "../kv_batch_reader.ts";
import { type StoredEvent, targetsOf } from "../core/event_schema.ts";
import {
  achievementFactsKey,
  achievementKey,
  activityStateKey,
  eventKey,
  eventsByActivityPrefix,
  itemStateKey,
  itemsVersionKey,
  outboxPrefix,
  resultKey,
  stepCompletionKey,
  summaryKey,
  userKey,
  userPathKey,
} from "../kv_keys.ts";
import { addNotifications } from "../live/notification_store.ts";
import type { ActivityState } from "../core/activity_state.ts";
import {
  activitiesNeedingHistory,
  groupByActivity,
  project,
  type ProjectionOutput,
  withOverall,
  withTitles,
} from "../core/project.ts";
import { overallAfterStep } from "../progress/headline_reads.ts";
import { emptySummary, type ProgressSummary } from "../core/summary.ts";
import { processingReads } from "../core/processing_reads.ts";
import { listAwards } from "../achievements/achievement_store.ts";
import { userPathIds } from "../progress/summary_store.ts";
import { itemsOfUser } from "../catalog/items_cache.ts";
import { type CatalogSnapshot, catalogSnapshot } from "../catalog/catalog_cache.ts";
import type { User } from "../auth/account_store.ts";
import { emptyFacts, type ProgressFacts } from "../core/achievement_facts.ts";
import type { ItemState, TrackedItem } from "../core/propagation.ts";
import { syncLinkedSystems, type SyncOutput, withSync } from "../core/sync_step.ts";
import { awardStep } from "../achievements/award_reads.ts";
import { type Award, type AwardOutput, withAwards } from "../core/award_step.ts";
import { addSyncStats, syncStatMutations } from "./sync_stats.ts";
import type { WebhookDelivery } from "../webhooks/delivery_store.ts";
import {
  createEndpointCache,
  type EndpointCache,
  type WebhookEndpoint,
} from "../webhooks/endpoint_store.ts";
import { addDeliveries, deliveriesFor, MUTATIONS_PER_DELIVERY } from "../webhooks/fanout.ts";
import { type ConflictPlan, planConflicts, withConflicts } from "../conflicts/conflict_step.ts";
import { addConflictWrites, conflictWriteMutations } from "../conflicts/conflict_store.ts";
import { milestoneStep } from "../progress/milestone_reads.ts";
import { withMilestones } from "../core/milestone_step.ts";

/**
 * Most events of one user applied in one commit: a posted batch (at most 100 events) is planned
 * as one. Their live messages share one KV value, so a batch whose messages would not fit is
 * planned again over fewer events, from the same reads.
 */
export const MAX_EVENTS_PER_COMMIT = 100;
/** Most users whose events share one commit. */
export const MAX_USERS_PER_COMMIT = 40;
/** Budget for the mutations of one commit (Deno KV allows 1,000). */
const MAX_COMMIT_MUTATIONS = 900;
/** Budget for the bytes one commit writes (Deno KV allows 800 KiB). */
const MAX_COMMIT_BYTES = 450 * 1024;
/**
 * Events one attempt plans across its users (a commit's mutation budget holds about this many):
 * each user takes an equal share, so a commit of many users does not plan far more than it can
 * write, and a lone user takes a whole batch.
 */
const EVENTS_PER_ATTEMPT = 200;
/** Largest live-message batch per user and commit (Deno KV values hold 64 KiB). */
const MAX_MESSAGES_BYTES = 56 * 1024;
/**
 * Checked commits one call tries. Not `commitWithRetry`'s policy: a run that gives up is retried
 * by the queue or the sweeper (nothing is lost), each attempt re-plans up to a commit's worth of
 * students, and a commit refused as too large is retried at half the size without counting.
 */
const MAX_COMMIT_ATTEMPTS = 10;

/** What one call to `processPendingEvents` did. */
export interface ProcessOutcome {
  processed: number;
  /** Users who still have pending events after this commit. */
  pending: string[];
}

/** One user's share of a commit: what was read and what the projection step made of it. */
interface UserWork {
  userId: string;
  summaryEntry: Deno.KvEntryMaybe<ProgressSummary>;
  events: StoredEvent[];
  /** Outbox keys to delete (including any whose event is missing). */
  outboxKeys: Deno.KvKey[];
  output: ProjectionOutput;
  sync: SyncOutput;
  /** New or updated achievements and the student's updated facts. */
  awards: AwardOutput;
  /** Conflicts raised or resolved, and the corrections automatic resolutions append. */
  conflicts: ConflictPlan;
  /** Webhook deliveries of the live messages, one per (message, subscribed endpoint). */
  deliveries: WebhookDelivery[];
  /** Processing time, epoch ms. */
  nowMs: number;
  /** True when the user has more pending events than this commit takes. */
  more: boolean;
  /** Estimated bytes the user's share writes (`bytesOf`). */
  bytes: number;
}

async function listActivityHistory(
  kv: Deno.Kv,
  userId: string,
  activityId: string,
): Promise<StoredEvent[]> {
  const ids: [string, string][] = [];
  for await (
    const entry of kv.list<string>({ prefix: eventsByActivityPrefix(userId, activityId) })
  ) ids.push([userId, entry.value]);
  return (await getStoredEvents(kv, ids)).filter((e) => e !== undefined);
}

async function listOutbox(
  kv: Deno.Kv,
  userId: string,
  limit: number,
): Promise<Deno.KvEntry<OutboxEntry>[]> {
  const outbox: Deno.KvEntry<OutboxEntry>[] = [];
  for await (const entry of kv.list<OutboxEntry>({ prefix: outboxPrefix(userId) }, { limit })) {
    outbox.push(entry);
  }
  return outbox;
}

/** Runs the sync step over the items and paths linked to the changed activities, reading their states through `reader`. */
async function syncStep(
  reader: BatchedReader,
  userId: string,
  reads: { items: readonly TrackedItem[]; catalog: CatalogSnapshot },
  events: readonly StoredEvent[],
  before: ReadonlyMap<string, ActivityState>,
  after: ReadonlyMap<string, ActivityState>,
): Promise<SyncOutput> {
  const changed = [...after.keys()];
  const { catalog, items } = reads;
  const pathIds = new Set(changed.flatMap((a) => catalog.pathIdsByActivity.get(a) ?? []));
  const paths = [...pathIds].map((id) => catalog.paths.get(id)!);
  const owned = items.filter((item) => item.activityIds.some((a) => after.has(a)));
  const otherIds = [...new Set(owned.flatMap((i) => i.activityIds))].filter((a) => !after.has(a));
  const itemIds = [...new Set(owned.map((i) => i.itemId))];
  const [otherEntries, itemStateEntries] = await Promise.all([
    reader.getMany<ActivityState>(otherIds.map((a) => activityStateKey(userId, a))),
    reader.getMany<ItemState>(itemIds.map((id) => itemStateKey(userId, id))),
  ]);
  const others = new Map<string, ActivityState>();
  otherEntries.forEach((e, i) => e.value && others.set(otherIds[i]!, e.value));
  const itemStates = new Map<string, ItemState>();
  itemStateEntries.forEach((e, i) => e.value && itemStates.set(itemIds[i]!, e.value));
  return syncLinkedSystems({
    events,
    before,
    after,
    others,
    items: owned,
    itemStates,
    paths,
  });
}

/**
 * What one commit reads once for all its users (webhook endpoints, the catalog; read while the
 * users' own reads are in flight), and its reader.
 */
interface SharedReads {
  endpoints: Promise<readonly WebhookEndpoint[]>;
  catalog: Promise<CatalogSnapshot>;
  /** Reads the users' keys together, 10 per `getMany`. */
  reader: BatchedReader;
}

/** Identity of a key in a `prefetched` map (processing keys are made of strings). */
function keyId(key: Deno.KvKey): string {
  return JSON.stringify(key);
}

/**
 * A reader answering from entries read in advance, and reading only the keys it lacks (through
 * `reader`): the steps after the second round trip find what they need there, and an unplanned
 * key (a rare path) costs one more round trip instead of a wrong answer.
 */
function prefetchedReader(
  prefetched: ReadonlyMap<string, Deno.KvEntryMaybe<unknown>>,
  reader: BatchedReader,
): BatchedReader {
  return {
    async getMany<T>(keys: readonly Deno.KvKey[]) {
      const missing = keys.filter((key) => !prefetched.has(keyId(key)));
      const read = new Map<string, Deno.KvEntryMaybe<unknown>>();
      if (missing.length > 0) {
        const entries = await reader.getMany<unknown>(missing);
        missing.forEach((key, i) => read.set(keyId(key), entries[i]!));
      }
      return keys.map((key) =>
        (prefetched.get(keyId(key)) ?? read.get(keyId(key))!) as Deno.KvEntryMaybe<T>
      );
    },
  };
}

/** Reads `keys` through `reader` into `into`, by `keyId`. */
async function prefetch(
  reader: BatchedReader,
  keys: readonly Deno.KvKey[],
  into: Map<string, Deno.KvEntryMaybe<unknown>>,
): Promise<void> {
  const entries = await reader.getMany<unknown>(keys);
  keys.forEach((key, i) => into.set(keyId(key), entries[i]!));
}

/**
 * Plans one user's share of a commit: read → plan, with the reads in two round trips in the
 * common case. Round 1 reads what is keyed by the student alone (summary, items version, facts,
 * account, awards, paths) and their outbox; round 2 reads every key the steps need, worked out
 * from the outbox entries (`processingReads`): the events and their results, the states of the
 * targeted activities and of those linked to them, item states, step completions. Then the steps
 * run over what was read. Old outbox entries without their targets cost one more round trip (the
 * events are read first), and so do late events whose activity history is needed.
 */
async function planUser(
  kv: Deno.Kv,
  userId: string,
  now: string,
  limit: number,
  shared: SharedReads,
): Promise<UserWork | null> {
  // The commit checks the summary, so everything read after it is either as of that version or
  // makes the commit fail and re-plan (a racing processor committed). The outbox is read in the
  // same round trip: an entry a racing processor applied meanwhile has a result by the time the
  // results are read below, so it is only deleted, never applied twice.
  const firstReads = [
    shared.reader.getMany<unknown>([
      summaryKey(userId),
      itemsVersionKey(userId),
      achievementFactsKey(userId),
      userKey(userId),
    ]),
    listOutbox(kv, userId, limit + 1),
    listAwards(kv, userId),
    userPathIds(kv, userId),
  ] as const;
  // No read is left in flight when another fails.
  await Promise.allSettled(firstReads);
  const [[summaryEntry, itemsVersion, factsEntry, user], outbox, awards, pathIds] = await Promise
    .all(firstReads);
  if (outbox.length === 0) return null;
  const taken = outbox.slice(0, limit);
  const ids = taken.map((e) => e.value.eventId);
  const eventKeys = [
    ...ids.map((id) => eventKey(userId, id)),
    ...ids.map((id) => resultKey(userId, id)),
  ];
  const prefetched = new Map<string, Deno.KvEntryMaybe<unknown>>();
  // Entries written before they carried their targets: read the events first.
  if (taken.some((e) => e.value.activityIds === undefined)) {
    await prefetch(shared.reader, eventKeys, prefetched);
  }
  const targetsOfEntry = (entry: Deno.KvEntry<OutboxEntry>): string[] => {
    if (entry.value.activityIds) return entry.value.activityIds;
    const event = prefetched.get(keyId(eventKey(userId, entry.value.eventId)))?.value;
    return event ? targetsOf(event as StoredEvent) : [];
  };
  const [items, catalog] = await Promise.all([
    itemsOfUser(kv, userId, itemsVersion!.versionstamp),
    shared.catalog,
  ]);
  const needs = processingReads({
    targetActivityIds: taken.flatMap(targetsOfEntry),
    items,
    userPathIds: pathIds,
    paths: catalog.paths,
    pathIdsByActivity: catalog.pathIdsByActivity,
    inCatalog: (id) => catalog.activities.has(id),
  });
  await prefetch(shared.reader, [
    ...eventKeys.filter((key) => !prefetched.has(keyId(key))),
    ...needs.activityIds.map((a) => activityStateKey(userId, a)),
    ...needs.itemIds.map((id) => itemStateKey(userId, id)),
    ...needs.stepIds.map((id) => stepCompletionKey(userId, id)),
  ], prefetched);
  const reader = prefetchedReader(prefetched, shared.reader);
  // An event already has a result once processed: a stray outbox entry for it is only deleted,
  // never applied twice.
  const read = await reader.getMany<unknown>(eventKeys);
  const planned = (count: number) =>
    planTaken(kv, shared, reader, {
      userId,
      now,
      summaryEntry: summaryEntry as Deno.KvEntryMaybe<ProgressSummary>,
      facts: (factsEntry!.value as ProgressFacts | null) ?? emptyFacts(),
      timeZone: (user!.value as User | null)?.timeZone ?? "UTC",
      awards,
      pathIds,
      items,
      catalog,
      outboxKeys: taken.slice(0, count).map((e) => e.key),
      events: ids.slice(0, count).flatMap((_, i) =>
        read[i]!.value !== null && read[ids.length + i]!.value === null
          ? [read[i]!.value as StoredEvent]
          : []
      ),
      more: outbox.length > count,
    });
  // Too much for one commit: the same reads planned again over fewer of the events, without
  // reading anything again.
  for (let count = taken.length;;) {
    const work = await planned(count);
    const fit = Math.min(
      MAX_MESSAGES_BYTES / work.messageBytes,
      MAX_COMMIT_MUTATIONS / mutationsOf(work),
      MAX_COMMIT_BYTES / work.bytes,
    );
    if (fit >= 1 || count === 1) return work;
    count = Math.max(1, Math.min(count - 1, Math.floor(count * fit * 0.9)));
  }
}

/** What `planTaken` plans from: one student's reads, and which of their pending events to take. */
interface TakenReads {
  userId: string;
  now: string;
  summaryEntry: Deno.KvEntryMaybe<ProgressSummary>;
  facts: ProgressFacts;
  timeZone: string;
  awards: readonly Award[];
  pathIds: readonly string[];
  items: readonly TrackedItem[];
  catalog: CatalogSnapshot;
  /** Outbox entries taken (including any whose event is missing or processed). */
  outboxKeys: Deno.KvKey[];
  /** Their unprocessed events, in outbox order (duplicates possible). */
  events: StoredEvent[];
  more: boolean;
}

/**
 * Runs the steps over one student's reads: projection, conflicts, sync, awards, milestones and
 * the headline, reading through `reader` (filled in advance); only late events' histories and
 * conflict records are read here, on their rare paths.
 */
async function planTaken(
  kv: Deno.Kv,
  shared: SharedReads,
  reader: BatchedReader,
  taken: TakenReads,
): Promise<UserWork & { messageBytes: number }> {
  const { userId, now, items, catalog, awards, pathIds, timeZone } = taken;
  const seen = new Set<string>();
  const events = taken.events.filter((e) => !seen.has(e.id) && seen.add(e.id));
  const activityIds = [...groupByActivity(events).keys()];
  const stateEntries = await reader.getMany<ActivityState>(
    activityIds.map((a) => activityStateKey(userId, a)),
  );
  const states = new Map<string, ActivityState>();
  stateEntries.forEach((entry, i) => {
    if (entry.value) states.set(activityIds[i]!, entry.value);
  });
  // Late events: the rare path, with its own round trips (a list and a read per activity).
  const needingHistory = [...activitiesNeedingHistory(events, states)];
  const histories = new Map(
    await Promise.all(
      needingHistory.map(async (a) => [a, await listActivityHistory(kv, userId, a)] as const),
    ),
  );
  const summary = taken.summaryEntry.value ?? emptySummary(userId);
  // Conflict detection may append correction events, processed with the batch.
  const conflicts = await planConflicts(kv, userId, now, events, states, histories);
  const all = conflicts.events;
  const projected = project({ now, events: all, states, histories: conflicts.histories, summary });
  const sync = await syncStep(reader, userId, { items, catalog }, all, states, projected.states);
  const [awarded, reached] = await Promise.all([
    awardStep(
      userId,
      {
        facts: taken.facts,
        awards,
        timeZone,
        catalog,
        reader,
      },
      all,
      sync.paths,
      now,
    ),
    milestoneStep(reader, userId, catalog, {
      events: all,
      states,
      histories: conflicts.histories,
      totals: summary.totals,
      paths: sync.paths,
    }),
  ]);
  const overall = await overallAfterStep(userId, { catalog, pathIds, items, reader, timeZone }, {
    ...projected,
    newPathIds: sync.pathIds,
    facts: awarded.output.facts,
    now,
  });
  const output = withTitles(
    withOverall(
      withMilestones(
        withConflicts(withAwards(withSync(projected, sync), awarded.output), conflicts),
        reached,
      ),
      overall,
    ),
    (id) => catalog.activities.get(id)?.title,
  );
  const nowMs = Date.parse(now);
  const work = {
    userId,
    summaryEntry: taken.summaryEntry,
    events: all,
    outboxKeys: taken.outboxKeys,
    output,
    sync,
    awards: awarded.output,
    conflicts,
    deliveries: deliveriesFor(userId, output.messages, await shared.endpoints, nowMs),
    nowMs,
    more: taken.more,
    bytes: 0,
    messageBytes: JSON.stringify(output.messages).length,
  };
  work.bytes = bytesOf(work);
  return work;
}

function bytesOf(work: UserWork): number {
  return JSON.stringify(work.output).length + JSON.stringify(work.events).length / 4 +
    JSON.stringify(work.deliveries).length + JSON.stringify(work.conflicts.writes).length +
    JSON.stringify(work.conflicts.corrections).length;
}

/** Mutations `addUserWork` makes for one user: its outbox deletes, states, index entries, results, summary and live messages. */
function mutationsOf(work: UserWork): number {
  const indexEntries = work.events.reduce((n, e) => n + targetsOf(e).length, 0);
  return work.outboxKeys.length + work.output.states.size + indexEntries +
    work.output.results.length + work.sync.itemStates.size + work.sync.pathIds.length + 3 +
    1 + work.awards.awards.length + work.awards.stepCompletions.size +
    work.deliveries.length * MUTATIONS_PER_DELIVERY +
    syncStatMutations(work.events, work.output.messages) +
    conflictWriteMutations(work.conflicts.writes, work.conflicts.corrections);
}

function addUserWork(op: Deno.AtomicOperation, kv: Deno.Kv, work: UserWork): void {
  const { userId, output } = work;
  // Every processing commit of a user rewrites the summary, so checking it alone makes
  // concurrent processors of the same user exclusive: the loser re-reads and finds its
  // events already gone from the outbox.
  op.check(work.summaryEntry);
  for (const key of work.outboxKeys) op.delete(key);
  for (const [activityId, state] of output.states) {
    op.set(activityStateKey(userId, activityId), state);
  }
  for (const event of work.events) {
    for (const activityId of targetsOf(event)) {
      op.set([...eventsByActivityPrefix(userId, activityId), event.id], event.id);
    }
  }
  for (const result of output.results) op.set(resultKey(userId, result.eventId), result);
  for (const [itemId, state] of work.sync.itemStates) op.set(itemStateKey(userId, itemId), state);
  for (const pathId of work.sync.pathIds) op.set(userPathKey(userId, pathId), pathId);
  op.set(summaryKey(userId), output.summary);
  op.set(achievementFactsKey(userId), work.awards.facts);
  for (const award of work.awards.awards) {
    op.set(achievementKey(userId, award.achievementId), award);
  }
  for (const [activityId, at] of work.awards.stepCompletions) {
    op.set(stepCompletionKey(userId, activityId), at);
  }
  addConflictWrites(op, kv, userId, work.conflicts.writes, work.conflicts.corrections);
  addNotifications(op, kv, userId, output.messages);
  addDeliveries(op, work.deliveries);
  addSyncStats(op, work.events, output.messages, work.nowMs);
}

/** True when Deno KV refused a commit for exceeding its size or count limits. */
function isCommitTooLarge(error: unknown): boolean {
  return error instanceof TypeError && /too large|too many/i.test(error.message);
}

/**
 * Applies pending events of several users in one atomic commit: for each user up to
 * `MAX_EVENTS_PER_COMMIT` events, written as projections, results and live messages, with their
 * outbox entries deleted. The commit checks each user's summary (which every processing commit
 * rewrites), so each event applies exactly once even when processors race; a lost race is
 * retried with fresh reads. Users that do not fit this commit are reported as still pending.
 */
export async function processPendingEvents(
  kv: Deno.Kv,
  userIds: readonly string[],
  options: {
    now?: () => Date;
    /** Webhook endpoints to fan live messages out to (default: read from `kv`). */
    endpoints?: EndpointCache;
    /** Called with the number of webhook deliveries a commit queued, when there are any. */
    onDeliveriesQueued?: (count: number) => void;
    /** Most events of one user per commit (default `MAX_EVENTS_PER_COMMIT`). */
    maxEventsPerUser?: number;
  } = {},
): Promise<ProcessOutcome> {
  const now = options.now ?? (() => new Date());
  const endpointCache = options.endpoints ?? createEndpointCache(kv);
  const users = [...new Set(userIds)];
  // The estimates below keep commits inside Deno KV's limits; should one still be refused as
  // too large, the same work is retried in a commit half the size.
  let maxUsers = MAX_USERS_PER_COMMIT;
  let maxEvents = options.maxEventsPerUser ?? MAX_EVENTS_PER_COMMIT;
  for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
    const at = now().toISOString();
    const candidates = users.slice(0, maxUsers);
    const reader = createBatchedReader(kv);
    const endpointsRead = endpointCache.load();
    const catalog = catalogSnapshot(kv);
    const shared = { endpoints: endpointsRead.then((e) => e.endpoints), catalog, reader };
    // Awaited only by users with pending events: a failure surfaces there (or goes unneeded).
    for (const read of [endpointsRead, catalog, shared.endpoints]) read.catch(() => {});
    const perUser = Math.max(
      1,
      Math.min(maxEvents, Math.floor(EVENTS_PER_ATTEMPT / candidates.length)),
    );
    const planned = (await Promise.all(
      candidates.map((u) => planUser(kv, u, at, perUser, shared)),
    )).filter((w) => w !== null);
    const { versionEntry } = await endpointsRead;
    // Checking the endpoints version makes webhook fan-out exact: an endpoint created before
    // this commit gets its messages, or the commit retries with the new endpoint list.
    const op = kv.atomic().check(versionEntry);
    const included: UserWork[] = [];
    let bytes = 0;
    let mutations = 0;
    for (const work of planned) {
      const size = work.bytes;
      const count = mutationsOf(work);
      const full = bytes + size > MAX_COMMIT_BYTES || mutations + count > MAX_COMMIT_MUTATIONS;
      if (included.length > 0 && full) break;
      bytes += size;
      mutations += count;
      included.push(work);
      addUserWork(op, kv, work);
    }
    if (included.length === 0) return { processed: 0, pending: users.slice(candidates.length) };
    let committed: Deno.KvCommitResult | Deno.KvCommitError;
    try {
      committed = await op.commit();
    } catch (error) {
      if (!isCommitTooLarge(error) || (included.length === 1 && maxEvents === 1)) throw error;
      if (included.length > 1) maxUsers = Math.ceil(included.length / 2);
      else maxEvents = Math.ceil(maxEvents / 2);
      attempt--;
      continue;
    }
    if (!committed.ok) continue;
    const queued = included.reduce((n, w) => n + w.deliveries.length, 0);
    if (queued > 0) options.onDeliveriesQueued?.(queued);
    const done = new Set(included.filter((w) => !w.more).map((w) => w.userId));
    const emptyNow = new Set(candidates.filter((u) => !planned.some((w) => w.userId === u)));
    return {
      processed: included.reduce((n, w) => n + w.events.length, 0),
      pending: users.filter((u) => !done.has(u) && !emptyNow.has(u)),
    };
  }
  throw new ContentionError(`process events of ${users.length} user(s)`, {
    attempts: MAX_COMMIT_ATTEMPTS,
  });
}
