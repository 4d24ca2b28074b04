import assert from "node:assert/strict";
import { appendEvents } from "../events/log_store.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import { countPendingEvents, getSummary } from "../progress/summary_store.ts";
import { withTestApp } from "../../tests/support/test_app.ts";
import { createProcessor, processMessage } from "./processor.ts";

/** These tests open KV and queues, so they turn on the op and resource leak checks (off by default in Deno 2.9). */
const leakChecked = { sanitizeOps: true, sanitizeResources: true };

function event(userId: string, id: string, minutes = 5): StoredEvent {
  return {
    id,
    userId,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: {
      activityId: `video-${id}`,
      activityType: "video",
      completionStatus: "completed",
      timeSpent: minutes,
    },
    timestamp: "2026-11-01T10:00:00.000Z",
    receivedAt: new Date().toISOString(),
    contentHash: `hash-${id}`,
  };
}

function postBody(id: string) {
  return {
    id,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: { activityId: `video-${id}`, activityType: "video", completionStatus: "completed" },
    timestamp: "2026-11-01T10:00:00Z",
  };
}

/**
 * Wraps `kv` so that each read of one user's outbox (the first step of `processPendingEvents`)
 * waits at a gate until the test opens it. Arrivals at the gate are the runs in flight.
 */
function gateOutboxReads(kv: Deno.Kv) {
  const arrivals: { userId: string; open: () => void }[] = [];
  const listeners: (() => void)[] = [];
  async function* gated(userId: string, list: () => Deno.KvListIterator<unknown>) {
    await new Promise<void>((open) => {
      arrivals.push({ userId, open });
      for (const listener of listeners.splice(0)) listener();
    });
    yield* list();
  }
  const gatedKv = new Proxy(kv, {
    get(target, property) {
      if (property === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          const prefix = "prefix" in selector ? selector.prefix : [];
          const list = () => target.list(selector, options);
          return prefix[0] === "outbox" && prefix.length === 2
            ? gated(prefix[1] as string, list)
            : list();
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    kv: gatedKv,
    arrivals,
    /** Resolves once `count` runs have reached the gate. */
    async arrived(count: number): Promise<void> {
      while (arrivals.length < count) {
        await new Promise<void>((resolve) => listeners.push(resolve));
      }
    },
  };
}

/** Counts queue messages enqueued through `kv`'s atomic operations from now on. */
function countEnqueues(kv: Deno.Kv): { count: number } {
  const counter = { count: 0 };
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    const enqueue = op.enqueue.bind(op);
    op.enqueue = (...args) => {
      counter.count++;
      return enqueue(...args);
    };
    return op;
  };
  return counter;
}

Deno.test({
  name: "with queues disabled, posted events are processed in-process without any queue",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { token } = await app.student();
      const enqueued = countEnqueues(app.kv);
      const posted = await app.request("/api/progress-sync/events", {
        method: "POST",
        token,
        json: { events: [postBody("e1"), postBody("e2")] },
      });
      assert.equal(posted.status, 202);
      await app.processor.idle();
      const response = await app.request("/api/progress-sync/summary", { token });
      assert.equal(response.status, 200);
      const summary = await response.json();
      assert.equal(summary.overallProgress.completedActivities, 2);
      assert.equal(summary.dataConsistencyScore, 1);
      assert.equal(app.processor.stats().processedEvents, 2);
      assert.equal(enqueued.count, 0);
    }, { queuesEnabled: false }),
});

Deno.test({
  name: "with queues disabled and no fast path, the sweeper recovers appended events",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { userId, token } = await app.student();
      await appendEvents(app.kv, [event(userId, "e1"), event(userId, "e2")]);
      const before = await (await app.request("/api/progress-sync/summary", { token })).json();
      assert.equal(before.overallProgress.totalActivities, 0);
      assert.equal(before.dataConsistencyScore, 0);

      assert.equal(await app.processor.sweep({ olderThanMs: 60_000 }), 0, "too fresh to sweep");
      assert.equal(await app.processor.sweep({ olderThanMs: 0 }), 1);
      const after = await (await app.request("/api/progress-sync/summary", { token })).json();
      assert.equal(after.overallProgress.completedActivities, 2);
      assert.equal(after.overallProgress.totalTimeSpent, 10);
      assert.equal(after.dataConsistencyScore, 1);
    }, { queuesEnabled: false }),
});

