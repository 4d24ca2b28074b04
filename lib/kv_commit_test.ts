import assert from "node:assert/strict";
import fc from "fast-check";
import {
  COMMIT_ATTEMPTS,
  commitWithRetry,
  isDatabaseLocked,
  LOCKED_ATTEMPTS,
  lockedDelayMs,
  retryLocked,
} from "./kv_commit.ts";
import { ContentionError } from "./errors.ts";
import { openKv } from "./kv_open.ts";
import { createEventAppender } from "./events/event_appender.ts";
import { createProcessor } from "./processing/processor.ts";
import type { StoredEvent } from "./core/event_schema.ts";
import { countPendingEvents, getSummary } from "./progress/summary_store.ts";

const locked = () => new TypeError("database is locked");
const noSleep = () => Promise.resolve();

Deno.test("retryLocked retries only `database is locked`, at most LOCKED_ATTEMPTS times", async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: LOCKED_ATTEMPTS + 2 }), async (failures) => {
      let calls = 0;
      const write = () => ++calls <= failures ? Promise.reject(locked()) : Promise.resolve("ok");
      const outcome = await retryLocked(write, { sleep: noSleep }).catch((error) => error);
      if (failures < LOCKED_ATTEMPTS) {
        assert.equal(outcome, "ok");
        assert.equal(calls, failures + 1);
      } else {
        assert.ok(isDatabaseLocked(outcome));
        assert.equal(calls, LOCKED_ATTEMPTS);
      }
    }),
  );
  let calls = 0;
  const tooLarge = () => {
    calls++;
    return Promise.reject(new TypeError("Value too large"));
  };
  await assert.rejects(retryLocked(tooLarge, { sleep: noSleep }));
  assert.equal(calls, 1);
});

Deno.test("lockedDelayMs is jittered within [d/2, d] under a cap", () => {
  const unit = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
  fc.assert(fc.property(fc.nat(60), unit, (retry, r) => {
    const delay = lockedDelayMs(retry, () => r);
    const ceiling = Math.min(50, 2 * 2 ** retry);
    assert.ok(delay >= ceiling / 2 && delay <= ceiling);
  }));
});

/** Four writers per connection, each a read-then-checked-commit loop on its own counter. */
async function contend(connections: Deno.Kv[], commits: number): Promise<number> {
  let failures = 0;
  await Promise.all(connections.flatMap((kv, c) =>
    [0, 1, 2, 3].map(async (w) => {
      for (let i = 0; i < commits; i++) {
        try {
          const entry = await kv.get<number>(["counter", c, w]);
          await kv.atomic().check(entry).set(["counter", c, w], i).sum(["total"], 1n).commit();
        } catch (error) {
          if (!isDatabaseLocked(error)) throw error;
          failures++;
        }
      }
    })
  ));
  return failures;
}

