import assert from "node:assert/strict";
import {
  findMergeableHeartbeat,
  FLUSH_DEBOUNCE_MS,
  FLUSH_INTERVAL_MS,
  FLUSH_MAX_EVENTS,
  flushDelay,
  isHeartbeat,
  mergeHeartbeats,
} from "./batching.ts";
import type { ContentProgressedEvent, LearningProgressEvent } from "../core/learning_events.ts";
import { emptySyncState, finishSyncSuccess, markLocal, startSync } from "./sync_state.ts";

const T0 = Date.parse("2026-03-02T10:00:00.000Z");

function heartbeat(
  eventId: string,
  seconds: number,
  options: { contentId?: string; percent?: number; watched?: number } = {},
): ContentProgressedEvent {
  return {
    eventId,
    occurredAt: new Date(T0 + seconds * 1000).toISOString(),
    clientId: "c",
    type: "content.progressed",
    payload: {
      contentId: options.contentId ?? "video",
      status: "in_progress",
      interaction: {
        interactionId: `${options.contentId ?? "video"}:playback`,
        state: {
          kind: "video",
          percent: options.percent ?? 10,
          watchedSeconds: options.watched ?? 2,
        },
      },
    },
  };
}

Deno.test("isHeartbeat: in_progress without interaction or with video playback; not quiz answers or completions", () => {
  assert.ok(isHeartbeat(heartbeat("h", 0)));
  const plain: LearningProgressEvent = {
    ...heartbeat("p", 0),
    payload: { contentId: "x", status: "in_progress" },
  };
  assert.ok(isHeartbeat(plain));
  assert.ok(!isHeartbeat({ ...plain, payload: { contentId: "x", status: "completed" } }));
  assert.ok(
    !isHeartbeat({
      ...plain,
      payload: {
        contentId: "x",
        status: "in_progress",
        interaction: { interactionId: "q", state: { kind: "quiz", selectedOptionId: "a" } },
      },
    }),
  );
  assert.ok(
    !isHeartbeat({
      eventId: "r",
      occurredAt: plain.occurredAt,
      clientId: "c",
      type: "progress.reset",
    }),
  );
});

Deno.test("a heartbeat within 10 s of an unsent one for the same content merges into it", () => {
  const first = heartbeat("h1", 0);
  const sync = markLocal(emptySyncState(), ["h1"]);
  assert.equal(findMergeableHeartbeat([first], sync, heartbeat("h2", 9)), first);
  assert.equal(findMergeableHeartbeat([first], sync, heartbeat("h2", 11)), null, "too far apart");
  assert.equal(
    findMergeableHeartbeat([first], sync, heartbeat("h2", 2, { contentId: "other" })),
    null,
    "other content",
  );
  assert.equal(
    findMergeableHeartbeat([first], null, heartbeat("h2", 2)),
    first,
    "guests merge too",
  );
});

Deno.test("a heartbeat never merges into one that has left the device", () => {
  const first = heartbeat("h1", 0);
  const syncing = startSync(
    markLocal(emptySyncState(), ["h1"]),
    ["h1"],
    new Date(T0).toISOString(),
  );
  assert.equal(findMergeableHeartbeat([first], syncing, heartbeat("h2", 3)), null);
  const synced = finishSyncSuccess(syncing, ["h1"], new Date(T0).toISOString());
  assert.equal(findMergeableHeartbeat([first], synced, heartbeat("h2", 3)), null);
});

Deno.test("mergeHeartbeats keeps the later id, time and position and adds up the seconds watched", () => {
  const merged = mergeHeartbeats(
    heartbeat("h1", 0, { percent: 10, watched: 2 }),
    heartbeat("h2", 4, { percent: 30, watched: 4 }),
  );
  assert.equal(merged.eventId, "h2");
  assert.equal(merged.occurredAt, new Date(T0 + 4000).toISOString());
  assert.deepEqual(merged.payload.interaction!.state, {
    kind: "video",
    percent: 30,
    watchedSeconds: 6,
  });
});

Deno.test("flushDelay: at once at 10 events, after a quiet second, never more than 5 s after the oldest", () => {
  assert.equal(flushDelay({ pending: 0, oldestPendingAt: null, lastChangeAt: T0, now: T0 }), null);
  assert.equal(
    flushDelay({ pending: FLUSH_MAX_EVENTS, oldestPendingAt: T0, lastChangeAt: T0, now: T0 }),
    0,
  );
  assert.equal(
    flushDelay({ pending: 1, oldestPendingAt: T0, lastChangeAt: T0, now: T0 }),
    FLUSH_DEBOUNCE_MS,
  );
  // Changes keep coming every half second: the debounce alone would never fire.
  const now = T0 + FLUSH_INTERVAL_MS - 300;
  assert.equal(flushDelay({ pending: 5, oldestPendingAt: T0, lastChangeAt: now, now }), 300);
  assert.equal(flushDelay({ pending: 5, oldestPendingAt: T0 - 10_000, lastChangeAt: now, now }), 0);
});

Deno.test("flushDelay: heartbeats alone wait for the 5 s flush, so the ones in between can merge", () => {
  const input = { pending: 1, oldestPendingAt: T0, lastChangeAt: T0 + 4000, now: T0 + 4000 };
  assert.equal(flushDelay({ ...input, onlyHeartbeats: true }), FLUSH_INTERVAL_MS - 4000);
  assert.equal(flushDelay({ ...input, onlyHeartbeats: false }), FLUSH_INTERVAL_MS - 4000);
  assert.equal(
    flushDelay({ ...input, lastChangeAt: T0, now: T0, onlyHeartbeats: true }),
    FLUSH_INTERVAL_MS,
  );
  assert.equal(flushDelay({ ...input, lastChangeAt: T0, now: T0 }), FLUSH_DEBOUNCE_MS);
});
