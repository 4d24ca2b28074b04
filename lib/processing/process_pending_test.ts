import assert from "node:assert/strict";
import fc from "fast-check";
import { appendEvents, listEventsSince, type OutboxEntry } from "../events/log_store.ts";
import { type CompletionStatus, type EventType, type StoredEvent } from "../core/event_schema.ts";
import {
  achievementKey,
  activityStateKey,
  activityStatesPrefix,
  notificationsPrefix,
  outboxKey,
  outboxPrefix,
} from "../kv_keys.ts";
import { listNotificationsAfter } from "../live/notification_store.ts";
import { type ActivityState, reduceActivity } from "../core/activity_state.ts";
import { groupByActivity, project } from "../core/project.ts";
import { emptySummary, totalsOfStates } from "../core/summary.ts";
import { countPendingEvents, getSummary } from "../progress/summary_store.ts";
import { MAX_EVENTS_PER_COMMIT, processPendingEvents } from "./process_pending.ts";
import { createProcessor } from "./processor.ts";
import { readSyncStats } from "./sync_stats.ts";
import { setAwardPublic } from "../achievements/achievement_sharing.ts";
import type { Award } from "../core/award_step.ts";

/** These tests open KV, so they turn on the op and resource leak checks (off by default in Deno 2.9). */
const leakChecked = { sanitizeOps: true, sanitizeResources: true };
/** Events per user and commit in the tests that exercise splitting (the default takes a whole batch). */
const PER_COMMIT = 30;

function event(
  userId: string,
  id: string,
  activityId: string,
  timestamp: string,
  options: {
    status?: CompletionStatus;
    eventType?: EventType;
    timeSpent?: number;
    score?: number;
  } = {},
): StoredEvent {
  return {
    id,
    userId,
    eventType: options.eventType ?? "activity_progressed",
    sourceSystem: "quiz_engine",
    eventData: {
      activityId,
      activityType: "quiz",
      completionStatus: options.status ?? "in_progress",
      timeSpent: options.timeSpent ?? 5,
      ...(options.score === undefined ? {} : { score: options.score }),
    },
    timestamp,
    receivedAt: new Date().toISOString(),
    contentHash: `hash-${id}`,
  };
}

const at = (hhmm: string) => `2026-11-01T${hhmm}:00.000Z`;
const second = (n: number) => new Date(Date.parse(at("10:00")) + n * 1000).toISOString();

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

async function listStates(kv: Deno.Kv, userId: string): Promise<Map<string, ActivityState>> {
  const states = new Map<string, ActivityState>();
  for await (const entry of kv.list<ActivityState>({ prefix: activityStatesPrefix(userId) })) {
    states.set(entry.key.at(-1) as string, entry.value);
  }
  return states;
}

/**
 * Asserts the user's projections equal one replay of their log from nothing: `events` plus any
 * corrections processing appended (conflict resolutions, see lib/conflicts).
 */
async function assertMatchesReplay(
  kv: Deno.Kv,
  userId: string,
  posted: readonly StoredEvent[],
): Promise<void> {
  const events = (await listEventsSince(kv, userId, { limit: 10_000 })).events;
  const logged = new Set(events.map((e) => e.id));
  for (const event of posted) assert.ok(logged.has(event.id), `${event.id} is in the log`);
  const ids = new Set(posted.map((e) => e.id));
  assert.ok(events.every((e) => ids.has(e.id) || e.eventType === "conflict_resolved"));
  const replay = project({
    now: new Date().toISOString(),
    events,
    states: new Map(),
    histories: new Map(),
    summary: emptySummary(userId),
  });
  const states = await listStates(kv, userId);
  const summary = await getSummary(kv, userId);
  for (const [activityId, group] of groupByActivity(events)) {
    assert.deepEqual(states.get(activityId), reduceActivity(group, activityId));
  }
  assert.equal(states.size, replay.states.size);
  assert.equal(summary.eventCount, events.length);
  assert.deepEqual(summary.totals, replay.summary.totals);
  assert.deepEqual(summary.totals, totalsOfStates(states.values()));
  assert.deepEqual(summary.recent, replay.summary.recent);
  assert.equal(await countPendingEvents(kv, userId), 0);
}

