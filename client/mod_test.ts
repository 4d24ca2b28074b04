import assert from "node:assert/strict";
import fc from "fast-check";
import { kvQueueStorage } from "./kv_storage.ts";
import {
  createProgressClient,
  dispositionOf,
  type QueueStorage,
  type Rejection,
  retryAfterMs,
  retryDelayMs,
  type TrackedEvent,
} from "./mod.ts";
import { webStorageQueue } from "./web_storage.ts";

function event(activityId: string): TrackedEvent {
  return {
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: { activityId, activityType: "video", completionStatus: "completed" },
  };
}

type Sent = { ids: string[] };

/** A fake server: `answer` decides each response from the batch (default: 202, all accepted). */
function fakeServer(
  answer: (ids: string[], call: number) => Response | "network" = (ids) => accepted(ids),
) {
  const sent: Sent[] = [];
  const fetch = (_url: string | URL | Request, init?: RequestInit) => {
    const ids = (JSON.parse(String(init?.body)).events as { id: string }[]).map((e) => e.id);
    sent.push({ ids });
    const response = answer(ids, sent.length);
    return response === "network"
      ? Promise.reject(new TypeError("connection refused"))
      : Promise.resolve(response);
  };
  return { sent, fetch: fetch as typeof globalThis.fetch };
}

function accepted(ids: string[], status = "accepted"): Response {
  return Response.json({ results: ids.map((id) => ({ id, status })) }, { status: 202 });
}

/** A client of `server` that collects what it refuses. */
function reportingClient(server: ReturnType<typeof fakeServer>) {
  const rejected: Rejection[] = [];
  const client = createProgressClient({
    baseUrl: "http://x",
    token: "t",
    fetch: server.fetch,
    onRejected: (r) => rejected.push(...r),
  });
  return { client, rejected };
}

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  };
}

