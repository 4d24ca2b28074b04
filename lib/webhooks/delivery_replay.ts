/** Replaying webhook deliveries: one delivery again, or every delivery of an endpoint since a point. */
import {
  webhookDeadLetterKey,
  webhookDeliveriesBySeqPrefix,
  webhookDeliveryDueKey,
  webhookDeliveryKey,
} from "../kv_keys.ts";
import { commitWithRetry } from "../kv_commit.ts";
import { KEYS_PER_READ } from "../kv_batch_reader.ts";
import type { WebhookDelivery } from "./delivery_store.ts";

/**
 * Queues a delivery again, now, with the same `webhook-id` and body: a fresh run of the retry
 * schedule. A delivery being sent right now is left alone (returns "in_flight").
 */
export async function replayDelivery(
  kv: Deno.Kv,
  endpointId: string,
  deliveryId: string,
  nowMs: number,
): Promise<"queued" | "in_flight" | "not_found"> {
  return await commitWithRetry(async () => {
    const entry = await kv.get<WebhookDelivery>(webhookDeliveryKey(endpointId, deliveryId));
    const delivery = entry.value;
    if (!delivery) return { value: "not_found" as const };
    if (delivery.status === "delivering") return { value: "in_flight" as const };
    const op = kv.atomic().check(entry);
    addReplay(op, delivery, nowMs);
    return { value: "queued" as const, op };
  }, { what: `replay delivery ${deliveryId}` });
}

function addReplay(op: Deno.AtomicOperation, delivery: WebhookDelivery, nowMs: number): void {
  const { endpointId, id } = delivery;
  if (delivery.nextAttemptAt !== null) {
    op.delete(webhookDeliveryDueKey(delivery.nextAttemptAt, endpointId, id));
  }
  if (delivery.status === "dead") op.delete(webhookDeadLetterKey(endpointId, delivery.seq));
  op.set(
    webhookDeliveryKey(endpointId, id),
    {
      ...delivery,
      status: "pending",
      retry: 0,
      nextAttemptAt: nowMs,
      replays: delivery.replays + 1,
    } satisfies WebhookDelivery,
  )
    .set(webhookDeliveryDueKey(nowMs, endpointId, id), null);
}

/**
 * Queues again every delivery of an endpoint created after `sinceSeq` that is not already queued
 * (succeeded and dead ones), oldest first, at most `limit`. Returns how many were queued and the
 * seq of the last one looked at (pass it back to continue).
 */
export async function replaySince(
  kv: Deno.Kv,
  endpointId: string,
  sinceSeq: string,
  nowMs: number,
  options: { limit?: number } = {},
): Promise<{ replayed: number; cursor: string; more: boolean }> {
  const limit = options.limit ?? 10_000;
  const prefix = webhookDeliveriesBySeqPrefix(endpointId);
  let cursor = sinceSeq;
  let replayed = 0;
  let more = false;
  let ids: string[] = [];
  let seen = 0;
  const flush = async () => {
    // Not `getManyBatched`: each group of 10 is read, checked and committed on its own, so a
    // delivery that changes meanwhile costs only its group's replay and commits stay small.
    for (let i = 0; i < ids.length; i += KEYS_PER_READ) {
      const chunk = ids.slice(i, i + KEYS_PER_READ);
      const entries = await kv.getMany<WebhookDelivery[]>(
        chunk.map((id) => webhookDeliveryKey(endpointId, id)),
      );
      const op = kv.atomic();
      let count = 0;
      for (const entry of entries) {
        const d = entry.value;
        if (!d || d.status === "pending" || d.status === "delivering") continue;
        op.check(entry);
        addReplay(op, d, nowMs);
        count++;
      }
      if (count > 0 && (await op.commit()).ok) replayed += count;
    }
    ids = [];
  };
  for await (
    const entry of kv.list<string>({ prefix, start: [...prefix, `${sinceSeq}\u0000`] })
  ) {
    if (seen >= limit) {
      more = true;
      break;
    }
    ids.push(entry.value);
    cursor = entry.key[entry.key.length - 1] as string;
    seen++;
    if (ids.length >= 100) await flush();
  }
  await flush();
  return { replayed, cursor, more };
}
