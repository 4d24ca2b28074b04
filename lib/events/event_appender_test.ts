import assert from "node:assert/strict";
import { createEventAppender } from "./event_appender.ts";
import { appendEvents, getStoredEvents, listEventsSince } from "./log_store.ts";
import type { StoredEvent } from "../core/event_schema.ts";

const leakChecked = { sanitizeOps: true, sanitizeResources: true };

function event(userId: string, id: string, hash = `hash-${id}`): StoredEvent {
  return {
    id,
    userId,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: { activityId: "v1", activityType: "video", completionStatus: "completed" },
    timestamp: "2026-11-01T10:00:00.000Z",
    receivedAt: "2026-11-01T10:00:00.000Z",
    contentHash: hash,
  };
}

async function withKv(fn: (kv: Deno.Kv, commits: { count: number }) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  const commits = { count: 0 };
  const atomic = kv.atomic.bind(kv);
  kv.atomic = () => {
    const op = atomic();
    const commit = op.commit.bind(op);
    op.commit = () => {
      commits.count++;
      return commit();
    };
    return op;
  };
  try {
    await fn(kv, commits);
  } finally {
    kv.close();
  }
}

Deno.test({
  name: "requests arriving together share commits and are all stored, in request order per user",
  ...leakChecked,
  fn: () =>
    withKv(async (kv, commits) => {
      const appender = createEventAppender(kv);
      const requests = Array.from(
        { length: 20 },
        (_, i) => [event(i % 2 ? "u1" : "u2", `e${String(i).padStart(2, "0")}`)],
      );
      const outcomes = await Promise.all(requests.map((r) => appender.append(r)));
      assert.ok(outcomes.every((o) => o.length === 1 && o[0]!.status === "accepted"));
      assert.ok(commits.count < requests.length, `${commits.count} commits for 20 requests`);
      const stored = await getStoredEvents(kv, requests.map((r) => [r[0]!.userId, r[0]!.id]));
      assert.ok(stored.every((e) => e !== undefined));
      const u1 = (await listEventsSince(kv, "u1")).events.map((e) => e.id);
      assert.deepEqual(u1, requests.filter((_, i) => i % 2).map((r) => r[0]!.id));
    }),
});

Deno.test({
  name:
    "the same id posted by ten requests at once is stored once: one accepted, the rest duplicate or conflict",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      const appender = createEventAppender(kv);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          appender.append([event("u1", "same", i < 5 ? "hash-a" : "hash-b")])),
      );
      const statuses = outcomes.map((o) =>
        o[0]!.status
      );
      assert.equal(statuses.filter((s) => s === "accepted").length, 1);
      const winner = statuses.indexOf("accepted") < 5 ? "hash-a" : "hash-b";
      outcomes.forEach((o, i) => {
        if (o[0]!.status === "accepted") return;
        const hash = i < 5 ? "hash-a" : "hash-b";
        assert.equal(o[0]!.status, hash === winner ? "duplicate" : "conflict");
      });
      assert.equal((await listEventsSince(kv, "u1")).events.length, 1);
    }),
});

Deno.test({
  name: "a merged commit that hits an existing id falls back to one commit per request",
  ...leakChecked,
  fn: () =>
    withKv(async (kv) => {
      await appendEvents(kv, [event("u1", "old")]);
      const appender = createEventAppender(kv);
      const [first, second, third] = await Promise.all([
        appender.append([event("u1", "a")]),
        appender.append([event("u1", "b"), event("u1", "old")]),
        appender.append([event("u1", "c"), event("u1", "old", "hash-other")]),
      ]);
      assert.deepEqual(first!.map((o) => o.status), ["accepted"]);
      assert.deepEqual(second!.map((o) => o.status), ["accepted", "duplicate"]);
      assert.deepEqual(third!.map((o) => o.status), ["accepted", "conflict"]);
      const ids = (await listEventsSince(kv, "u1")).events.map((e) => e.id);
      assert.deepEqual(ids, ["old", "a", "b", "c"]);
    }),
});