Deno.test("the client sends full batches of 100 at once and the rest on flush, ids added", async () => {
  const server = fakeServer();
  const client = createProgressClient({
    baseUrl: "http://x",
    token: "t",
    fetch: server.fetch,
    flushDelayMs: 60_000,
  });
  const ids = Array.from({ length: 250 }, (_, i) => client.track(event(`a${i}`)));
  await client.flush();
  assert.deepEqual(server.sent.map((s) => s.ids.length), [100, 100, 50]);
  assert.deepEqual(server.sent.flatMap((s) => s.ids), ids);
  assert.equal(new Set(ids).size, 250);
  assert.match(ids[0]!, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(client.pending, 0);
  await client.close();
});

Deno.test("a partly filled batch goes after the short delay without a flush", async () => {
  const server = fakeServer();
  const delivered = Promise.withResolvers<string[]>();
  const client = createProgressClient({
    baseUrl: "http://x",
    token: "t",
    fetch: server.fetch,
    flushDelayMs: 5,
    onDelivered: delivered.resolve,
  });
  const ids = [client.track(event("a")), client.track(event("b"))];
  assert.deepEqual(await delivered.promise, ids);
  assert.equal(server.sent.length, 1);
  await client.close();
});

Deno.test("network errors, 5xx and 429 are retried with the same events; Retry-After is honoured", async () => {
  const answers: (Response | "network")[] = [
    "network",
    new Response("down", { status: 503 }),
    new Response("slow down", { status: 429, headers: { "retry-after": "1" } }),
  ];
  const server = fakeServer((ids, call) => answers[call - 1] ?? accepted(ids));
  const waits: number[] = [];
  const client = createProgressClient({
    baseUrl: "http://x",
    token: "t",
    fetch: server.fetch,
    retry: { baseMs: 1, maxMs: 5 },
    onTrouble: (t) => waits.push(t.retryInMs),
  });
  const id = client.track(event("a"));
  await client.flush();
  assert.equal(server.sent.length, 4);
  assert.ok(server.sent.every((s) => s.ids.length === 1 && s.ids[0] === id));
  assert.equal(waits.length, 3);
  assert.ok(waits[0]! <= 5 && waits[1]! <= 5, "backoff stays under maxMs");
  assert.equal(waits[2], 1000, "Retry-After: 1 means a second");
  await client.close();
});

Deno.test("a 400 naming one event of a batch refuses only that one, which is never sent again", async () => {
  let bad = "";
  const server = fakeServer((ids) => {
    const index = ids.indexOf(bad);
    if (index === -1) return accepted(ids);
    return Response.json({
      error: "Invalid batch",
      issues: [{ path: `events[${index}].eventData.activityType`, message: "Invalid option" }],
    }, { status: 400 });
  });
  const { client, rejected } = reportingClient(server);
  const first = client.track(event("a"));
  bad = client.track(event("b"));
  const third = client.track(event("c"));
  await client.flush();
  assert.deepEqual(rejected.map((r) => [r.event.id, r.status]), [[bad, 400]]);
  assert.deepEqual(server.sent.map((s) => s.ids), [[first, bad, third], [first, third]]);
  await client.close();
});

Deno.test("an id the server holds with different content is reported, not retried", async () => {
  const server = fakeServer((ids) =>
    Response.json({
      results: ids.map((id, i) => ({ id, status: i === 0 ? "conflict" : "duplicate" })),
    }, { status: 202 })
  );
  const { client, rejected } = reportingClient(server);
  const id = client.track({ ...event("a"), id: "fixed-1" });
  client.track(event("b"));
  await client.flush();
  assert.deepEqual(rejected.map((r) => [r.event.id, r.status]), [[id, 409]]);
  assert.equal(server.sent.length, 1);
  await client.close();
});

Deno.test("a 413 splits the batch instead of dropping it", async () => {
  const server = fakeServer((ids) =>
    ids.length > 2 ? new Response("too large", { status: 413 }) : accepted(ids)
  );
  const client = createProgressClient({ baseUrl: "http://x", token: "t", fetch: server.fetch });
  for (let i = 0; i < 5; i++) client.track(event(`a${i}`));
  await client.flush();
  const delivered = server.sent.filter((s) => s.ids.length <= 2).flatMap((s) => s.ids);
  assert.equal(new Set(delivered).size, 5);
  await client.close();
});

async function survivesRestart(storage: QueueStorage, again: () => QueueStorage): Promise<void> {
  const offline = fakeServer(() => "network");
  const first = createProgressClient({
    baseUrl: "http://x",
    token: "t",
    fetch: offline.fetch,
    storage,
    retry: { baseMs: 1, maxMs: 2 },
  });
  const ids = [first.track(event("a")), first.track(event("b")), first.track(event("c"))];
  await first.close({ timeoutMs: 20 });
  assert.equal(first.pending, 3);
  const online = fakeServer();
  const second = createProgressClient({
    baseUrl: "http://x",
    token: "t",
    fetch: online.fetch,
    storage: again(),
  });
  await second.flush();
  assert.deepEqual(online.sent.flatMap((s) => s.ids), ids);
  await second.close();
  assert.deepEqual(await again().load(), []);
}

Deno.test("with localStorage the queue survives a restart of the client", async () => {
  const storage = memoryStorage();
  await survivesRestart(webStorageQueue(storage), () => webStorageQueue(storage));
});

Deno.test("with Deno KV the queue survives a restart of the client", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await survivesRestart(kvQueueStorage(kv), () => kvQueueStorage(kv));
  } finally {
    kv.close();
  }
});

Deno.test("dispositionOf retries only what may succeed unchanged", () => {
  assert.equal(dispositionOf(202), "delivered");
  for (const status of [401, 403, 408, 429, 500, 502, 503]) {
    assert.equal(dispositionOf(status), "retry");
  }
  for (const status of [400, 404, 409, 413, 422]) assert.equal(dispositionOf(status), "rejected");
});

Deno.test("retryAfterMs reads seconds and HTTP dates", () => {
  assert.equal(retryAfterMs("3", 0), 3000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(retryAfterMs("soon", 0), null);
  assert.equal(retryAfterMs(null, 0), null);
});

Deno.test("retryDelayMs grows exponentially with jitter, stays under max, and never undercuts Retry-After", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      fc.option(fc.nat(120_000), { nil: null }),
      (attempt, r, after) => {
        const wait = retryDelayMs(attempt, {
          baseMs: 100,
          maxMs: 10_000,
          random: () => r,
          retryAfterMs: after,
        });
        const exponential = Math.min(10_000, 100 * 2 ** (attempt - 1));
        assert.ok(wait >= Math.round(exponential / 2) || wait >= (after ?? 0));
        assert.ok(wait <= Math.max(exponential, after ?? 0));
        assert.ok(wait >= (after ?? 0));
      },
    ),
  );
});
