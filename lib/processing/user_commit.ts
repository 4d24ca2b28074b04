/** One student's share of a processing commit: what was planned, how big it is, and its writes. */
import { type StoredEvent, targetsOf } from "../core/event_schema.ts";
import {
  achievementFactsKey,
  achievementKey,
  activityStateKey,
  eventsByActivityPrefix,
  itemStateKey,
  resultKey,
  stepCompletionKey,
  summaryKey,
  userPathKey,
} from "../kv_keys.ts";
import { addNotifications } from "../live/notification_store.ts";
import type { ProjectionOutput } from "../core/project.ts";
import type { ProgressSummary } from "../core/summary.ts";
import type { SyncOutput } from "../core/sync_step.ts";
import type { Award, AwardOutput } from "../core/award_step.ts";
import type { WebhookDelivery } from "../webhooks/delivery_store.ts";
import { addDeliveries } from "../webhooks/fanout.ts";
import { addSyncStats } from "./sync_stats.ts";
import type { ConflictPlan } from "../conflicts/conflict_step.ts";
import { addConflictWrites } from "../conflicts/conflict_store.ts";

/** One user's share of a commit: what was read and what the projection step made of it. */
export interface UserWork {
  userId: string;
  summaryEntry: Deno.KvEntryMaybe<ProgressSummary>;
  events: StoredEvent[];
  /** Outbox keys to delete (including any whose event is missing). */
  outboxKeys: Deno.KvKey[];
  output: ProjectionOutput;
  sync: SyncOutput;
  /** New or updated achievements and the student's updated facts. */
  awards: AwardOutput;
  /** The student's awards as read: those rewritten are checked against what was read. */
  readAwards: readonly Deno.KvEntry<Award>[];
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

/** Estimated bytes one user's share writes. */
export function bytesOf(work: UserWork): number {
  return JSON.stringify(work.output).length + JSON.stringify(work.events).length / 4 +
    JSON.stringify(work.deliveries).length + JSON.stringify(work.conflicts.writes).length +
    JSON.stringify(work.conflicts.corrections).length;
}

/**
 * Adds one user's share to a processing commit, checking their summary (exclusive per user). The
 * per-system figures are added once for the whole commit (`addSyncStats`), not per user.
 */
export function addUserWork(op: Deno.AtomicOperation, kv: Deno.Kv, work: UserWork): void {
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
    const read = work.readAwards.find((e) => e.value.achievementId === award.achievementId);
    if (read) op.check(read);
    op.set(achievementKey(userId, award.achievementId), award);
  }
  for (const [activityId, at] of work.awards.stepCompletions) {
    op.set(stepCompletionKey(userId, activityId), at);
  }
  addConflictWrites(op, kv, userId, work.conflicts.writes, work.conflicts.corrections);
  addNotifications(op, kv, userId, output.messages);
  addDeliveries(op, work.deliveries);
}

/** Adds the per-system figures of all of a commit's users once (not once per user). */
export function addCommitFigures(
  op: Deno.AtomicOperation,
  works: readonly UserWork[],
  nowMs: number,
): void {
  addSyncStats(op, works.flatMap((w) => w.events), works.flatMap((w) => w.output.messages), nowMs);
}

/** Live-message bytes per event in the latest plan of at least `SIZING_EVENTS` events, per KV. */
const messageBytesPerEvent = new WeakMap<Deno.Kv, number>();
const SIZING_EVENTS = 10;

/**
 * How many of `pending` events to plan first: all of them, unless recent plans' live messages
 * say they would not fit `maxMessageBytes` (then about as many as would), so a posted batch of
 * 100 is not planned whole only to be planned again over fewer.
 */
export function firstPlanSize(kv: Deno.Kv, pending: number, maxMessageBytes: number): number {
  const perEvent = messageBytesPerEvent.get(kv);
  if (perEvent === undefined || pending < SIZING_EVENTS) return pending;
  return Math.max(1, Math.min(pending, Math.floor((maxMessageBytes / perEvent) * 0.95)));
}

/** Records what a plan of `events` events wrote as live messages, for `firstPlanSize`. */
export function notePlanSize(kv: Deno.Kv, events: number, messageBytes: number): void {
  if (events >= SIZING_EVENTS) messageBytesPerEvent.set(kv, messageBytes / events);
}

/** True when Deno KV refused a commit for exceeding its size or count limits. */
export function isCommitTooLarge(error: unknown): boolean {
  return error instanceof TypeError && /too large|too many/i.test(error.message);
}

/**
 * Mutations `addUserWork` makes for one user, counted by running it on an operation that only
 * counts (checks aside, which Deno KV limits apart).
 */
export function mutationsOf(work: UserWork, kv: Deno.Kv): number {
  let count = 0;
  const counting: Deno.AtomicOperation = new Proxy({} as Deno.AtomicOperation, {
    get: (_target, name) => () => {
      if (name !== "check") count++;
      return counting;
    },
  });
  addUserWork(counting, kv, work);
  return count;
}