/** Wraps `kv` so that its first atomic commit waits until `release` is called. */
function holdFirstCommit(kv: Deno.Kv) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const held = new Promise<void>((resolve) => (reached = resolve));
  let commits = 0;
  const wrapped = new Proxy(kv, {
    get(target, property) {
      if (property === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = async () => {
            if (commits++ === 0) {
              reached();
              await released;
            }
            return commit();
          };
          return op;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: wrapped, held, release };
}

Deno.test({
  name: "two racing processPendingEvents calls apply each accepted event exactly once",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const all: StoredEvent[] = [];
      for (let round = 0; round < 3; round++) {
        const events = Array.from({ length: 8 }, (_, i) =>
          event("u1", `r${round}-e${i}`, `activity-${i % 3}`, at(`1${round}:0${i}`), {
            status: i === 7 ? "completed" : "in_progress",
            timeSpent: i + 1,
          }));
        await appendEvents(kv, events);
        all.push(...events);
        const outcomes = await Promise.all([
          processPendingEvents(kv, ["u1"]),
          processPendingEvents(kv, ["u1"]),
        ]);
        assert.equal(outcomes[0].processed + outcomes[1].processed, events.length);
      }
      await assertMatchesReplay(kv, "u1", all);
      assert.equal((await getSummary(kv, "u1")).totals.timeSpentMinutes, 3 * 36);
      const notified = await listNotificationsAfter(kv, "u1", null);
      assert.deepEqual(
        notified.flatMap((n) =>
          n.message.event === "progress_update" ? [n.message.data.eventId] : []
        ).sort(),
        all.map((e) =>
          e.id
        ).sort(),
      );
    }),
});

Deno.test({
  name: "a commit built on a stale summary is retried, so no concurrent update is lost",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const early = Array.from({ length: PER_COMMIT }, (_, i) =>
        event("u1", `b${String(i).padStart(2, "0")}`, `first-${i}`, at("10:00")));
      await appendEvents(kv, early);
      const slow = holdFirstCommit(kv);
      const first = processPendingEvents(slow.kv, ["u1"], { maxEventsPerUser: PER_COMMIT });
      await slow.held; // it has read the summary and built its commit for the `b` events

      // Ids that sort first, so the second processor takes only these.
      const late = Array.from({ length: PER_COMMIT }, (_, i) =>
        event("u1", `a${String(i).padStart(2, "0")}`, `second-${i}`, at("11:00")));
      await appendEvents(kv, late);
      assert.deepEqual(await processPendingEvents(kv, ["u1"], { maxEventsPerUser: PER_COMMIT }), {
        processed: PER_COMMIT,
        pending: ["u1"],
      });

      slow.release();
      assert.equal((await first).processed, PER_COMMIT);
      await assertMatchesReplay(kv, "u1", [...early, ...late]);
    }),
});

Deno.test({
  name: "events stranded by a crash before processing are picked up by the sweeper",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const alice = [event("alice", "a1", "video-1", at("10:00"), { status: "completed" })];
      const bob = [
        event("bob", "b1", "quiz-1", at("10:00"), { score: 70 }),
        event("bob", "b2", "quiz-1", at("10:05"), { status: "completed", score: 60 }),
      ];
      await appendEvents(kv, [...alice, ...bob]);
      // The process "crashes" here: nothing ran the processor.
      assert.equal(await countPendingEvents(kv, "bob"), 2);

      const processor = createProcessor(kv);
      assert.equal(await processor.sweep({ olderThanMs: 0 }), 2);
      await processor.idle();
      await assertMatchesReplay(kv, "alice", alice);
      await assertMatchesReplay(kv, "bob", bob);
      assert.equal((await listStates(kv, "bob")).get("quiz-1")?.bestScore, 70);
      assert.equal(processor.stats().processedEvents, 3);
      assert.equal(await processor.sweep({ olderThanMs: 0 }), 0);
    }),
});

Deno.test({
  name: `more than maxEventsPerUser pending events are processed over several commits`,
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const events = Array.from({ length: 75 }, (_, i) =>
        event("u1", `e${String(i).padStart(2, "0")}`, `activity-${i % 40}`, second(i), {
          status: i % 4 === 0 ? "completed" : "started",
        }));
      await appendEvents(kv, events);
      const outcomes = [];
      let outcome;
      do {
        outcome = await processPendingEvents(kv, ["u1"], { maxEventsPerUser: PER_COMMIT });
        outcomes.push(outcome);
      } while (outcome.pending.length > 0);
      assert.deepEqual(outcomes, [
        { processed: 30, pending: ["u1"] },
        { processed: 30, pending: ["u1"] },
        { processed: 15, pending: [] },
      ]);
      assert.deepEqual(await processPendingEvents(kv, ["u1"]), { processed: 0, pending: [] });
      await assertMatchesReplay(kv, "u1", events);
      let commits = 0;
      for await (const _ of kv.list({ prefix: notificationsPrefix("u1") })) {
        commits++;
      }
      assert.equal(commits, 3);
      const updates = (await listNotificationsAfter(kv, "u1", null))
        .filter((n) =>
          n.message.event === "progress_update"
        );
      assert.equal(updates.length, 75);
    }),
});