async function withTwoConnections(
  fn: (raw: Deno.Kv[], retrying: Deno.Kv[]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite`;
  const raw = [await Deno.openKv(path), await Deno.openKv(path)];
  const retrying = [await openKv(path), await openKv(path)];
  try {
    await fn(raw, retrying);
  } finally {
    for (const kv of [...raw, ...retrying]) kv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("two connections on one KV file: raw commits meet `database is locked`, the service's KV never does", async () => {
  await withTwoConnections(async (raw, retrying) => {
    assert.ok(await contend(raw, 60) > 0, "contention should make raw commits fail");
    const before = (await retrying[0]!.get<Deno.KvU64>(["total"])).value!.value;
    assert.equal(await contend(retrying, 60), 0);
    const after = (await retrying[0]!.get<Deno.KvU64>(["total"])).value!.value;
    assert.equal(after - before, 2n * 4n * 60n);
  });
});

function event(userId: string, id: string): StoredEvent {
  return {
    id,
    userId,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: { activityId: `video-${id}`, activityType: "video", completionStatus: "completed" },
    timestamp: "2026-11-01T10:00:00.000Z",
    receivedAt: new Date().toISOString(),
    contentHash: `hash-${id}`,
  };
}

Deno.test("appender on one connection and processor on another (the Worker's layout) lose nothing", async () => {
  await withTwoConnections(async (_raw, [main, worker]) => {
    const appender = createEventAppender(main!);
    const errors: unknown[] = [];
    const processor = createProcessor(worker!, { onError: (_, error) => errors.push(error) });
    const users = ["u1", "u2", "u3", "u4"];
    await Promise.all(users.map(async (userId) => {
      for (let i = 0; i < 40; i++) {
        const outcomes = await appender.append([event(userId, `${userId}-${i}`)]);
        assert.equal(outcomes[0]!.status, "accepted");
        processor.schedule(userId);
      }
    }));
    await Promise.all(users.map((u) => processor.schedule(u)));
    await processor.idle();
    assert.deepEqual(errors, []);
    for (const userId of users) {
      assert.equal(await countPendingEvents(main!, userId), 0);
      assert.equal((await getSummary(main!, userId)).totals.completed, 40);
    }
  });
});

/** An operation whose check fails the first `failures` commits, then succeeds. */
function flakyOps(failures: number) {
  let commits = 0;
  const op = () =>
    ({
      commit: () => Promise.resolve(++commits <= failures ? { ok: false } : { ok: true }),
    }) as unknown as Deno.AtomicOperation;
  return { op, commits: () => commits };
}

Deno.test("commitWithRetry retries a failed check with a fresh plan and succeeds once the conflict clears", async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: COMMIT_ATTEMPTS - 1 }), async (failures) => {
      const flaky = flakyOps(failures);
      const planned: number[] = [];
      const value = await commitWithRetry(async (attempt) => {
        planned.push(attempt);
        return await Promise.resolve({ value: `v${attempt}`, op: flaky.op() });
      }, { what: "write" });
      assert.equal(value, `v${failures}`);
      assert.deepEqual(planned, Array.from({ length: failures + 1 }, (_, i) => i));
      assert.equal(flaky.commits(), failures + 1);
    }),
  );
});

Deno.test("commitWithRetry gives up after COMMIT_ATTEMPTS failed checks with a ContentionError", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: COMMIT_ATTEMPTS, max: COMMIT_ATTEMPTS + 50 }),
      async (failures) => {
        const flaky = flakyOps(failures);
        const error = await commitWithRetry(() => Promise.resolve({ value: 1, op: flaky.op() }), {
          what: "update the profile",
        }).catch((e) => e);
        assert.ok(error instanceof ContentionError);
        assert.equal(error.kind, "contention");
        assert.match(error.message, /^Could not update the profile: too much contention/);
        assert.equal(flaky.commits(), COMMIT_ATTEMPTS);
      },
    ),
    { numRuns: 10 },
  );
  const custom = await commitWithRetry(
    () => Promise.resolve({ value: 1, op: flakyOps(Infinity).op() }),
    { what: "count", exhausted: () => new RangeError("busy") },
  ).catch((e) => e);
  assert.ok(custom instanceof RangeError);
});

Deno.test("commitWithRetry returns a plan without an operation at once, and passes a plan's error through", async () => {
  let plans = 0;
  assert.equal(
    await commitWithRetry(() => Promise.resolve({ value: (plans++, null) }), { what: "x" }),
    null,
  );
  assert.equal(plans, 1);
  await assert.rejects(
    commitWithRetry(() => Promise.reject(new TypeError("read failed")), { what: "x" }),
    /read failed/,
  );
});

Deno.test("commitWithRetry makes concurrent read-modify-write increments on a real KV add up", async () => {
  using kv = await Deno.openKv(":memory:");
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 30 }), async (writers) => {
      await kv.delete(["n"]);
      await Promise.all(Array.from({ length: writers }, () =>
        commitWithRetry(async () => {
          const entry = await kv.get<number>(["n"]);
          return { value: null, op: kv.atomic().check(entry).set(["n"], (entry.value ?? 0) + 1) };
        }, { what: "count" })));
      assert.equal((await kv.get<number>(["n"])).value, writers);
    }),
    { numRuns: 15 },
  );
});
