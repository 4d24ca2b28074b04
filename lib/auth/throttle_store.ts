import { ContentionError, TooManyRequestsError } from "../errors.ts";
import { signInFailuresKey } from "../kv_keys.ts";
import { commitWithRetry } from "../kv_commit.ts";
import { type FailureRecord, waitMs } from "./throttle.ts";

/** A throttle key's failures are forgotten after this long without an attempt. */
export const FAILURE_MEMORY_MS = 60 * 60 * 1000;

/** One key to throttle on, and how many failures it may have before attempts are spaced out. */
export interface ThrottleKey {
  parts: readonly string[];
  free?: number;
}

/**
 * Counts an attempt on every key before the credential is checked (so concurrent guesses
 * cannot slip past), unless one of them must still wait: then a 429 saying how long
 * (`details.retryAfterSeconds`). Each key is checked and counted atomically.
 */
export async function reserveAttempt(
  kv: Deno.Kv,
  keys: readonly ThrottleKey[],
  options: { nowMs: number; message: string },
): Promise<void> {
  await commitWithRetry(async () => {
    const entries = await kv.getMany<FailureRecord[]>(keys.map((k) => signInFailuresKey(k.parts)));
    const wait = Math.max(
      ...entries.map((e, i) => waitMs(e.value, options.nowMs, { free: keys[i]!.free })),
    );
    if (wait > 0) {
      const retryAfterSeconds = Math.ceil(wait / 1000);
      throw new TooManyRequestsError(`${options.message}: try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    const op = kv.atomic();
    for (const entry of entries) {
      op.check(entry).set(
        entry.key,
        { failures: (entry.value?.failures ?? 0) + 1, lastAt: options.nowMs },
        { expireIn: FAILURE_MEMORY_MS },
      );
    }
    return { value: undefined, op };
  }, {
    what: "count the attempt",
    exhausted: () => new TooManyRequestsError(`${options.message}: too many attempts at once`),
  });
}

/** Forgets a key's failures (after a successful sign-in). */
export async function clearFailures(kv: Deno.Kv, key: ThrottleKey): Promise<void> {
  await kv.delete(signInFailuresKey(key.parts));
}

/**
 * Takes back one counted attempt of a key (a sign-in that succeeded was no failure). Best effort:
 * when contention outlasts the retries the attempt stays counted, which only spaces out later ones.
 */
export async function refundAttempt(kv: Deno.Kv, key: ThrottleKey): Promise<void> {
  const k = signInFailuresKey(key.parts);
  await commitWithRetry(async () => {
    const entry = await kv.get<FailureRecord>(k);
    if (!entry.value) return { value: undefined };
    const failures = entry.value.failures - 1;
    const op = kv.atomic().check(entry);
    if (failures > 0) op.set(k, { ...entry.value, failures }, { expireIn: FAILURE_MEMORY_MS });
    else op.delete(k);
    return { value: undefined, op };
  }, { what: "refund the attempt" }).catch((error) => {
    if (!(error instanceof ContentionError)) throw error;
  });
}
