/** The zero-loss verdict shared by the scenarios: log, projections, live messages and webhooks. */
import type { ServerProcess } from "../e2e/harness.ts";
import {
  checkConsistency,
  inconsistencyCount,
  readQueues,
  readSummary,
  readWholeLog,
  type Student,
  waitProcessed,
  waitWhileProgressing,
} from "./fixtures.ts";
import { followLive, type LiveFollower } from "./live_follower.ts";
import type { Report } from "./report.ts";
import type { WebhookReceiver } from "./webhook_receiver.ts";

/** What one student's clients posted: ids that got a 2xx, and every id sent with its minutes. */
export interface PostedLedger {
  student: Student;
  acked: Set<string>;
  /** Every event id sent (acknowledged or not), with its `timeSpent`. */
  sent: Map<string, number>;
}

/** Waits until `counts` holds every id, as long as new ones keep arriving (15 s without one ends it). */
async function waitForUpdates(
  what: string,
  ids: readonly string[],
  counts: ReadonlyMap<string, number>,
): Promise<void> {
  await waitWhileProgressing(
    what,
    () => Promise.resolve({ done: ids.every((id) => counts.has(id)), progress: counts.size }),
    15_000,
  ).catch(() => {});
}

/** Counts of `ids` seen 0 times and more than once in `counts`. */
function missingAndDoubled(ids: Iterable<string>, counts: Map<string, number>) {
  let missing = 0;
  let doubled = 0;
  for (const id of ids) {
    const n = counts.get(id) ?? 0;
    if (n === 0) missing++;
    if (n > 1) doubled++;
  }
  return { missing, doubled };
}

/** Every acknowledged id is in the log, once, and the log holds nothing that was not sent. */
export async function checkLogHoldsAcked(
  server: ServerProcess,
  report: Report,
  scenario: string,
  ledgers: readonly PostedLedger[],
  label = "every 2xx event is in the log",
): Promise<Map<string, string[]>> {
  const logs = new Map<string, string[]>();
  let acked = 0, missing = 0, twice = 0, unknown = 0, logged = 0;
  for (const ledger of ledgers) {
    const ids = (await readWholeLog(server, ledger.student.token)).map((e) => e.id);
    logs.set(ledger.student.userId, ids);
    const set = new Set(ids);
    logged += ids.length;
    twice += ids.length - set.size;
    acked += ledger.acked.size;
    for (const id of ledger.acked) if (!set.has(id)) missing++;
    for (const id of set) if (!ledger.sent.has(id)) unknown++;
  }
  report.check(
    scenario,
    label,
    missing === 0 && twice === 0 && unknown === 0,
    `${acked} acked, ${logged} logged, ${missing} missing, ${twice} logged twice, ${unknown} unknown`,
  );
  return logs;
}

/**
 * The full verdict after the dust settles: the log holds every acknowledged event once; each is
 * processed exactly once (empty outbox, a replay of the log equals the projections, summary totals
 * equal the logged events'); the stored live messages and every given follower saw one
 * `progress_update` per event; and, with a receiver, one webhook message per event arrived.
 */
export async function verifyZeroLoss(
  server: ServerProcess,
  report: Report,
  scenario: string,
  ledgers: readonly PostedLedger[],
  options: {
    followers?: ReadonlyMap<string, LiveFollower>;
    receiver?: WebhookReceiver;
    /** Re-sent deliveries (same `webhook-id`) allowed, e.g. attempts cut off by a crash. */
    allowedWebhookResends?: number;
    /** Longest wait without a new delivery arriving before the missing ones count as lost. */
    webhookStallMs?: number;
  } = {},
): Promise<void> {
  await waitProcessed(server);
  const logs = await checkLogHoldsAcked(server, report, scenario, ledgers);

  const consistency = await checkConsistency(server);
  let totalsOff = 0;
  for (const ledger of ledgers) {
    const ids = logs.get(ledger.student.userId) ?? [];
    const summary = await readSummary(server, ledger.student.token);
    const minutes = ids.reduce((sum, id) => sum + (ledger.sent.get(id) ?? 0), 0);
    if (summary.completed !== ids.length || summary.timeSpentMinutes !== minutes) totalsOff++;
  }
  report.check(
    scenario,
    "processed exactly once (projections = replay of the log)",
    inconsistencyCount(consistency) === 0 && totalsOff === 0,
    `${consistency.checkedEvents} events replayed, ${inconsistencyCount(consistency)} ` +
      `inconsistencies, ${totalsOff} students with totals off`,
  );

  let storedMissing = 0, storedDoubled = 0, followMissing = 0, followDoubled = 0, reconnects = 0;
  for (const ledger of ledgers) {
    const ids = logs.get(ledger.student.userId) ?? [];
    const replay = followLive(server.port, ledger.student.token, "0");
    try {
      await waitForUpdates("every stored live message", ids, replay.progressUpdates);
      const stored = missingAndDoubled(ids, replay.progressUpdates);
      storedMissing += stored.missing;
      storedDoubled += stored.doubled;
    } finally {
      await replay.close();
    }
    const follower = options.followers?.get(ledger.student.userId);
    if (!follower) continue;
    await waitForUpdates("the follower to catch up", ids, follower.progressUpdates);
    const seen = missingAndDoubled(ids, follower.progressUpdates);
    followMissing += seen.missing;
    followDoubled += seen.doubled;
    reconnects += follower.connections() - 1;
  }
  report.check(
    scenario,
    "one stored progress_update per event",
    storedMissing === 0 && storedDoubled === 0,
    `${storedMissing} missing, ${storedDoubled} doubled`,
  );
  if (options.followers) {
    report.check(
      scenario,
      "live clients resuming with Last-Event-ID saw each once",
      followMissing === 0 && followDoubled === 0,
      `${reconnects} reconnects, ${followMissing} missed, ${followDoubled} doubled`,
    );
  }

  const receiver = options.receiver;
  if (!receiver) return;
  const all = [...logs.values()].flat();
  // Wait for the server's queue to drain too: a delivery re-sent late must be counted.
  await waitWhileProgressing(
    "every webhook delivery",
    async () => {
      const seen = receiver.idsPerEvent("progress_update");
      const done = all.every((id) => seen.has(id)) &&
        (await readQueues(server)).pendingDeliveries === 0;
      return { done, progress: receiver.received.length };
    },
    options.webhookStallMs ?? 30_000,
    500,
  ).catch(() => {});
  const perEvent = receiver.idsPerEvent("progress_update");
  const counts = new Map([...perEvent].map(([id, ids]) => [id, ids.size]));
  const { missing, doubled } = missingAndDoubled(all, counts);
  const resends = receiver.duplicates();
  const queues = await readQueues(server);
  report.check(
    scenario,
    "one webhook message per event (distinct webhook-id)",
    missing === 0 && doubled === 0 && resends <= (options.allowedWebhookResends ?? 0) &&
      queues.pendingDeliveries === 0 && queues.deadLetters === 0,
    `${receiver.distinctIds()} ids, ${missing} missing, ${doubled} events with two ids, ` +
      `${resends} re-sent (same id), ${queues.pendingDeliveries} pending, ` +
      `${queues.deadLetters} dead letters`,
  );
}
