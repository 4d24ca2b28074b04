/**
 * Progress Sync's client library for scripts and systems (Deno, Node 18+, browsers): `track`
 * events and it queues them, sends them in batches of up to 100 (when a batch is full or after a
 * short delay), retries with backoff on network errors, 5xx and 429 (honouring `Retry-After`),
 * never re-sends an event the server refused as bad (it reports it instead), and keeps ids and
 * content fixed, so a resend after a lost answer is a harmless duplicate. With a `storage`
 * adapter the queue survives restarts of the client too.
 *
 * ```ts
 * import { createProgressClient } from "./client/mod.ts";
 * const client = createProgressClient({ baseUrl: "http://localhost:8000", token: "ps_…" });
 * client.track({ eventType: "video_completed", sourceSystem: "video_player",
 *   eventData: { activityId: "intro", activityType: "video", completionStatus: "completed" } });
 * await client.close(); // sends what waits
 * ```
 */
import { dispositionOf, retryAfterMs, retryDelayMs } from "./backoff.ts";

export { dispositionOf, retryAfterMs, retryDelayMs } from "./backoff.ts";

/** Most events the server takes in one request. */
export const MAX_BATCH = 100;

/** An event as `track` takes it (seed 000's `ProgressEvent`; `id` and `timestamp` are filled in). */
export interface TrackedEvent {
  id?: string;
  userId?: string;
  eventType: string;
  sourceSystem: string;
  eventData: Record<string, unknown>;
  timestamp?: string;
}

/** An event in the queue: its id and time are fixed, so every resend is identical. */
export type QueuedEvent = TrackedEvent & { id: string; timestamp: string };

/** Where the queue is kept between runs (see `client/storage.ts` for KV and localStorage). */
export interface QueueStorage {
  /** The events still waiting, in the order they were tracked. */
  load(): Promise<QueuedEvent[]>;
  /** Keeps newly tracked events. */
  add(events: readonly QueuedEvent[]): Promise<void>;
  /** Forgets events that were delivered or refused. */
  remove(ids: readonly string[]): Promise<void>;
}

/** An event the server refused as bad: it is never sent again. */
export interface Rejection {
  event: QueuedEvent;
  /** The HTTP status (409 for an id already used with different content). */
  status: number;
  reason: string;
}

/** A problem the client is retrying through (the events stay queued). */
export interface DeliveryTrouble {
  message: string;
  /** The HTTP status, absent for network errors. */
  status?: number;
  /** When the next attempt is made, in ms from now. */
  retryInMs: number;
  /** Events waiting. */
  pending: number;
}

/** Options of `createProgressClient`. */
export interface ProgressClientOptions {
  /** The server's origin, e.g. `http://localhost:8000`. */
  baseUrl: string;
  /** An API token with `events:write` (or `system` to post for any student). */
  token: string;
  /** Events per request, at most 100 (default 100). */
  batchSize?: number;
  /** How long a partly filled batch waits for more events, in ms (default 1000). */
  flushDelayMs?: number;
  /** Retry backoff: first and longest wait in ms (defaults 500 and 60 000). */
  retry?: { baseMs?: number; maxMs?: number };
  /** Keeps the queue across restarts of the client (default: memory only). */
  storage?: QueueStorage;
  /** Called with events the server refused as bad (they are dropped from the queue). */
  onRejected?: (rejections: Rejection[]) => void;
  /** Called when a send fails and will be retried. */
  onTrouble?: (trouble: DeliveryTrouble) => void;
  /** Called after events were stored (accepted, or already there). */
  onDelivered?: (ids: string[]) => void;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/** A client: `track` queues, `flush` sends now, `close` sends what waits and stops. */
export interface ProgressClient {
  /** Queues an event (an id and timestamp are added when missing); returns its id. */
  track(event: TrackedEvent): string;
  /** Sends every queued event now; resolves once each is delivered or refused (retrying meanwhile). */
  flush(): Promise<void>;
  /**
   * Flushes (for at most `timeoutMs`, default 10 s) and stops; what is still queued stays in
   * `storage` for the next client.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /** Events waiting to be delivered. */
  readonly pending: number;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A new ULID (time-ordered, 128 bits), from `crypto.getRandomValues` (everywhere available). */
export function newEventId(nowMs = Date.now()): string {
  let time = "";
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let random = "";
  for (const byte of bytes) random += CROCKFORD[byte % 32];
  return time + random;
}

/** The indexes of a batch's events a 400 names (`events[3].eventData…`). */
function badIndexes(body: unknown): Set<number> {
  const issues = (body as { issues?: { path?: unknown }[] } | null)?.issues ?? [];
  const out = new Set<number>();
  for (const issue of issues) {
    const match = /^events\[(\d+)\]/.exec(String(issue.path ?? ""));
    if (match) out.add(Number(match[1]));
  }
  return out;
}

async function readBody(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Creates a client that delivers tracked events to `baseUrl` with `token` (see the module doc). */
export function createProgressClient(options: ProgressClientOptions): ProgressClient {
  const endpoint = `${options.baseUrl.replace(/\/+$/, "")}/api/progress-sync/events`;
  const batchSize = Math.min(MAX_BATCH, Math.max(1, options.batchSize ?? MAX_BATCH));
  const flushDelayMs = options.flushDelayMs ?? 1000;
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const storage = options.storage ?? null;
  let queue: QueuedEvent[] = [];
  let storing: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let closed = false;
  let stopped = false;
  let wake: (() => void) | null = null;
  let failures = 0;

  const store = (fn: (s: QueueStorage) => Promise<void>) => {
    if (storage) storing = storing.then(() => fn(storage)).catch(() => {});
  };
  const loaded = storage
    ? storage.load().then((stored) => {
      const known = new Set(queue.map((e) => e.id));
      queue = [...stored.filter((e) => !known.has(e.id)), ...queue];
    }).catch(() => {})
    : Promise.resolve();

  function drop(ids: readonly string[]): void {
    const gone = new Set(ids);
    queue = queue.filter((e) => !gone.has(e.id));
    store((s) => s.remove(ids));
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(handle);
        wake = null;
        resolve();
      };
    });
  }