Deno.test({
  name: "a failed run is handed to the KV queue, and the queued retry processes the events",
  ...leakChecked,
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    let failuresLeft = 1;
    const flaky = new Proxy(kv, {
      get(target, property) {
        if (property === "list" && failuresLeft > 0) {
          failuresLeft--;
          return () => {
            throw new Error("Disk hiccup");
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const retried: string[][] = [];
    const processor = createProcessor(flaky, {
      retry: async (userIds) => {
        retried.push([...userIds]);
        await kv.enqueue(processMessage(userIds), { delay: 10 });
      },
    });
    let delivered!: () => void;
    const handled = new Promise<void>((resolve) => (delivered = resolve));
    const listening = kv.listenQueue(async (message) => {
      await processor.handleMessage(message);
      delivered();
    });
    try {
      await appendEvents(kv, [event("u1", "e1"), event("u1", "e2")]);
      await assert.rejects(processor.schedule("u1"), /Disk hiccup/);
      assert.deepEqual(retried, [["u1"]]);
      assert.equal(processor.stats().failedRuns, 1);
      await handled;
      assert.equal((await getSummary(kv, "u1")).eventCount, 2);
      assert.equal(await countPendingEvents(kv, "u1"), 0);
    } finally {
      await processor.idle();
      kv.close();
      await listening;
    }
  },
});

Deno.test({
  name: "handleMessage ignores messages that are not process requests",
  ...leakChecked,
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    try {
      const processor = createProcessor(kv);
      await appendEvents(kv, [event("u1", "e1")]);
      await processor.handleMessage({ kind: "something_else", userIds: ["u1"] });
      await processor.handleMessage("process");
      assert.equal(await countPendingEvents(kv, "u1"), 1);
      await processor.handleMessage({ kind: "process", userIds: ["u1"] });
      assert.equal(await countPendingEvents(kv, "u1"), 0);
    } finally {
      kv.close();
    }
  },
});

/** Counts atomic commits made through `kv` from now on. */
function countCommits(kv: Deno.Kv): { count: number } {
  const counter = { count: 0 };
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = () => {
      counter.count++;
      return commit();
    };
    return op;
  };
  return counter;
}

Deno.test({
  name: "users waiting for a run are grouped into one commit, with at most `concurrency` in flight",
  ...leakChecked,
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    try {
      const users = Array.from({ length: 7 }, (_, i) => `user${i}`);
      await appendEvents(kv, users.flatMap((u) => [event(u, `${u}-a`), event(u, `${u}-b`)]));
      const commits = countCommits(kv);
      const gate = gateOutboxReads(kv);
      const processor = createProcessor(gate.kv, { concurrency: 1 });
      const first = processor.schedule(users[0]!);
      const rest = users.slice(1).map((u) => processor.schedule(u));
      await gate.arrived(1);
      assert.deepEqual(processor.stats(), {
        processedEvents: 0,
        runs: 0,
        failedRuns: 0,
        lastFailureAt: null,
        lastError: null,
        activeUsers: 1,
        waitingUsers: 6,
      });
      gate.arrivals[0]!.open();
      await first;
      await gate.arrived(7);
      assert.deepEqual(
        gate.arrivals.slice(1).map((a) => a.userId).toSorted(),
        users.slice(1).toSorted(),
        "the six waiting users run together",
      );
      for (const arrival of gate.arrivals.slice(1)) arrival.open();
      await Promise.all(rest);
      assert.equal(commits.count, 2, "one commit for the first user, one for the other six");
      assert.equal(processor.stats().processedEvents, 14);
      for (const userId of users) assert.equal((await getSummary(kv, userId)).eventCount, 2);
      await processor.idle();
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  name: "scheduling a user who is already running gets one more run after the current one",
  ...leakChecked,
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    try {
      await appendEvents(kv, [event("u1", "e1")]);
      const gate = gateOutboxReads(kv);
      const processor = createProcessor(gate.kv, { concurrency: 3 });
      const first = processor.schedule("u1");
      await gate.arrived(1);
      await appendEvents(kv, [event("u1", "e2")]);
      const second = processor.schedule("u1");
      assert.deepEqual(processor.stats(), {
        processedEvents: 0,
        runs: 0,
        failedRuns: 0,
        lastFailureAt: null,
        lastError: null,
        activeUsers: 1,
        waitingUsers: 1,
      });

      gate.arrivals[0]!.open();
      await first;
      await gate.arrived(2); // the second request makes the user run once more
      gate.arrivals[1]!.open();
      await second;
      assert.equal(gate.arrivals.length, 2);
      assert.equal((await getSummary(kv, "u1")).eventCount, 2);
      await processor.idle();
      assert.deepEqual(processor.stats(), {
        processedEvents: 2,
        runs: 2,
        failedRuns: 0,
        lastFailureAt: null,
        lastError: null,
        activeUsers: 0,
        waitingUsers: 0,
      });
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  name:
    "a failed run that nobody awaits is reported through onError, not as an unhandled rejection",
  ...leakChecked,
  fn: async () => {
    const kv = await Deno.openKv(":memory:");
    const broken = new Proxy(kv, {
      get(target, property) {
        if (property === "list") {
          return () => {
            throw new Error("Disk gone");
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    try {
      const reported: string[][] = [];
      const processor = createProcessor(broken, {
        onError: (userIds) => reported.push([...userIds]),
      });
      processor.schedule("u1");
      await processor.idle();
      assert.deepEqual(reported, [["u1"]]);
    } finally {
      kv.close();
    }
  },
});
