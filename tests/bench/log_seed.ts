/**
 * Seeds a KV file with a synthetic event log (quiz progress over 20 activities per student) and,
 * optionally, the projections processing makes of it (written with the same pure reducer).
 */
import type { StoredEvent } from "../../lib/core/event_schema.ts";
import {
  activityStateKey,
  eventKey,
  eventsByActivityPrefix,
  eventsByUserPrefix,
  resultKey,
  summaryKey,
} from "../../lib/kv_keys.ts";
import { reduceActivity } from "../../lib/core/activity_state.ts";
import { groupByActivity } from "../../lib/core/project.ts";
import { mergeRecent, type ProgressSummary, totalsOfStates } from "../../lib/core/summary.ts";

const ACTIVITIES_PER_USER = 20;
const STATUSES = ["started", "in_progress", "completed", "failed"] as const;

/** The id of seeded student number `u`. */
export function seededUserId(u: number): string {
  return `user-${String(u).padStart(5, "0")}`;
}

/** Student `u`'s `count` events, one minute apart. */
export function userEvents(u: number, count: number): StoredEvent[] {
  const userId = seededUserId(u);
  const base = Date.parse("2026-11-01T00:00:00Z");
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(base + (u * count + i) * 60_000).toISOString();
    return {
      id: `ev-${String(i).padStart(4, "0")}`,
      userId,
      eventType: "activity_progressed",
      sourceSystem: "quiz_engine",
      eventData: {
        activityId: `act-${(i * 7 + u) % ACTIVITIES_PER_USER}`,
        activityType: "quiz",
        completionStatus: STATUSES[(i + u) % STATUSES.length]!,
        timeSpent: (i % 13) + 1,
        score: (i * 37 + u) % 101,
      },
      timestamp: at,
      receivedAt: at,
      contentHash: `h-${u}-${i}`,
    } satisfies StoredEvent;
  });
}

/** What `seedLog` writes. */
export interface LogSeedOptions {
  users: number;
  eventsPerUser: number;
  /** Also write activity states, the per-activity index and summaries (false: the log alone, as processed). */
  projections: boolean;
  /** Told after every 200 students. */
  progress?: (events: number) => void;
}

/** Writes every student's events, their results (processed) and log index, and with `projections` what processing derives. */
export async function seedLog(kv: Deno.Kv, options: LogSeedOptions): Promise<void> {
  const { users, eventsPerUser } = options;
  for (let u = 0; u < users; u++) {
    const events = userEvents(u, eventsPerUser);
    const userId = seededUserId(u);
    const writes: ((op: Deno.AtomicOperation) => void)[] = [];
    for (const event of events) {
      writes.push((op) => op.set(eventKey(userId, event.id), event));
      writes.push((op) =>
        op.set(resultKey(userId, event.id), { eventId: event.id, syncedSystems: [] })
      );
    }
    for (let i = 0; i < events.length; i += 100) {
      const stamp = String(i / 100 + 1).padStart(20, "0");
      const ids = events.slice(i, i + 100).map((e) => e.id);
      writes.push((op) => op.set([...eventsByUserPrefix(userId), stamp], ids));
    }
    if (options.projections) {
      const states = new Map(
        [...groupByActivity(events)].map(([a, group]) => [a, reduceActivity(group, a)!]),
      );
      const summary: ProgressSummary = {
        userId,
        totals: totalsOfStates(states.values()),
        eventCount: events.length,
        recent: mergeRecent([], events),
        updatedAt: events.at(-1)!.receivedAt,
      };
      for (const event of events) {
        writes.push((op) =>
          op.set(
            [...eventsByActivityPrefix(userId, event.eventData.activityId!), event.id],
            event.id,
          )
        );
      }
      for (const [a, state] of states) {
        writes.push((op) => op.set(activityStateKey(userId, a), state));
      }
      writes.push((op) => op.set(summaryKey(userId), summary));
    }
    for (let i = 0; i < writes.length; i += 500) {
      const op = kv.atomic();
      for (const write of writes.slice(i, i + 500)) write(op);
      const result = await op.commit();
      if (!result.ok) throw new Error("Seeding failed");
    }
    if ((u + 1) % 200 === 0) options.progress?.((u + 1) * eventsPerUser);
  }
}