  async function retryLater(message: string, status?: number, retryAfter?: number | null) {
    failures++;
    const retryInMs = retryDelayMs(failures, {
      ...options.retry,
      retryAfterMs: retryAfter ?? null,
    });
    options.onTrouble?.({
      message,
      ...(status === undefined ? {} : { status }),
      retryInMs,
      pending: queue.length,
    });
    await sleep(retryInMs);
  }

  /** Sends one batch: drops what was delivered or refused, or waits before the next attempt. */
  async function sendBatch(batch: QueuedEvent[]): Promise<void> {
    let response: Response;
    let body: unknown;
    try {
      response = await send(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${options.token}` },
        body: JSON.stringify({ events: batch }),
      });
      body = await readBody(response);
    } catch (error) {
      await retryLater(
        `Could not reach ${options.baseUrl}: ${error instanceof Error ? error.message : error}`,
      );
      return;
    }
    const disposition = dispositionOf(response.status);
    const reason = (body as { error?: string } | null)?.error ?? `HTTP ${response.status}`;
    if (disposition === "retry") {
      await retryLater(
        reason,
        response.status,
        retryAfterMs(response.headers.get("retry-after"), Date.now()),
      );
      return;
    }
    failures = 0;
    if (disposition === "delivered") {
      const results = (body as { results?: { id: string; status: string }[] } | null)?.results ??
        [];
      const conflicts = new Set(results.filter((r) => r.status === "conflict").map((r) => r.id));
      const rejected = batch.filter((e) => conflicts.has(e.id));
      if (rejected.length > 0) {
        options.onRejected?.(rejected.map((event) => ({
          event,
          status: 409,
          reason: `Id "${event.id}" already used with different content`,
        })));
      }
      drop(batch.map((e) => e.id));
      const delivered = batch.filter((e) => !conflicts.has(e.id)).map((e) => e.id);
      if (delivered.length > 0) options.onDelivered?.(delivered);
      return;
    }
    if (response.status === 413 && batch.length > 1) {
      await sendBatch(batch.slice(0, Math.ceil(batch.length / 2)));
      return;
    }
    const named = badIndexes(body);
    const bad = named.size > 0 ? batch.filter((_, i) => named.has(i)) : batch;
    options.onRejected?.(bad.map((event) => ({ event, status: response.status, reason })));
    drop(bad.map((e) => e.id));
  }

  function pump(): Promise<void> {
    running ??= (async () => {
      await loaded;
      while (queue.length > 0 && !stopped) {
        await storing;
        await sendBatch(queue.slice(0, batchSize));
      }
    })().finally(() => {
      running = null;
    });
    return running;
  }

  function schedule(): void {
    if (stopped || running) return;
    if (queue.length >= batchSize) {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      void pump();
    } else if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        void pump();
      }, flushDelayMs);
    }
  }

  return {
    track(event) {
      if (closed) throw new Error("This progress client is closed: create a new one");
      const now = Date.now();
      const queued: QueuedEvent = {
        ...event,
        id: event.id ?? newEventId(now),
        timestamp: event.timestamp ?? new Date(now).toISOString(),
      };
      queue.push(queued);
      store((s) => s.add([queued]));
      schedule();
      return queued.id;
    },
    async flush() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await loaded;
      while (queue.length > 0 && !stopped) await pump();
      await storing;
    },
    async close(closeOptions = {}) {
      closed = true;
      let deadline: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.flush(),
        new Promise<void>((resolve) =>
          deadline = setTimeout(resolve, closeOptions.timeoutMs ?? 10_000)
        ),
      ]);
      clearTimeout(deadline);
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      wake?.();
      await running;
      await storing;
    },
    get pending() {
      return queue.length;
    },
  };
}
