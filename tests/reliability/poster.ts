/** A well-behaved posting client for the scenarios: new events, re-sent until a 2xx, each 2xx recorded. */
import { delay, newEventId, postEvents, videoEvent } from "./fixtures.ts";
import type { PostedLedger } from "./zero_loss.ts";

/** How long a poster keeps re-sending one request that gets no 2xx before it gives up on it. */
const RESEND_FOR_MS = 60_000;

/** What the posters of a scenario did. */
export interface PosterFigures {
  requests: number;
  batches: number;
  connectionErrors: number;
  unexpected: string[];
  resentAsDuplicate: number;
}

/** Fresh, zeroed poster figures. */
export function newPosterFigures(): PosterFigures {
  return { requests: 0, batches: 0, connectionErrors: 0, unexpected: [], resentAsDuplicate: 0 };
}

/** Events shared out to several posters at a fixed offered rate, up to a fixed total. */
export interface EventPace {
  /** Waits for the rate, then grants up to `wanted` events; 0 once the total is handed out. */
  take(wanted: number): Promise<number>;
  /** Events granted so far. */
  granted(): number;
}

/**
 * Offers `perSecond` events a second in all, `total` at most: the event count is the same on any
 * machine, and a server slower than the rate is not pushed harder (no catch-up bursts).
 */
export function eventPace(perSecond: number, total: number): EventPace {
  let granted = 0;
  let nextAt = performance.now();
  return {
    async take(wanted) {
      const n = Math.min(wanted, total - granted);
      if (n <= 0) return 0;
      granted += n;
      const at = Math.max(nextAt, performance.now());
      nextAt = at + (n / perSecond) * 1000;
      const wait = at - performance.now();
      if (wait > 0) await delay(wait);
      return n;
    },
    granted: () => granted,
  };
}

/** Pace and size of a poster's requests. */
export interface PosterOptions {
  /** Largest batch (half the requests are singles). */
  maxBatch: number;
  /** Pause after each acknowledged request, in ms (0 = as fast as the server answers). */
  pauseMs?: number;
  /** Shared offered rate and total: the poster stops when it is handed out. */
  pace?: EventPace;
}

/**
 * Keeps posting new events (singles and batches up to `maxBatch`) for the ledger's student until
 * `stopping()` or the pace's total is handed out, re-sending the same request after a connection
 * error or 5xx until it gets a 2xx (for at most a minute), like a well-behaved integration;
 * records what was acknowledged.
 */
export async function runPoster(
  origin: string,
  ledger: PostedLedger,
  random: () => number,
  figures: PosterFigures,
  stopping: () => boolean,
  options: PosterOptions,
): Promise<void> {
  while (!stopping()) {
    const wanted = random() < 0.5 ? 1 : 2 + Math.floor(random() * (options.maxBatch - 1));
    const size = options.pace ? await options.pace.take(wanted) : wanted;
    if (size === 0) return;
    const events = Array.from({ length: size }, () => {
      const id = newEventId();
      const minutes = 1 + Math.floor(random() * 9);
      ledger.sent.set(id, minutes);
      return videoEvent(id, `posted-${id}`, { timeSpent: minutes });
    });
    const body = size === 1 ? events[0] : { events };
    figures.requests++;
    if (size > 1) figures.batches++;
    const giveUpAt = Date.now() + RESEND_FOR_MS;
    for (let attempt = 0;; attempt++) {
      try {
        const response = await postEvents({ origin }, ledger.student.token, body, {
          signal: AbortSignal.timeout(20_000),
        });
        if (response.status === 202 || response.status === 200) {
          const { results } = await response.json() as {
            results: { id: string; status: string }[];
          };
          for (const result of results) {
            if (result.status !== "accepted" && result.status !== "duplicate") {
              figures.unexpected.push(`${result.id}: ${result.status}`);
              continue;
            }
            if (result.status === "duplicate") figures.resentAsDuplicate++;
            ledger.acked.add(result.id);
          }
          break;
        }
        figures.unexpected.push(
          `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
        );
        if (response.status < 500) break;
      } catch {
        figures.connectionErrors++;
      }
      if (Date.now() > giveUpAt) {
        figures.unexpected.push(`no 2xx after re-sending for ${RESEND_FOR_MS / 1000} s`);
        break;
      }
      await delay(Math.min(1000, 50 * (attempt + 1)));
    }
    if (options.pauseMs) await delay(options.pauseMs);
  }
}
