import {
  keyString,
  webhookAttemptKey,
  webhookAttemptsPrefix,
  webhookDeadLetterKey,
  webhookDeadLettersPrefix,
  webhookDeliveriesBySeqPrefix,
  webhookDeliveriesDuePrefix,
  webhookDeliveryBySeqKey,
  webhookDeliveryDueKey,
  webhookDeliveryKey,
  webhookEndpointHealthKey,
} from "../kv_keys.ts";
import { commitWithRetry } from "../kv_commit.ts";
import { getManyBatched } from "../kv_batch_reader.ts";

/** Where a delivery is: waiting (or between retries), being sent, acknowledged, or given up on. */
export type DeliveryStatus = "pending" | "delivering" | "succeeded" | "dead";

/** One message for one endpoint. Its `id` is the `webhook-id` of every attempt, replays included. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  /** Creation order within the endpoint (a ULID); the cursor of listings and replays. */
  seq: string;
  userId: string;
  type: string;
  /** The exact JSON body every attempt sends and signs. */
  payload: string;
  status: DeliveryStatus;
  /** Attempts made, replays included. */
  attempts: number;
  /** Position in the retry schedule of the next retry (0 after creation or a replay). */
  retry: number;
  /** When it is due (epoch ms): the key of its due-queue entry; null once succeeded or dead. */
  nextAttemptAt: number | null;
  createdAt: string;
  lastAttemptAt: string | null;
  /** HTTP status of the last attempt; null for none or a network error. */
  lastStatus: number | null;
  lastError: string | null;
  succeededAt: string | null;
  deadAt: string | null;
  replays: number;
}

/** One attempt, as the delivery log shows it. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The `webhook-timestamp` it was signed with. */
  webhookTimestamp: number;
  /** HTTP status, or null when no response came (refused, timeout). */
  status: number | null;
  ok: boolean;
  latencyMs: number;
  /** The first 500 characters of the response body. */
  responseSnippet: string;
  error: string | null;
  /** When the next attempt is due, if one is scheduled. */
  nextAttemptAt: string | null;
}

/** Delivery figures of one endpoint. */
export interface EndpointHealth {
  attempts: number;
  succeeded: number;
  failed: number;
  deadLetters: number;
  consecutiveDeadLetters: number;
  /** Start of the current run of failures (null after a success). */
  failingSince: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastLatencyMs: number | null;
  /** Outcomes of the latest attempts, newest last (at most `RECENT_OUTCOMES`). */
  recent: boolean[];
}

/** How many latest outcomes an endpoint's figures keep. */
export const RECENT_OUTCOMES = 50;
/** How long attempt records are kept. */
export const ATTEMPT_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Longest response snippet kept per attempt. */
export const SNIPPET_LIMIT = 500;

/** Figures of an endpoint with no attempts. */
export function emptyHealth(): EndpointHealth {
  return {
    attempts: 0,
    succeeded: 0,
    failed: 0,
    deadLetters: 0,
    consecutiveDeadLetters: 0,
    failingSince: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    lastLatencyMs: null,
    recent: [],
  };
}

/** Reads an endpoint's figures. */
export async function getEndpointHealth(kv: Deno.Kv, endpointId: string): Promise<EndpointHealth> {
  return (await kv.get<EndpointHealth>(webhookEndpointHealthKey(endpointId))).value ??
    emptyHealth();
}

/** A due-queue entry. */
export interface DueEntry {
  key: Deno.KvKey;
  versionstamp: string;
  dueAt: number;
  endpointId: string;
  deliveryId: string;
}

/** Lists due-queue entries due at or before `nowMs`, soonest first. */
export async function listDue(kv: Deno.Kv, nowMs: number, limit: number): Promise<DueEntry[]> {
  const prefix = webhookDeliveriesDuePrefix();
  const out: DueEntry[] = [];
  for await (
    const entry of kv.list<null>({ prefix, end: [...prefix, nowMs + 1] }, { limit })
  ) {
    const [, dueAt, endpointId, deliveryId] = entry.key as [string, number, string, string];
    out.push({ key: entry.key, versionstamp: entry.versionstamp, dueAt, endpointId, deliveryId });
  }
  return out;
}

/** When the soonest delivery is due (epoch ms), or null when none is queued. */
export async function nextDueAt(kv: Deno.Kv): Promise<number | null> {
  for await (const entry of kv.list<null>({ prefix: webhookDeliveriesDuePrefix() }, { limit: 1 })) {
    return entry.key[1] as number;
  }
  return null;
}

