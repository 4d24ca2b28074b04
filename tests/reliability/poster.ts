/** A well-behaved posting client for the scenarios: new events, re-sent until a 2xx, each 2xx recorded. */
import { delay, newEventId, postEvents, videoEvent } from "./fixtures.ts";
import type { PostedLedger } from "./zero_loss.ts";

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

/** Pace and size of a poster's requests. */
export interface PosterOptions {
  /** Largest batch (half the requests are singles). */
  maxBatch: number;
  /** Pause after each acknowledged request, in ms (0 = as fast as the server answers). */
  pauseMs?: number;
}

/**
 * Keeps posting new events (singles and batches up to `maxBatch`) for the ledger's student until
 * `stopping()`, re-sending the same request after a connection error or 5xx until it gets a 2xx,
 * like a well-behaved integration; records what was acknowledged.
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
    const size = random() < 0.5 ? 1 : 2 + Math.floor(random() * (options.maxBatch - 1));
    const events = Array.from({ length: size }, () => {
      const id = newEventId();
      const minutes = 1 + Math.floor(random() * 9);
      ledger.sent.set(id, minutes);
      return videoEvent(id, `posted-${id}`, { timeSpent: minutes });
    });
    const body = size === 1 ? events[0] : { events };
    figures.requests++;
    if (size > 1) figures.batches++;
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
      await delay(Math.min(1000, 50 * (attempt + 1)));
    }
    if (options.pauseMs) await delay(options.pauseMs);
  }
}
