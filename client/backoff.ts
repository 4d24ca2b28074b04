/**
 * The sending rules every Progress Sync client shares (this library, the learn page): what a
 * response status means for the events sent, and how long to wait before trying again.
 * Pure functions, no runtime APIs: they run in Deno, Node and browsers alike.
 */

/** What to do with events after a response: done, try again later, or never send them again. */
export type Disposition = "delivered" | "retry" | "rejected";

/**
 * The disposition of an HTTP status: 2xx delivered; network-ish and server trouble (408, 425,
 * 429, 5xx) and credentials (401, 403: fixable without changing the events) retried; any other
 * 4xx means the events themselves are bad, so they are never re-sent.
 */
export function dispositionOf(status: number): Disposition {
  if (status >= 200 && status < 300) return "delivered";
  if ([401, 403, 408, 425, 429].includes(status) || status >= 500) return "retry";
  return "rejected";
}

/** Milliseconds a `Retry-After` header asks to wait (seconds or an HTTP date), or null. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number | null {
  if (header === null || header === undefined || header.trim() === "") return null;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/** How retries back off: the first wait, the longest, and the spread of the random jitter. */
export interface BackoffOptions {
  /** First wait in ms (default 500). */
  baseMs?: number;
  /** Longest wait in ms (default 60 s). */
  maxMs?: number;
  /** A number in [0, 1) (default `Math.random`); the wait is scaled by 0.5–1.0 of it. */
  random?: () => number;
}

/**
 * The wait before retry number `attempt` (1 for the first retry): exponential from `baseMs`,
 * capped at `maxMs`, with jitter so many clients do not retry in step. A server's `Retry-After`
 * wins when it asks for longer.
 */
export function retryDelayMs(
  attempt: number,
  options: BackoffOptions & { retryAfterMs?: number | null } = {},
): number {
  const { baseMs = 500, maxMs = 60_000, random = Math.random } = options;
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential * (0.5 + random() / 2));
  return Math.max(jittered, options.retryAfterMs ?? 0);
}
