import { type OutboxEntry } from "../events/log_store.ts";
import { ContentionError } from "../errors.ts";
import { type BatchedReader, createBatchedReader } from "../kv_batch_reader.ts";
import { type StoredEvent, targetsOf } from "../core/event_schema.ts";
import {
  achievementFactsKey,
  activityStateKey,
  eventKey,
  itemStateKey,
  itemsVersionKey,
  resultKey,
  stepCompletionKey,
  summaryKey,
  userKey,
} from "../kv_keys.ts";
import type { ActivityState } from "../core/activity_state.ts";
import {
  activitiesNeedingHistory,
  groupByActivity,
  project,
  withOverall,
  withTitles,
} from "../core/project.ts";
import { overallAfterStep } from "../progress/headline_reads.ts";
import { emptySummary, type ProgressSummary } from "../core/summary.ts";
import { processingReads } from "../core/processing_reads.ts";
import { listAwardEntries } from "../achievements/achievement_store.ts";
import { userPathIds } from "../progress/summary_store.ts";
import { itemsOfUser } from "../catalog/items_cache.ts";
import { type CatalogSnapshot, catalogSnapshot } from "../catalog/catalog_cache.ts";
import type { User } from "../auth/account_store.ts";
import { emptyFacts, type ProgressFacts } from "../core/achievement_facts.ts";
import type { TrackedItem } from "../core/propagation.ts";
import { withSync } from "../core/sync_step.ts";
import { awardStep } from "../achievements/award_reads.ts";
import { type Award, withAwards } from "../core/award_step.ts";
import { createEndpointCache, type EndpointCache } from "../webhooks/endpoint_store.ts";
import { deliveriesFor } from "../webhooks/fanout.ts";
import { planConflicts, withConflicts } from "../conflicts/conflict_step.ts";
import { milestoneStep } from "../progress/milestone_reads.ts";
import { withMilestones } from "../core/milestone_step.ts";
import {
  addCommitFigures,
  addUserWork,
  bytesOf,
  firstPlanSize,
  isCommitTooLarge,
  mutationsOf,
  notePlanSize,
  type UserWork,
} from "./user_commit.ts";
import {
  keyId,
  listActivityHistory,
  listOutbox,
  prefetch,
  prefetchedReader,
  type SharedReads,
} from "./run_reads.ts";
import { syncStep } from "../sync/sync_reads.ts";
import { SYNC_STAT_MUTATIONS } from "./sync_stats.ts";

/**
 * Most events of one user applied in one commit: a posted batch (at most 100 events) is planned
 * as one. Their live messages share one KV value, so a batch whose messages would not fit is
 * planned again over fewer events, from the same reads.
 */
export const MAX_EVENTS_PER_COMMIT = 100;
/** Most users whose events share one commit. */
export const MAX_USERS_PER_COMMIT = 40;
/** Mutations budget of one commit's users (Deno KV allows 1,000; figures take the rest). */
const MAX_COMMIT_MUTATIONS = 900 - SYNC_STAT_MUTATIONS;
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
    listAwardEntries(kv, userId),
    userPathIds(kv, userId),
  ] as const;
  await Promise.allSettled(firstReads); // No read is left in flight when another fails.
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
  // Too much for one commit: the same reads planned again over fewer events, not read again.
  for (let count = firstPlanSize(kv, taken.length, MAX_MESSAGES_BYTES);;) {
    const work = await planned(count);
    notePlanSize(kv, count, work.messageBytes);
    const fit = Math.min(
      MAX_MESSAGES_BYTES / work.messageBytes,
      MAX_COMMIT_MUTATIONS / mutationsOf(work, kv),
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
  awards: readonly Deno.KvEntry<Award>[];
  pathIds: readonly string[];
  items: readonly TrackedItem[];
  catalog: CatalogSnapshot;
  outboxKeys: Deno.KvKey[]; // including any whose event is missing or processed
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
        awards: awards.map((e) => e.value),
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
    readAwards: awards,
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
      const count = mutationsOf(work, kv);
      const full = bytes + size > MAX_COMMIT_BYTES || mutations + count > MAX_COMMIT_MUTATIONS;
      if (included.length > 0 && full) break;
      bytes += size;
      mutations += count;
      included.push(work);
      addUserWork(op, kv, work);
    }
    if (included.length === 0) return { processed: 0, pending: users.slice(candidates.length) };
    addCommitFigures(op, included, Date.parse(at));
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
