import { MAX_BATCH_SIZE, type StoredEvent } from "../core/event_schema.ts";
import { appendEvents, type AppendOutcome, commitNewEvents } from "./log_store.ts";

/** Appends requests' events, sharing commits between requests that arrive together. */
export interface EventAppender {
  /** Appends one request's events; same outcomes as `appendEvents`. */
  append(events: readonly StoredEvent[]): Promise<AppendOutcome[]>;
}

interface Request {
  events: readonly StoredEvent[];
  keys: string[];
  resolve: (outcomes: AppendOutcome[]) => void;
  reject: (error: unknown) => void;
}

const keyOf = (e: StoredEvent) => `${e.userId}\u0000${e.id}`;

function accepted(events: readonly StoredEvent[]): AppendOutcome[] {
  return events.map((e) => ({ id: e.id, userId: e.userId, status: "accepted" }));
}

/**
 * Group commit for the write path: the first request commits at once; requests that arrive
 * while a commit is in flight are merged into the next one (at most `MAX_BATCH_SIZE` events, no
 * id twice). When a merged commit fails its checks (some id already exists), each request is
 * retried on its own with `appendEvents`, which sorts out duplicates and conflicts. Nothing is
 * acknowledged before the commit holding it succeeds; a merged commit that fails for any
 * reason (e.g. too large together) falls back to one commit per request.
 */
export function createEventAppender(kv: Deno.Kv): EventAppender {
  const queue: Request[] = [];
  let flushing = false;

  function takeGroup(): Request[] {
    const group: Request[] = [queue.shift()!];
    const keys = new Set(group[0]!.keys);
    let size = group[0]!.events.length;
    for (let i = 0; i < queue.length;) {
      const next = queue[i]!;
      const fits = size + next.events.length <= MAX_BATCH_SIZE &&
        !next.keys.some((k) => keys.has(k)) && new Set(next.keys).size === next.keys.length;
      if (!fits) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      group.push(next);
      for (const key of next.keys) keys.add(key);
      size += next.events.length;
    }
    return group;
  }

  async function commitGroup(group: Request[]): Promise<void> {
    if (group.length > 1) {
      const result = await commitNewEvents(kv, group.flatMap((r) => r.events)).catch(() => null);
      if (result?.ok) {
        for (const request of group) request.resolve(accepted(request.events));
        return;
      }
    }
    for (const request of group) {
      await appendEvents(kv, request.events).then(request.resolve, request.reject);
    }
  }

  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (queue.length > 0) {
        const group = takeGroup();
        await commitGroup(group);
      }
    } finally {
      flushing = false;
    }
  }

  return {
    append(events) {
      return new Promise((resolve, reject) => {
        queue.push({ events, keys: events.map(keyOf), resolve, reject });
        if (!flushing) flush();
      });
    },
  };
}