Deno.test({
  name: "a 100-event batch is planned as one: as few commits as its live messages allow, none lost",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const events = Array.from({ length: 100 }, (_, i) =>
        event("u1", `e${String(i).padStart(3, "0")}`, `activity-${i}`, second(i), {
          status: "completed",
        }));
      await appendEvents(kv, events);
      const processed: number[] = [];
      for (let pending = ["u1"]; pending.length > 0;) {
        const outcome = await processPendingEvents(kv, pending);
        processed.push(outcome.processed);
        pending = outcome.pending;
      }
      assert.equal(
        processed.reduce((a, b) =>
          a + b, 0),
        100,
      );
      assert.ok(processed.every((n) =>
        n <= MAX_EVENTS_PER_COMMIT
      ));
      // A commit's live messages share one KV value: two commits at most for 100 events.
      assert.ok(processed.length <= 2, `commits: ${processed.join(", ")}`);
      await assertMatchesReplay(kv, "u1", events);
      const updates = (await listNotificationsAfter(kv, "u1", null))
        .filter((n) => n.message.event === "progress_update");
      assert.equal(updates.length, 100);
    }),
});

Deno.test({
  name: "an outbox entry without its event's targets (written before they were added) is processed",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const events = [
        event("u1", "e1", "video-1", at("10:00"), { status: "started" }),
        event("u1", "e2", "video-1", at("10:05"), { status: "completed" }),
      ];
      await appendEvents(kv, events.slice(0, 1));
      for await (const entry of kv.list<OutboxEntry>({ prefix: outboxPrefix("u1") })) {
        assert.deepEqual(entry.value.activityIds, ["video-1"]);
        const { activityIds: _, ...old } = entry.value;
        await kv.set(entry.key, old);
      }
      await appendEvents(kv, events.slice(1));
      assert.deepEqual(await processPendingEvents(kv, ["u1"]), { processed: 2, pending: [] });
      await assertMatchesReplay(kv, "u1", events);
    }),
});

Deno.test({
  name: "a late event re-reduces only the activity it touches, as a replay of all its events would",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const quiz = [
        event("u1", "e2", "quiz", at("10:00"), { status: "started", score: 50 }),
        event("u1", "e3", "quiz", at("11:00"), { eventType: "progress_reset" }),
      ];
      const other = event("u1", "e4", "video", at("10:30"), { status: "completed" });
      await appendEvents(kv, [...quiz, other]);
      await processPendingEvents(kv, ["u1"]);
      const videoBefore = await kv.get(activityStateKey("u1", "video"));

      const late = event("u1", "e1", "quiz", at("09:00"), { status: "completed", score: 90 });
      await appendEvents(kv, [late]);
      assert.deepEqual(await processPendingEvents(kv, ["u1"]), { processed: 1, pending: [] });

      const state = (await listStates(kv, "u1")).get("quiz");
      assert.deepEqual(state, reduceActivity([...quiz, late], "quiz"));
      assert.equal(state?.status, "not_started");
      assert.equal(state?.bestScore, null);
      assert.equal(state?.completedAt, null);
      assert.equal(
        (await kv.get(activityStateKey("u1", "video"))).versionstamp,
        videoBefore.versionstamp,
      );
      await assertMatchesReplay(kv, "u1", [...quiz, other, late]);
      assert.equal((await getSummary(kv, "u1")).totals.completed, 1);
    }),
});

