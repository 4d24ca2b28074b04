import assert from "node:assert/strict";
import fc from "fast-check";
import {
  countByStatus,
  eligibleForSync,
  emptySyncState,
  finishSyncFailure,
  finishSyncSuccess,
  hasExhaustedErrors,
  type LearningProgressSyncState,
  markLocal,
  markRemote,
  MAX_RETRIES,
  mergeSyncStates,
  nextRetryIn,
  pruneSyncState,
  recoverInterrupted,
  RETRY_DELAYS,
  retryFailed,
  returnToLocal,
  startSync,
  SYNCING_STALE_MS,
} from "./sync_state.ts";

const T0 = Date.parse("2026-03-02T10:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

Deno.test("markLocal sets new events to local with no attempts", () => {
  const state = markLocal(emptySyncState(), ["a", "b"]);
  assert.deepEqual(state.events.a, {
    status: "local",
    lastAttemptAt: null,
    lastSyncedAt: null,
    retryCount: 0,
  });
  assert.deepEqual(countByStatus(state), { local: 2, syncing: 0, synced: 0, error: 0 });
});

Deno.test("startSync moves eligible events to syncing; finishSyncSuccess marks them synced with the cursor", () => {
  let state = markLocal(emptySyncState(), ["a", "b"]);
  assert.deepEqual(eligibleForSync(state, T0), ["a", "b"]);
  state = startSync(state, ["a", "b"], iso(T0));
  assert.equal(state.events.a!.status, "syncing");
  assert.equal(state.events.a!.lastAttemptAt, iso(T0));
  assert.deepEqual(eligibleForSync(state, T0 + 1000), [], "an in-flight sync is not sent twice");
  state = finishSyncSuccess(state, ["a", "b"], iso(T0 + 50), "cursor-1");
  assert.deepEqual(state.events.b, {
    status: "synced",
    lastAttemptAt: iso(T0),
    lastSyncedAt: iso(T0 + 50),
    retryCount: 0,
  });
  assert.equal(state.lastSuccessfulSyncAt, iso(T0 + 50));
  assert.equal(state.lastSyncedCursor, "cursor-1");
  assert.deepEqual(eligibleForSync(state, T0 + 60_000), []);
});

Deno.test("finishSyncFailure increments retryCount and backs off 1 s, 5 s, 15 s, 60 s, then waits for a manual retry", () => {
  let state = markLocal(emptySyncState(), ["a"]);
  let now = T0;
  for (let attempt = 1; attempt <= MAX_RETRIES + 1; attempt++) {
    assert.deepEqual(eligibleForSync(state, now), ["a"], `attempt ${attempt} is due`);
    state = startSync(state, ["a"], iso(now));
    state = finishSyncFailure(state, ["a"], iso(now), "Server unavailable (503)");
    assert.equal(state.events.a!.status, "error");
    assert.equal(state.events.a!.retryCount, attempt);
    const delay = RETRY_DELAYS[attempt - 1];
    if (delay === undefined) break;
    assert.equal(nextRetryIn(state, now), delay);
    assert.deepEqual(eligibleForSync(state, now + delay - 1), [], "not before the backoff");
    now += delay;
  }
  assert.equal(state.events.a!.retryCount, MAX_RETRIES + 1);
  assert.equal(nextRetryIn(state, now), null);
  assert.deepEqual(eligibleForSync(state, now + 3_600_000), [], "no automatic retry after 4");
  assert.ok(hasExhaustedErrors(state));
  assert.deepEqual(eligibleForSync(state, now, { manual: true }), ["a"]);
  const retried = retryFailed(state);
  assert.deepEqual(retried.events.a!.status, "local");
  assert.equal(retried.events.a!.retryCount, 0);
  assert.equal(retried.events.a!.errorMessage, undefined);
});

Deno.test("a permanent failure waits for a manual retry at once", () => {
  const state = finishSyncFailure(markLocal(emptySyncState(), ["a"]), ["a"], iso(T0), "403", {
    permanent: true,
  });
  assert.equal(nextRetryIn(state, T0), null);
  assert.deepEqual(eligibleForSync(state, T0 + 600_000), []);
  assert.ok(hasExhaustedErrors(state));
});

Deno.test("going offline mid-sync returns events to local without counting a failure", () => {
  const state = returnToLocal(startSync(markLocal(emptySyncState(), ["a"]), ["a"], iso(T0)), ["a"]);
  assert.equal(state.events.a!.status, "local");
  assert.equal(state.events.a!.retryCount, 0);
});

Deno.test("a sync cut off by a closed tab is sent again: on load, or once stale", () => {
  const syncing = startSync(markLocal(emptySyncState(), ["a"]), ["a"], iso(T0));
  assert.equal(recoverInterrupted(syncing).events.a!.status, "local");
  assert.deepEqual(eligibleForSync(syncing, T0 + SYNCING_STALE_MS - 1), []);
  assert.deepEqual(eligibleForSync(syncing, T0 + SYNCING_STALE_MS), ["a"]);
});

Deno.test("markRemote marks pulled events synced and keeps ones already synced", () => {
  const synced = finishSyncSuccess(markLocal(emptySyncState(), ["a"]), ["a"], iso(T0));
  const state = markRemote(synced, ["a", "b"], iso(T0 + 1));
  assert.equal(state.events.a, synced.events.a);
  assert.equal(state.events.b!.status, "synced");
});

Deno.test("mergeSyncStates: synced wins, otherwise the later attempt; the later sync brings its cursor", () => {
  const local = markLocal(emptySyncState(), ["a", "b", "c"]);
  const tabA = finishSyncSuccess(startSync(local, ["a"], iso(T0)), ["a"], iso(T0 + 10), "cur-a");
  const tabB = finishSyncFailure(
    startSync(local, ["a", "b"], iso(T0 + 5)),
    ["a", "b"],
    iso(T0 + 5),
    "x",
  );
  const merged = mergeSyncStates(tabA, tabB);
  assert.equal(merged.events.a!.status, "synced");
  assert.equal(merged.events.b!.status, "error");
  assert.equal(merged.events.c!.status, "local");
  assert.equal(merged.lastSyncedCursor, "cur-a");
  assert.deepEqual(mergeSyncStates(tabB, tabA), merged);
  assert.deepEqual(pruneSyncState(merged, new Set(["a"])).events, { a: merged.events.a });
});

const stateArb: fc.Arbitrary<LearningProgressSyncState> = fc.record({
  events: fc.dictionary(
    fc.constantFrom("a", "b", "c", "d"),
    fc.record({
      status: fc.constantFrom("local", "syncing", "synced", "error"),
      lastAttemptAt: fc.option(fc.constantFrom(iso(T0), iso(T0 + 1000)), { nil: null }),
      lastSyncedAt: fc.option(fc.constantFrom(iso(T0), iso(T0 + 2000)), { nil: null }),
      retryCount: fc.integer({ min: 0, max: 5 }),
    }),
  ),
  lastSuccessfulSyncAt: fc.option(fc.constantFrom(iso(T0), iso(T0 + 3000)), { nil: null }),
  lastSyncedCursor: fc.option(fc.constantFrom("c1", "c2"), { nil: null }),
}).map((s) => ({ version: 1 as const, ...JSON.parse(JSON.stringify(s)) }));

Deno.test("property: mergeSyncStates is commutative, associative and idempotent", () => {
  fc.assert(
    fc.property(stateArb, stateArb, stateArb, (a, b, c) => {
      assert.deepEqual(mergeSyncStates(a, b), mergeSyncStates(b, a));
      assert.deepEqual(
        mergeSyncStates(mergeSyncStates(a, b), c),
        mergeSyncStates(a, mergeSyncStates(b, c)),
      );
      assert.deepEqual(mergeSyncStates(a, a).events, a.events);
    }),
  );
});
