/** Failures allowed before attempts are spaced out. */
export const FREE_FAILURES = 5;
/** Longest wait between attempts once failures pile up. */
export const MAX_DELAY_MS = 15 * 60 * 1000;

/** Failures counted for one key (a client address, or an address and a username). */
export interface FailureRecord {
  failures: number;
  /** Epoch ms of the latest counted attempt. */
  lastAt: number;
}

/**
 * How long after the latest attempt the next one must wait, given the failures so far: nothing
 * for the first `free` (default `FREE_FAILURES`), then 1 s doubling with each failure, at most
 * `MAX_DELAY_MS`.
 */
export function delayAfter(failures: number, options: { free?: number } = {}): number {
  const free = options.free ?? FREE_FAILURES;
  if (failures < free) return 0;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(failures - free, 30));
}

/** Milliseconds until another attempt is allowed (0: now) for a key's record at `nowMs`. */
export function waitMs(
  record: FailureRecord | null,
  nowMs: number,
  options: { free?: number } = {},
): number {
  if (!record) return 0;
  const delay = delayAfter(record.failures, options);
  // A free attempt never waits, even when a concurrent request stamped a later `lastAt`.
  if (delay === 0) return 0;
  return Math.max(0, record.lastAt + delay - nowMs);
}