Deno.test({
  name:
    "batches appended in any order and processed as they come end in a full replay's projections",
  ...leakChecked,
  fn: async () => {
    const eventsArb = fc.uniqueArray(
      fc.record({
        id: fc.stringMatching(/^[a-z0-9]{1,3}$/),
        activityId: fc.constantFrom("a", "b", "c"),
        minute: fc.integer({ min: 0, max: 5 }),
        status: fc.constantFrom<CompletionStatus>("started", "in_progress", "failed", "completed"),
        reset: fc.boolean(),
      }).map((r) =>
        event("u1", r.id, r.activityId, at(`10:0${r.minute}`), {
          status: r.status,
          ...(r.reset && r.minute % 2 === 0 ? { eventType: "progress_reset" as const } : {}),
        })
      ),
      { selector: (e) => e.id, minLength: 1, maxLength: 20 },
    );
    const batchesArb = eventsArb.chain((events) =>
      fc.tuple(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.array(fc.nat({ max: events.length }), { maxLength: 4 }),
      ).map(([arrival, cuts]) => {
        const bounds = [...new Set([0, ...cuts, arrival.length])].sort((a, b) => a - b);
        return bounds.slice(1).map((end, i) => arrival.slice(bounds[i], end));
      })
    );
    await fc.assert(
      fc.asyncProperty(batchesArb, (batches) =>
        withKv(async (kv) => {
          for (const batch of batches) {
            await appendEvents(kv, batch);
            await processPendingEvents(kv, ["u1"]);
          }
          await assertMatchesReplay(kv, "u1", batches.flat());
        })),
      { numRuns: 40 },
    );
  },
});

Deno.test({
  name: "racing multi-user commits apply each user's events exactly once",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const users = ["u1", "u2", "u3"];
      const byUser = new Map(users.map((u) => [
        u,
        Array.from({ length: 6 }, (_, i) =>
          event(u, `${u}-e${i}`, `activity-${i % 2}`, at(`10:0${i}`), { timeSpent: i + 1 })),
      ]));
      await appendEvents(kv, [...byUser.values()].flat());
      const outcomes = await Promise.all([
        processPendingEvents(kv, users),
        processPendingEvents(kv, users.toReversed()),
        processPendingEvents(kv, ["u2"]),
      ]);
      assert.equal(
        outcomes.reduce((n, o) =>
          n + o.processed, 0),
        18,
      );
      for (const [userId, events] of byUser) {
        await assertMatchesReplay(kv, userId, events);
        assert.equal(await countPendingEvents(kv, userId), 0);
      }
    }),
});

Deno.test({
  name: "the sweeper schedules each user with stranded events once, however many they have",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const users = ["ua", "ub", "uc"];
      await appendEvents(
        kv,
        users.flatMap((u) =>
          Array.from({ length: 5 }, (_, i) => event(u, `${u}-${i}`, "quiz", at(`09:0${i}`)))
        ),
      );
      const processor = createProcessor(kv);
      assert.equal(await processor.sweep({ olderThanMs: 0 }), 3);
      for (const userId of users) {
        assert.equal((await getSummary(kv, userId)).eventCount, 5);
      }
      assert.equal(await processor.sweep({ olderThanMs: 0 }), 0);
    }),
});

Deno.test({
  name:
    "a group too big for one commit is split within the KV mutation limit, and the rest stays pending",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const users = Array.from({ length: 20 }, (_, i) => `user${String(i).padStart(2, "0")}`);
      for (const u of users) {
        await appendEvents(
          kv,
          Array.from({ length: PER_COMMIT }, (_, i) =>
            event(u, `${u}-${i}`, `activity-${i}`, at("10:00"))),
        );
      }
      let remaining: readonly string[] = users;
      let commits = 0;
      while (remaining.length > 0) {
        const outcome = await processPendingEvents(kv, remaining, { maxEventsPerUser: PER_COMMIT });
        assert.ok(outcome.processed > 0);
        // Users share a commit's budget: each gets a part of its events, and the rest stays pending.
        assert.ok(outcome.pending.length <= remaining.length);
        remaining = outcome.pending;
        commits++;
      }
      assert.ok(commits > 1, "twenty users of thirty events cannot share one commit");
      for (const userId of users) {
        assert.equal((await getSummary(kv, userId)).eventCount, PER_COMMIT);
      }
    }),
});

Deno.test({
  name: "a stray outbox entry for an event already processed is deleted, not applied twice",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const e1 = event("u1", "e1", "quiz", at("10:00"), { status: "completed", timeSpent: 7 });
      await appendEvents(kv, [e1]);
      await processPendingEvents(kv, ["u1"]);
      await kv.set(outboxKey("u1", "stray-entry"), { eventId: "e1", acceptedAt: at("10:00") });
      await kv.set(outboxKey("u1", "stray-entry-2"), { eventId: "e1", acceptedAt: at("10:00") });
      await processPendingEvents(kv, ["u1"]);
      const summary = await getSummary(kv, "u1");
      assert.equal(summary.eventCount, 1);
      assert.equal(summary.totals.timeSpentMinutes, 7);
      assert.equal(await countPendingEvents(kv, "u1"), 0);
    }),
});

