/**
 * The bare servers that set the raw limits, run as a subprocess:
 * `deno run -A tests/bench/baseline_server.ts <single|batch|sse>` with env `PORT` and `KV_PATH`.
 *
 * - single: parse the JSON event, one `kv.atomic()` check + set event + set outbox + set log.
 * - batch:  parse `{ events }`, one `kv.atomic()` with a check + 2 sets per event and one log set
 *           (the same commit `appendEvents` makes for a 100-event batch from one user).
 * - sse:    no KV; `GET …/live?u=<user>` opens an in-memory stream, `POST …/events?u=<user>` pushes a
 *           `progress_update` frame with the event id straight onto that user's stream.
 * - get:    `PUT /value/<name>` stores the body in KV (in chunks of at most 60,000 bytes, KV's value
 *           limit being 64 KiB); `GET /value/<name>` answers it from one `kv.getMany` of those chunks
 *           (one key, i.e. one read, for bodies up to 60,000 bytes).
 * The event modes answer 202 `{ results: [{ id, status }] }`; every mode prints "Baseline listening on <port>" when ready.
 */

const mode = Deno.args[0];
if (mode !== "single" && mode !== "batch" && mode !== "sse" && mode !== "get") {
  console.error("Usage: baseline_server.ts <single|batch|sse|get>");
  Deno.exit(2);
}
const port = Number(Deno.env.get("PORT") ?? 8100);
const kv = mode === "sse" ? null : await Deno.openKv(Deno.env.get("KV_PATH") ?? ":memory:");
const encoder = new TextEncoder();
const streams = new Map<string, ReadableStreamDefaultController<Uint8Array>>();
const VALUE_CHUNK_BYTES = 60_000;
/** Chunks stored per value name. */
const valueChunks = new Map<string, number>();

interface BareEvent {
  id: string;
  [field: string]: unknown;
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function addEvent(
  op: Deno.AtomicOperation,
  userId: string,
  event: BareEvent,
  acceptedAt: string,
): void {
  const key = ["events", userId, event.id];
  op.check({ key, versionstamp: null })
    .set(key, { ...event, userId, receivedAt: acceptedAt })
    .set(["outbox", userId, event.id], { acceptedAt });
}

async function commit(userId: string, events: BareEvent[]): Promise<Response> {
  const acceptedAt = new Date().toISOString();
  const op = kv!.atomic();
  for (const event of events) addEvent(op, userId, event, acceptedAt);
  op.set(["events_by_user", userId, kv!.commitVersionstamp()], events.map((e) => e.id));
  const result = await op.commit();
  const status = result.ok ? "accepted" : "duplicate";
  return json({ results: events.map((e) => ({ id: e.id, status })) }, 202);
}

function openStream(userId: string): Response {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      streams.set(userId, c);
      c.enqueue(encoder.encode(": connected\n\n"));
    },
    cancel() {
      if (streams.get(userId) === controller) streams.delete(userId);
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

function push(userId: string, event: BareEvent): Response {
  const frame = `event: progress_update\ndata: ${JSON.stringify({ eventId: event.id })}\n\n`;
  streams.get(userId)?.enqueue(encoder.encode(frame));
  return json({ results: [{ id: event.id, status: "accepted" }] }, 202);
}

async function putValue(name: string, request: Request): Promise<Response> {
  const bytes = new Uint8Array(await request.arrayBuffer());
  const op = kv!.atomic();
  let chunks = 0;
  for (let at = 0; at < bytes.length || chunks === 0; at += VALUE_CHUNK_BYTES) {
    op.set(["values", name, chunks++], bytes.slice(at, at + VALUE_CHUNK_BYTES));
  }
  await op.commit();
  valueChunks.set(name, chunks);
  return new Response(null, { status: 204 });
}

async function getValue(name: string): Promise<Response> {
  const chunks = valueChunks.get(name) ?? 0;
  const entries = await kv!.getMany<Uint8Array[]>(
    Array.from({ length: chunks }, (_, i) => ["values", name, i]),
  );
  const parts = entries.map((e) => e.value ?? new Uint8Array());
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (body.set(p, at), at + p.length), 0);
  return new Response(body, { headers: { "content-type": "application/json" } });
}

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (mode === "get" && url.pathname.startsWith("/value/")) {
    const name = url.pathname.slice("/value/".length);
    return request.method === "PUT" ? await putValue(name, request) : await getValue(name);
  }
  const userId = url.searchParams.get("u") ?? "anonymous";
  if (request.method === "GET" && url.pathname.endsWith("/live") && mode === "sse") {
    return openStream(userId);
  }
  if (request.method !== "POST" || !url.pathname.endsWith("/events")) {
    return json({ error: "Not found" }, 404);
  }
  const body = await request.json();
  if (mode === "sse") return push(userId, body as BareEvent);
  const events = mode === "batch" ? (body as { events: BareEvent[] }).events : [body as BareEvent];
  return await commit(userId, events);
}

const server = Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ port }) => console.log(`Baseline listening on ${port}`),
}, handle);

Deno.addSignalListener("SIGTERM", () => {
  for (const c of streams.values()) {
    try {
      c.close();
    } catch {
      // already closed
    }
  }
  server.shutdown().finally(() => {
    kv?.close();
    Deno.exit(0);
  });
});