/** Reads one delivery, or null. */
export async function getDelivery(
  kv: Deno.Kv,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery | null> {
  return (await kv.get<WebhookDelivery>(webhookDeliveryKey(endpointId, deliveryId))).value;
}

/** A delivery this worker holds: the record as claimed and its lease's due-queue key. */
export interface ClaimedDelivery {
  delivery: WebhookDelivery;
  versionstamp: string;
  leaseKey: Deno.KvKey;
}

/** The outcome of trying to claim a due entry. */
export type ClaimResult =
  | { kind: "claimed"; claimed: ClaimedDelivery }
  | { kind: "stale" }
  | { kind: "lost" };

/**
 * Claims a due delivery for one attempt, in one checked commit: the due entry and the record must
 * be unchanged, so two workers never send the same attempt. The entry moves to `leaseUntil`, so a
 * worker that dies mid-attempt leaves it due again later. Entries whose record is gone or no
 * longer due at that time are stale and are deleted.
 */
export async function claimDue(
  kv: Deno.Kv,
  due: DueEntry,
  leaseUntil: number,
): Promise<ClaimResult> {
  const record = await kv.get<WebhookDelivery>(webhookDeliveryKey(due.endpointId, due.deliveryId));
  const delivery = record.value;
  const live = delivery !== null && delivery.nextAttemptAt === due.dueAt &&
    (delivery.status === "pending" || delivery.status === "delivering");
  if (!live) {
    await kv.atomic().check({ key: due.key, versionstamp: due.versionstamp }).delete(due.key)
      .commit();
    return { kind: "stale" };
  }
  const leaseKey = webhookDeliveryDueKey(leaseUntil, due.endpointId, due.deliveryId);
  const claimedRecord: WebhookDelivery = {
    ...delivery,
    status: "delivering",
    nextAttemptAt: leaseUntil,
  };
  const result = await kv.atomic()
    .check({ key: due.key, versionstamp: due.versionstamp })
    .check(record)
    .delete(due.key)
    .set(leaseKey, null)
    .set(record.key, claimedRecord)
    .commit();
  if (!result.ok) return { kind: "lost" };
  return {
    kind: "claimed",
    claimed: { delivery: claimedRecord, versionstamp: result.versionstamp, leaseKey },
  };
}

/**
 * Records the end of an attempt: the delivery's new state (queued again, succeeded or dead), its
 * attempt in the log, and the endpoint's figures, in one commit. When the record changed since the
 * claim (replayed, or its endpoint deleted), only the attempt and the figures are recorded.
 * Returns the endpoint's figures after the attempt.
 */
export async function finishAttempt(
  kv: Deno.Kv,
  claimed: ClaimedDelivery,
  outcome: {
    /** The delivery as it stands after the attempt. */
    next: WebhookDelivery;
    /** The attempt, for the attempts log. */
    attempt: DeliveryAttempt;
    /** The endpoint's figures after the attempt, from the stored ones. */
    updateHealth: (health: EndpointHealth) => EndpointHealth;
  },
): Promise<EndpointHealth> {
  const { next, attempt, updateHealth } = outcome;
  const { endpointId, id } = claimed.delivery;
  const recordKey = webhookDeliveryKey(endpointId, id);
  const healthKey = webhookEndpointHealthKey(endpointId);
  return await commitWithRetry(async (tries) => {
    // Concurrent attempts all update the endpoint's figures: back off (with jitter) so they spread out.
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * tries));
    const [health, record] = await kv.getMany<[EndpointHealth, WebhookDelivery]>([
      healthKey,
      recordKey,
    ]);
    const updated = updateHealth(health.value ?? emptyHealth());
    const op = kv.atomic().check(health)
      .set(healthKey, updated)
      .set(webhookAttemptKey(endpointId, id, attempt.attempt), attempt, {
        expireIn: ATTEMPT_TTL_MS,
      });
    if (record.versionstamp === claimed.versionstamp) {
      op.check(record).delete(claimed.leaseKey).set(recordKey, next);
      if (next.nextAttemptAt !== null) {
        op.set(webhookDeliveryDueKey(next.nextAttemptAt, endpointId, id), null);
      }
      if (next.status === "dead") op.set(webhookDeadLetterKey(endpointId, next.seq), id);
    }
    return { value: updated, op };
  }, { what: `record attempt ${attempt.attempt} of delivery ${id}` });
}

