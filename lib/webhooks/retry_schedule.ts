/** When failed webhook deliveries are tried again. Pure: pass the clock and randomness in. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Delay before each retry, after the first attempt: seed 004's start (about 1 s, doubling to 30 s),
 * then the Standard Webhooks spec's long tail, so a receiver that is down for a night still gets
 * everything. 11 retries, 12 attempts in all, over about 17.5 hours; then the delivery is a dead
 * letter.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  1 * SECOND,
  2 * SECOND,
  4 * SECOND,
  8 * SECOND,
  16 * SECOND,
  30 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
];

/** Share of each delay that jitter may add or take away (±20 %). */
export const JITTER_RATIO = 0.2;
/** Longest wait a `Retry-After` header can ask for; longer asks are capped. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR;

/**
 * Milliseconds to wait before retry number `retry` (0 = the first retry), with ±`JITTER_RATIO`
 * jitter from `random` (0.5 gives the exact delay); null when the schedule is exhausted.
 */
export function retryDelay(
  retry: number,
  options: { schedule?: readonly number[]; random?: () => number } = {},
): number | null {
  const schedule = options.schedule ?? DEFAULT_RETRY_SCHEDULE_MS;
  const base = schedule[retry];
  if (base === undefined) return null;
  const random = options.random ?? Math.random;
  const factor = 1 + (random() * 2 - 1) * JITTER_RATIO;
  return Math.max(0, Math.round(base * factor));
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into milliseconds from `nowMs`,
 * capped at `MAX_RETRY_AFTER_MS`; null when absent or unparseable.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * SECOND, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return null;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/** Formats a schedule for people: `1s, 2s, …, 5m, 2h`. */
export function describeSchedule(schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE_MS): string {
  return schedule.map((ms) =>
    ms % HOUR === 0
      ? `${ms / HOUR}h`
      : ms % MINUTE === 0
      ? `${ms / MINUTE}m`
      : ms % SECOND === 0
      ? `${ms / SECOND}s`
      : `${ms}ms`
  ).join(", ");
}
