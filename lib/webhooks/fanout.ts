import { monotonicUlids } from "../ids.ts";
import { canonicalJson } from "../core/content_hash.ts";
import { webhookDeliveryBySeqKey, webhookDeliveryDueKey, webhookDeliveryKey } from "../kv_keys.ts";
import type { LiveMessage } from "../core/project.ts";
import { subscribes, type WebhookEndpoint } from "./endpoint_store.ts";
import { webhookMessageId } from "./signing.ts";
import type { WebhookDelivery } from "./delivery_store.ts";

const nextSeq = monotonicUlids();

/** The body of a delivery, per the Standard Webhooks spec: `{ type, timestamp, data }`. */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

function sourceIdOf(message: LiveMessage): string {
  const data = message.data as Record<string, unknown> | null;
  const eventId = data && typeof data === "object" ? data.eventId : undefined;
  if (typeof eventId === "string") return eventId;
  // No event id in the message: its content identifies it.
  return `content:${canonicalJson(message.data)}`;
}

function newDelivery(
  who: { id: string; endpointId: string; userId: string; type: string },
  body: string,
  nowMs: number,
): WebhookDelivery {
  return {
    ...who,
    seq: nextSeq(nowMs),
    payload: body,
    status: "pending",
    attempts: 0,
    retry: 0,
    nextAttemptAt: nowMs,
    createdAt: new Date(nowMs).toISOString(),
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    succeededAt: null,
    deadAt: null,
    replays: 0,
  };
}

/** The event type of the test message an admin sends to check an endpoint. */
export const TEST_MESSAGE_TYPE = "webhook.test";

/**
 * A test message for one endpoint (whatever it subscribes to), due at `nowMs`, signed and retried
 * like any delivery; its `webhook-id` is fresh each time (`testId`).
 */
export function testDeliveryFor(
  endpoint: WebhookEndpoint,
  testId: string,
  nowMs: number,
): WebhookDelivery {
  const payload: WebhookPayload = {
    type: TEST_MESSAGE_TYPE,
    timestamp: new Date(nowMs).toISOString(),
    data: { endpointId: endpoint.id, message: "A test message from Progress Sync" },
  };
  return newDelivery(
    { id: `msg_test_${testId}`, endpointId: endpoint.id, userId: "admin", type: TEST_MESSAGE_TYPE },
    JSON.stringify(payload),
    nowMs,
  );
}

/**
 * The deliveries that `userId`'s live messages of one processing commit become: one per
 * (message, subscribed endpoint), due at `nowMs`, each with a `webhook-id` derived from the message
 * (see `webhookMessageId`) and the exact body it will be signed and sent with. Pure but for the
 * creation-order ids (ULIDs).
 */
export function deliveriesFor(
  userId: string,
  messages: readonly LiveMessage[],
  endpoints: readonly WebhookEndpoint[],
  nowMs: number,
): WebhookDelivery[] {
  if (endpoints.length === 0 || messages.length === 0) return [];
  const timestamp = new Date(nowMs).toISOString();
  const ordinals = new Map<string, number>();
  const out: WebhookDelivery[] = [];
  for (const message of messages) {
    const targets = endpoints.filter((e) => subscribes(e, message.event));
    if (targets.length === 0) continue;
    const sourceId = sourceIdOf(message);
    const slot = `${message.event}\u0000${sourceId}`;
    const ordinal = ordinals.get(slot) ?? 0;
    ordinals.set(slot, ordinal + 1);
    const id = webhookMessageId({ userId, type: message.event, sourceId, ordinal });
    const data = message.data && typeof message.data === "object"
      ? { userId, ...(message.data as Record<string, unknown>) }
      : { userId, value: message.data };
    const payload: WebhookPayload = { type: message.event, timestamp, data };
    const body = JSON.stringify(payload);
    for (const endpoint of targets) {
      out.push(
        newDelivery({ id, endpointId: endpoint.id, userId, type: message.event }, body, nowMs),
      );
    }
  }
  return out;
}

/** Adds new deliveries to a processing commit: each record, its creation-order index and due entry. */
export function addDeliveries(
  op: Deno.AtomicOperation,
  deliveries: readonly WebhookDelivery[],
): void {
  for (const delivery of deliveries) {
    op.set(webhookDeliveryKey(delivery.endpointId, delivery.id), delivery)
      .set(webhookDeliveryBySeqKey(delivery.endpointId, delivery.seq), delivery.id)
      .set(webhookDeliveryDueKey(delivery.nextAttemptAt!, delivery.endpointId, delivery.id), null);
  }
}