/** Lists one delivery's attempts, oldest first. */
export async function listAttempts(
  kv: Deno.Kv,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryAttempt[]> {
  const out: DeliveryAttempt[] = [];
  for await (
    const entry of kv.list<DeliveryAttempt>({
      prefix: webhookAttemptsPrefix(endpointId, deliveryId),
    })
  ) out.push(entry.value);
  return out;
}

/** A page of deliveries, newest first, and the cursor of the next (older) page. */
export interface DeliveryPage {
  deliveries: WebhookDelivery[];
  cursor: string | null;
}

async function readDeliveries(
  kv: Deno.Kv,
  endpointId: string,
  ids: readonly string[],
): Promise<WebhookDelivery[]> {
  const entries = await getManyBatched<WebhookDelivery>(
    kv,
    ids.map((id) => webhookDeliveryKey(endpointId, id)),
  );
  return entries.flatMap((entry) => entry.value ? [entry.value] : []);
}

/**
 * Lists an endpoint's deliveries newest first, older than `cursor` (a delivery `seq`), optionally
 * only those with `status` (`pending` includes `delivering`; `dead` reads the dead-letter index).
 */
export async function listDeliveries(
  kv: Deno.Kv,
  endpointId: string,
  options: { status?: DeliveryStatus; cursor?: string; limit?: number } = {},
): Promise<DeliveryPage> {
  const limit = options.limit ?? 50;
  const prefix = options.status === "dead"
    ? webhookDeadLettersPrefix(endpointId)
    : webhookDeliveriesBySeqPrefix(endpointId);
  const selector: Deno.KvListSelector = options.cursor
    ? { prefix, end: [...prefix, options.cursor] }
    : { prefix };
  const matches = (d: WebhookDelivery) =>
    options.status === undefined || d.status === options.status ||
    (options.status === "pending" && d.status === "delivering");
  const out: WebhookDelivery[] = [];
  let lastSeq: string | null = null;
  let exhausted = true;
  let batch: { seq: string; id: string }[] = [];
  const flush = async () => {
    const records = await readDeliveries(kv, endpointId, batch.map((b) => b.id));
    for (const record of records) if (matches(record) && out.length < limit) out.push(record);
    batch = [];
  };
  let scanned = 0;
  for await (const entry of kv.list<string>(selector, { reverse: true })) {
    batch.push({ seq: keyString(entry.key, -1), id: entry.value });
    lastSeq = batch.at(-1)!.seq;
    scanned++;
    if (batch.length >= limit) await flush();
    if (out.length >= limit || scanned >= 5000) {
      exhausted = false;
      break;
    }
  }
  if (batch.length > 0) await flush();
  const cursor = exhausted ? null : (out.length >= limit ? out.at(-1)!.seq : lastSeq);
  return { deliveries: out, cursor };
}

/** Marks a due delivery dead without an attempt (its endpoint is disabled). */
export async function deadLetterWithoutAttempt(
  kv: Deno.Kv,
  claimed: ClaimedDelivery,
  reason: string,
  nowMs: number,
): Promise<void> {
  const { delivery } = claimed;
  const next: WebhookDelivery = {
    ...delivery,
    status: "dead",
    nextAttemptAt: null,
    lastError: reason,
    deadAt: new Date(nowMs).toISOString(),
  };
  await kv.atomic()
    .check({
      key: webhookDeliveryKey(delivery.endpointId, delivery.id),
      versionstamp: claimed.versionstamp,
    })
    .delete(claimed.leaseKey)
    .set(webhookDeliveryKey(delivery.endpointId, delivery.id), next)
    .set(webhookDeadLetterKey(delivery.endpointId, delivery.seq), delivery.id)
    .commit();
}

/** Deletes a claimed delivery whose endpoint no longer exists. */
export async function dropOrphan(kv: Deno.Kv, claimed: ClaimedDelivery): Promise<void> {
  const { delivery } = claimed;
  await kv.atomic()
    .delete(claimed.leaseKey)
    .delete(webhookDeliveryKey(delivery.endpointId, delivery.id))
    .delete(webhookDeliveryBySeqKey(delivery.endpointId, delivery.seq))
    .commit();
}
