/** A local webhook receiver that counts deliveries by `webhook-id` and can go down and come back. */
import { freePort } from "../e2e/harness.ts";

/** One delivery as received. */
export interface ReceivedWebhook {
  webhookId: string;
  type: string;
  /** The `eventId` in the payload's data, when it has one. */
  eventId: string | null;
}

/** A receiver listening on a fixed loopback port. */
export interface WebhookReceiver {
  url: string;
  /** Every delivery received, duplicates included, in arrival order. */
  received: ReceivedWebhook[];
  /** Distinct `webhook-id`s received. */
  distinctIds(): number;
  /** Deliveries whose `webhook-id` had been received before. */
  duplicates(): number;
  /** Distinct `webhook-id`s received per event id (for one message type). */
  idsPerEvent(type: string): Map<string, Set<string>>;
  /** Stops listening (connections are refused until `start`). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): void;
}

/** Starts a receiver answering 204 to every POST; it stores what each delivery carried. */
export function startWebhookReceiver(): WebhookReceiver {
  const port = freePort();
  const received: ReceivedWebhook[] = [];
  let server: Deno.HttpServer | null = null;

  async function handle(request: Request): Promise<Response> {
    const webhookId = request.headers.get("webhook-id") ?? "";
    const body = await request.json().catch(() => ({})) as {
      type?: string;
      data?: { eventId?: unknown };
    };
    received.push({
      webhookId,
      type: body.type ?? "",
      eventId: typeof body.data?.eventId === "string" ? body.data.eventId : null,
    });
    return new Response(null, { status: 204 });
  }

  function start(): void {
    server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, handle);
  }
  start();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    distinctIds: () => new Set(received.map((r) => r.webhookId)).size,
    duplicates: () => received.length - new Set(received.map((r) => r.webhookId)).size,
    idsPerEvent(type) {
      const out = new Map<string, Set<string>>();
      for (const r of received) {
        if (r.type !== type || r.eventId === null) continue;
        const ids = out.get(r.eventId) ?? new Set<string>();
        ids.add(r.webhookId);
        out.set(r.eventId, ids);
      }
      return out;
    },
    async stop() {
      const running = server;
      server = null;
      await running?.shutdown();
    },
    start,
  };
}
