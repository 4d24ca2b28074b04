import { getStoredEvents, type OutboxEntry } from "../events/log_store.ts";
import { activityIdOf, type StoredEvent } from "../events/schema.ts";
import {
  activityStateKey,
  eventsByActivityPrefix,
  outboxPrefix,
  resultKey,
  summaryKey,
} from "../kv_keys.ts";
import { addNotifications } from "../live/notification_store.ts";
import type { ActivityState } from "../progress/activity_state.ts";
import { activitiesNeedingHistory, groupByActivity, project } from "../progress/project.ts";
import { emptySummary, type ProgressSummary } from "../progress/summary.ts";

/** Most events applied in one commit (each costs an outbox check, and a state check per activity). */
export const MAX_EVENTS_PER_COMMIT = 30;
const MAX_COMMIT_ATTEMPTS = 10;

/** What one call to `processPendingEvents` did. */
export interface ProcessOutcome {
  processed: number;
  /** True when more events were pending than one commit takes. */
  more: boolean;
}

async function getManyChunked<T>(
  kv: Deno.Kv,
  keys: readonly Deno.KvKey[],
): Promise<Deno.KvEntryMaybe<T>[]> {
  const chunks: Deno.KvKey[][] = [];
  for (let i = 0; i < keys.length; i += 10) chunks.push(keys.slice(i, i + 10));
  return (await Promise.all(chunks.map((c) => kv.getMany<T[]>(c)))).flat();
}

async function listActivityHistory(
  kv: Deno.Kv,
  userId: string,
  activityId: string,
): Promise<StoredEvent[]> {
  const ids: [string, string][] = [];
  for await (
    const entry of kv.list<string>({
      prefix: eventsByActivityPrefix(userId, activityId),
    })
  ) ids.push([userId, entry.value]);
  return (await getStoredEvents(kv, ids)).filter((e) => e !== undefined);
}

/**
 * Applies up to `MAX_EVENTS_PER_COMMIT` of a user's pending events in one atomic commit that
 * writes the projections, results and live messages and deletes the outbox entries. The commit
 * checks every entry it read, so an event is applied exactly once even when several
 * processors race; a lost race is retried with fresh reads.
 */
export async function processPendingEvents(
  kv: Deno.Kv,
  userId: string,
  options: { now?: () => Date } = {},
): Promise<ProcessOutcome> {
  const now = options.now ?? (() => new Date());
  for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
    const outbox: Deno.KvEntry<OutboxEntry>[] = [];
    for await (
      const entry of kv.list<OutboxEntry>({ prefix: outboxPrefix(userId) }, {
        limit: MAX_EVENTS_PER_COMMIT + 1,
      })
    ) outbox.push(entry);
    if (outbox.length === 0) return { processed: 0, more: false };
    const more = outbox.length > MAX_EVENTS_PER_COMMIT;
    const taken = outbox.slice(0, MAX_EVENTS_PER_COMMIT);
    const eventIds = taken.map((e) => e.key[e.key.length - 1] as string);
    const loaded = await getStoredEvents(kv, eventIds.map((id) => [userId, id]));
    const events = loaded.filter((e) => e !== undefined);

    const activityIds = [...groupByActivity(events).keys()];
    const [summaryEntry, ...stateEntries] = await getManyChunked<
      ProgressSummary | ActivityState
    >(kv, [
      summaryKey(userId),
      ...activityIds.map((a) => activityStateKey(userId, a)),
    ]);
    const states = new Map<string, ActivityState>();
    stateEntries.forEach((entry, i) => {
      if (entry.value) states.set(activityIds[i]!, entry.value as ActivityState);
    });
    const histories = new Map<string, StoredEvent[]>();
    for (const activityId of activitiesNeedingHistory(events, states)) {
      histories.set(
        activityId,
        await listActivityHistory(kv, userId, activityId),
      );
    }
    const summary = (summaryEntry!.value as ProgressSummary | null) ??
      emptySummary(userId);
    const output = project({
      now: now().toISOString(),
      events,
      states,
      histories,
      summary,
    });

    const op = kv.atomic().check({
      key: summaryKey(userId),
      versionstamp: summaryEntry!.versionstamp,
    });
    for (const entry of taken) op.check(entry).delete(entry.key);
    stateEntries.forEach((entry) => op.check(entry));
    for (const [activityId, state] of output.states) {
      op.set(activityStateKey(userId, activityId), state);
    }
    for (const event of events) {
      op.set(
        [...eventsByActivityPrefix(userId, activityIdOf(event)), event.id],
        event.id,
      );
    }
    for (const result of output.results) {
      op.set(resultKey(userId, result.eventId), result);
    }
    op.set(summaryKey(userId), output.summary);
    addNotifications(op, kv, userId, output.messages);
    const committed = await op.commit();
    if (committed.ok) return { processed: events.length, more };
  }
  throw new Error(`Could not process events of user ${userId}: too much contention`);
}
