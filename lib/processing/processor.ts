import type { OutboxEntry } from "../events/log_store.ts";
import { outboxPrefix } from "../kv_keys.ts";
import { firstEntryPerPart } from "../kv_scan.ts";
import { createEndpointCache, type EndpointCache } from "../webhooks/endpoint_store.ts";
import { MAX_USERS_PER_COMMIT, processPendingEvents } from "./process_pending.ts";

/** Options for `createProcessor`. */
export interface ProcessorOptions {
  /** Most processing commits in flight at once (each covers up to `MAX_USERS_PER_COMMIT` users). */
  concurrency?: number;
  /** Clock used for processing times. */
  now?: () => Date;
  /** Called when processing users fails. */
  onError?: (userIds: readonly string[], error: unknown) => void;
  /** Asks for a durable retry of users whose processing failed (the KV queue, where there is one). */
  retry?: (userIds: readonly string[]) => Promise<void>;
  /** Webhook endpoints to fan processed messages out to (default: a cache over `kv`). */
  endpoints?: EndpointCache;
  /** Called after a commit that queued webhook deliveries (wakes the delivery worker). */
  onDeliveriesQueued?: () => void;
}

/** Figures about processing since start. */
export interface ProcessorStats {
  processedEvents: number;
  /** Processing runs that ended, failed or not. */
  runs: number;
  failedRuns: number;
  /** When the latest run failed, and why. */
  lastFailureAt: string | null;
  lastError: string | null;
  /** Users being processed right now. */
  activeUsers: number;
  /** Users waiting for a run. */
  waitingUsers: number;
}

/** A queue message asking for users' outboxes to be processed. */
export interface ProcessMessage {
  kind: "process";
  userIds: string[];
}

/**
 * Applies users' pending events: each user is in at most one run at a time, runs group up to
 * `MAX_USERS_PER_COMMIT` users into one commit, and at most `concurrency` commits are in flight.
 */
export interface Processor {
  /** Processes `userId`'s outbox; resolves once every event pending at call time is applied. */
  schedule(userId: string): Promise<void>;
  /** Schedules every user with an outbox entry accepted more than `olderThanMs` ago; returns how many users. */
  sweep(options?: { olderThanMs?: number }): Promise<number>;
  /** Handles a queue message (throws so the queue retries when processing fails). */
  handleMessage(message: unknown): Promise<void>;
  /** Figures since start. */
  stats(): ProcessorStats;
  /** Waits until no run is in flight or waiting. */
  idle(): Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

function isProcessMessage(message: unknown): message is ProcessMessage {
  return typeof message === "object" && message !== null &&
    (message as ProcessMessage).kind === "process" &&
    Array.isArray((message as ProcessMessage).userIds);
}

/** The message that asks the KV queue to process `userIds`. */
export function processMessage(userIds: readonly string[]): ProcessMessage {
  return { kind: "process", userIds: [...userIds] };
}

/** Creates the processor that applies accepted events to the projections. */
export function createProcessor(kv: Deno.Kv, options: ProcessorOptions = {}): Processor {
  const { concurrency = 2, now, onError, retry, onDeliveriesQueued } = options;
  const endpoints = options.endpoints ?? createEndpointCache(kv);
  const waiting = new Set<string>();
  const running = new Set<string>();
  const waiters = new Map<string, Waiter[]>();
  const idleWaiters: (() => void)[] = [];
  let workers = 0;
  let processedEvents = 0;
  let failedRuns = 0;
  let runs = 0;
  let lastFailureAt: string | null = null;
  let lastError: string | null = null;

  function takeBatch(): string[] {
    const batch: string[] = [];
    for (const userId of waiting) {
      if (running.has(userId)) continue;
      batch.push(userId);
      if (batch.length >= MAX_USERS_PER_COMMIT) break;
    }
    for (const userId of batch) {
      waiting.delete(userId);
      running.add(userId);
    }
    return batch;
  }

  function settle(userIds: readonly string[], error?: unknown): void {
    for (const userId of userIds) {
      const list = waiters.get(userId) ?? [];
      waiters.delete(userId);
      for (const waiter of list) error === undefined ? waiter.resolve() : waiter.reject(error);
    }
  }

  async function work(): Promise<void> {
    for (let batch = takeBatch(); batch.length > 0; batch = takeBatch()) {
      // Waiters registered before this run are satisfied by it; later ones wait for the next.
      const snapshot = new Map(batch.map((u) => [u, waiters.get(u) ?? []]));
      for (const userId of batch) waiters.delete(userId);
      try {
        let users: readonly string[] = batch;
        while (users.length > 0) {
          const outcome = await processPendingEvents(kv, users, {
            endpoints,
            ...(now ? { now } : {}),
            ...(onDeliveriesQueued ? { onDeliveriesQueued: () => onDeliveriesQueued() } : {}),
          });
          processedEvents += outcome.processed;
          const left = new Set(outcome.pending);
          const finished = users.filter((u) => !left.has(u));
          for (const userId of finished) {
            for (const waiter of snapshot.get(userId) ?? []) waiter.resolve();
            snapshot.delete(userId);
          }
          users = outcome.pending;
        }
      } catch (error) {
        failedRuns++;
        lastFailureAt = new Date().toISOString();
        lastError = error instanceof Error ? error.message : String(error);
        const failed = [...snapshot.keys()];
        for (const list of snapshot.values()) for (const waiter of list) waiter.reject(error);
        settle(failed, error);
        onError?.(failed, error);
        retry?.(failed).catch((e) => onError?.(failed, e));
      } finally {
        runs++;
        for (const userId of batch) running.delete(userId);
      }
    }
  }

  function hasRunnable(): boolean {
    for (const userId of waiting) if (!running.has(userId)) return true;
    return false;
  }

  function pump(): void {
    while (workers < concurrency && hasRunnable()) {
      workers++;
      work().finally(() => {
        workers--;
        if (waiting.size > 0) pump();
        if (workers === 0 && waiting.size === 0) {
          for (const resolve of idleWaiters.splice(0)) resolve();
        }
      });
    }
  }

  function schedule(userId: string): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => {
      const list = waiters.get(userId) ?? [];
      list.push({ resolve, reject });
      waiters.set(userId, list);
    });
    // Failures are reported through onError; a caller that does not await must not crash the process.
    promise.catch(() => {});
    waiting.add(userId);
    pump();
    return promise;
  }

  async function sweep({ olderThanMs = 3000 }: { olderThanMs?: number } = {}): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    const users: string[] = [];
    // One read per user with pending events: after a user's first entry, jump past the rest.
    for await (
      const { part: userId, entry } of firstEntryPerPart<OutboxEntry>(kv, outboxPrefix())
    ) {
      if (Date.parse(entry.value.acceptedAt) <= cutoff) users.push(userId);
    }
    await Promise.allSettled(users.map(schedule));
    return users.length;
  }

  async function handleMessage(message: unknown): Promise<void> {
    if (!isProcessMessage(message)) return;
    await Promise.all(message.userIds.map(schedule));
  }

  return {
    schedule,
    sweep,
    handleMessage,
    stats: () => ({
      processedEvents,
      runs,
      failedRuns,
      lastFailureAt,
      lastError,
      activeUsers: running.size,
      waitingUsers: waiting.size,
    }),
    idle() {
      if (workers === 0 && waiting.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