Deno.test({
  name: "a commit Deno KV refuses as too large is retried in smaller commits, losing nothing",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const users = Array.from({ length: 8 }, (_, i) => `big${i}`);
      for (const u of users) {
        await appendEvents(
          kv,
          Array.from({ length: 6 }, (_, i) => event(u, `${u}-${i}`, `a${i}`, at("10:00"))),
        );
      }
      const atomic = kv.atomic.bind(kv);
      let refused = 0;
      kv.atomic = () => {
        const op = atomic();
        const set = op.set.bind(op);
        const commit = op.commit.bind(op);
        let sets = 0;
        op.set = (...args) => {
          sets++;
          return set(...args);
        };
        op.commit = () => {
          if (sets > 60) {
            refused++;
            throw new TypeError("Total mutation size too large (max 819200 bytes)");
          }
          return commit();
        };
        return op;
      };
      let remaining: readonly string[] = users;
      while (remaining.length > 0) remaining = (await processPendingEvents(kv, remaining)).pending;
      assert.ok(refused > 0, "the first, large commit was refused");
      for (const u of users) assert.equal((await getSummary(kv, u)).eventCount, 6);
    }),
});

Deno.test({
  name: "a commit of many users adds each system's figures once, summed over its users",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const users = Array.from({ length: 12 }, (_, i) => `figures-${i}`);
      const events = users.flatMap((u, i) => [
        event(u, `${u}-a`, "quiz-1", second(i)),
        { ...event(u, `${u}-b`, "video-1", second(i + 1)), sourceSystem: "video_player" as const },
      ]);
      await appendEvents(kv, events);
      let mutations = 0;
      const counted = new Proxy(kv, {
        get(target, name) {
          if (name !== "atomic") return Reflect.get(target, name, target).bind(target);
          return () => {
            const op = target.atomic();
            const { sum, max } = op;
            op.sum = (key, n) => (mutations++, sum.call(op, key, n));
            op.max = (key, n) => (mutations++, max.call(op, key, n));
            return op;
          };
        },
      });
      const outcome = await processPendingEvents(counted, users);
      assert.equal(outcome.processed, 24);
      assert.equal(mutations, 8, "four figures for each of the two systems, not per user");
      const stats = await readSyncStats(kv);
      assert.equal(stats.get("quiz_engine")?.processed, 12);
      assert.equal(stats.get("video_player")?.processed, 12);
      assert.equal(stats.get("video_player")?.last_event_at, Date.parse(second(12)));
    }),
});

Deno.test({
  name: "a share toggle committed while a late event moves that award earlier is not undone",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const userId = "sharer";
      const done = { status: "completed" as const, score: 90 };
      await appendEvents(kv, [event(userId, "on-time", "quiz-2", at("10:00"), done)]);
      await processPendingEvents(kv, [userId]);
      const before = (await kv.get<Award>(achievementKey(userId, "first-completion"))).value;
      assert.equal(before?.triggerEventId, "on-time");
      // The student makes it public between processing's read of their awards and its commit.
      let toggled = false;
      const racing = new Proxy(kv, {
        get(target, name) {
          const value = Reflect.get(target, name, target);
          if (name !== "list") return typeof value === "function" ? value.bind(target) : value;
          return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
            const inner = target.list(selector, options);
            const isAwards = "prefix" in selector && selector.prefix[0] === "achievements";
            return (async function* () {
              yield* inner;
              if (isAwards && !toggled) {
                toggled = true;
                await setAwardPublic(target, {
                  userId,
                  achievementId: "first-completion",
                  isPublic: true,
                });
              }
            })();
          };
        },
      });
      await appendEvents(kv, [event(userId, "late", "quiz-1", at("09:00"), done)]);
      await processPendingEvents(racing, [userId]);
      assert.ok(toggled);
      const after = (await kv.get<Award>(achievementKey(userId, "first-completion"))).value;
      assert.equal(after?.triggerEventId, "late", "the late event moved the trigger earlier");
      assert.equal(after?.public, true, "and the student's share toggle stands");
    }),
});
