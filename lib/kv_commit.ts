import { ContentionError } from "./errors.ts";

/** Most attempts of one KV write that meets `database is locked` (the first included). */
export const LOCKED_ATTEMPTS = 30;
/** First backoff before retrying a locked write, in ms; doubles per retry up to `LOCKED_MAX_DELAY_MS`. */
const LOCKED_BASE_DELAY_MS = 2;
/** Longest single backoff, in ms (all retries together wait at most about 1.3 s). */
const LOCKED_MAX_DELAY_MS = 50;

/** True when a KV call failed because another connection held SQLite's write lock. */
export function isDatabaseLocked(error: unknown): boolean {
  return error instanceof Error && /database is locked/i.test(error.message);
}

/** The jittered backoff before retry number `retry` (0-based): uniform in [d/2, d]. */
export function lockedDelayMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(LOCKED_MAX_DELAY_MS, LOCKED_BASE_DELAY_MS * 2 ** retry);
  return ceiling / 2 + random() * ceiling / 2;
}

/**
 * Runs a KV write, retrying it with jittered exponential backoff while it fails with
 * `database is locked` (a SQLite KV file shared by two connections, e.g. the processing
 * Worker and the main thread: a commit whose read snapshot went stale fails at once, without
 * SQLite's busy wait). A locked write wrote nothing, so retrying it is safe.
 */
export async function retryLocked<T>(
  write: () => Promise<T>,
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  for (let retry = 0;; retry++) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseLocked(error) || retry + 1 >= LOCKED_ATTEMPTS) throw error;
      await sleep(lockedDelayMs(retry));
    }
  }
}

function retryingAtomic(op: Deno.AtomicOperation): Deno.AtomicOperation {
  const view: Deno.AtomicOperation = new Proxy(op, {
    get(target, name) {
      if (name === "commit") return () => retryLocked(() => target.commit());
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      // Builder methods return the operation itself: keep returning the retrying view of it.
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        return result === target ? view : result;
      };
    },
  });
  return view;
}

/**
 * `kv` with every write (`atomic().commit()`, `set`, `delete`, `enqueue`) going through
 * `retryLocked`: one lock-retry policy for every commit of the service, whoever makes it.
 */
export function withLockRetry(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "atomic") return () => retryingAtomic(target.atomic());
      if (name === "set" || name === "delete" || name === "enqueue") {
        return (...args: unknown[]) => retryLocked(() => value.apply(target, args));
      }
      return value.bind(target);
    },
  });
}

/**
 * Most attempts of one checked commit (the first included) before `commitWithRetry` gives up. A
 * failed check means another writer committed meanwhile, so a burst of this many writers to one
 * key still gets through.
 */
export const COMMIT_ATTEMPTS = 100;

/** What one attempt of `commitWithRetry` planned: its result, and the checked operation to commit for it. */
export interface PlannedCommit<T> {
  /** Returned once `op` commits (or at once without `op`). */
  value: T;
  /** The checked write; absent when there is nothing to write (e.g. the record is gone). */
  op?: Deno.AtomicOperation | undefined;
}

/**
 * Optimistic concurrency with one bounded policy for the whole service: runs `plan` (fresh reads,
 * a checked operation), commits its `op` and returns its `value`. When a check fails it plans again
 * from fresh reads, at most `COMMIT_ATTEMPTS` times in all, then throws `exhausted()` or a
 * `ContentionError` saying it could not `what`. Errors thrown by `plan` or the commit pass through.
 */
export async function commitWithRetry<T>(
  plan: (attempt: number) => Promise<PlannedCommit<T>>,
  options: { what: string; exhausted?: () => Error },
): Promise<T> {
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
    const { value, op } = await plan(attempt);
    if (!op || (await op.commit()).ok) return value;
  }
  throw options.exhausted?.() ?? new ContentionError(options.what, { attempts: COMMIT_ATTEMPTS });
}
