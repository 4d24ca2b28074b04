import type { OutboxEntry, ProcessMessage } from "../events/log_store.ts";
import { outboxPrefix } from "../kv_keys.ts";
import { processPendingEvents } from "./process_pending.ts";

/** Options for `createProcessor`. */
export interface ProcessorOptions {
  /** Most users processed at the same time. */
  concurrency?: number;
  /** Clock used for processing times. */
  now?: () => Date;
  /** Called when processing a user fails (it is retried by the queue or the sweeper). */
  onError?: (userId: string, error: unknown) => void;
}

/** Figures about processing since start. */
export interface ProcessorStats {
  processedEvents: number;
  failedRuns: number;
  activeUsers: number;
  waitingUsers: number;
}

/** Runs users' pending events: one run per user at a time, at most `concurrency` users at once. */
export interface Processor {
  /** Processes `userId`'s outbox until empty; resolves when every event pending at call time is applied. */
  schedule(userId: string): Promise<void>;
  /** Schedules every user with an outbox entry accepted more than `olderThanMs` ago; returns how many users. */
  sweep(options?: { olderThanMs?: number }): Promise<number>;
  /** Handles a queue message (throws so the queue retries when processing fails). */
  handleMessage(message: unknown): Promise<void>;
  /** Figures since start. */
  stats(): ProcessorStats;
  /** Waits for every run in flight. */
  idle(): Promise<void>;
}

interface Run {
  promise: Promise<void>;
  again: boolean;
}

function isProcessMessage(message: unknown): message is ProcessMessage {
  return typeof message === "object" && message !== null &&
    (message as ProcessMessage).kind === "process" &&
    Array.isArray((message as ProcessMessage).userIds);
}

/** Creates the processor that applies accepted events to the projections. */
export function createProcessor(
  kv: Deno.Kv,
  options: ProcessorOptions = {},
): Processor {
  const { concurrency = 8, now, onError } = options;
  const runs = new Map<string, Run>();
  const waiting: (() => void)[] = [];
  let active = 0;
  let processedEvents = 0;
  let failedRuns = 0;

  async function acquire(): Promise<void> {
    if (active < concurrency) {
      active++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }

  function release(): void {
    const next = waiting.shift();
    if (next) next();
    else active--;
  }

  async function drain(userId: string, run: Run): Promise<void> {
    await acquire();
    try {
      do {
        run.again = false;
        let outcome;
        do {
          outcome = await processPendingEvents(kv, userId, now ? { now } : {});
          processedEvents += outcome.processed;
        } while (outcome.more);
      } while (run.again);
    } catch (error) {
      failedRuns++;
      throw error;
    } finally {
      release();
      runs.delete(userId);
    }
  }

  function schedule(userId: string): Promise<void> {
    const current = runs.get(userId);
    if (current) {
      current.again = true;
      return current.promise;
    }
    const run: Run = { promise: Promise.resolve(), again: false };
    runs.set(userId, run);
    run.promise = drain(userId, run);
    run.promise.catch((error) => onError?.(userId, error));
    return run.promise;
  }

  async function sweep(
    { olderThanMs = 3000 }: { olderThanMs?: number } = {},
  ): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    const users = new Set<string>();
    for await (
      const entry of kv.list<OutboxEntry>({ prefix: outboxPrefix() })
    ) {
      const userId = entry.key[1] as string;
      if (!users.has(userId) && Date.parse(entry.value.acceptedAt) <= cutoff) {
        users.add(userId);
      }
    }
    await Promise.allSettled([...users].map(schedule));
    return users.size;
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
      failedRuns,
      activeUsers: runs.size,
      waitingUsers: waiting.length,
    }),
    async idle() {
      while (runs.size > 0) {
        await Promise.allSettled([...runs.values()].map((r) => r.promise));
      }
    },
  };
}
