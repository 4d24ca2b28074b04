import { monotonicFactory, ulid } from "ulid";

/** Random bytes served from a pool refilled 4 KiB at a time by `crypto.getRandomValues`. */
const pool = new Uint8Array(4096);
let next = pool.length;

/**
 * A random number in [0, 1) from the pooled bytes, as `ulid` expects of its PRNG: the package's
 * own calls `getRandomValues` once per character (16 times per id), which showed in ingest profiles.
 */
function pooledRandom(): number {
  if (next === pool.length) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  return pool[next++]! / 256;
}

/** A new ULID for `time` (epoch ms, default now). */
export function newUlid(time?: number): string {
  return ulid(time, pooledRandom);
}

/** A generator of ULIDs that sort in call order within this process (even within one millisecond). */
export function monotonicUlids(): (time?: number) => string {
  return monotonicFactory(pooledRandom);
}
