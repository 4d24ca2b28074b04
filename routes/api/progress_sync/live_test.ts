import assert from "node:assert/strict";
import { createSession, deleteApiToken, findApiToken } from "../../../lib/auth/account_store.ts";
import { LIVE_START } from "../../../lib/live/live_cursor.ts";
import { HEARTBEAT_MS } from "../../../lib/live/live_stream.ts";
import { MAX_STREAMS_PER_STUDENT } from "../../../lib/live/stream_limits.ts";
import { type TestApp, withTestApp } from "../../../tests/support/test_app.ts";

/**
 * These tests hold streams open, so they turn on the op and resource leak checks (off by
 * default in Deno 2.9): a live stream that outlived its client would fail them.
 */
const leakChecked = { sanitizeOps: true, sanitizeResources: true };

/** One parsed SSE frame: its fields, and the comment lines (`: ping`) it held. */
interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comments: string[];
}

/** A frame that carries an event. */
type EventFrame = Frame & { id: string; event: string; data: string };

function parseFrame(raw: string): Frame {
  const frame: Frame = { comments: [] };
  const data: string[] = [];
  for (const line of raw.split("\n")) {
    if (line.startsWith(":")) {
      frame.comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") frame.id = value;
    else if (field === "event") frame.event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length > 0) frame.data = data.join("\n");
  return frame;
}

/** Reads SSE frames from a response body. */
class SseReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  #buffer = "";

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next frame, comments included. */
  async frame(): Promise<Frame> {
    while (true) {
      const end = this.#buffer.indexOf("\n\n");
      if (end !== -1) {
        const raw = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return parseFrame(raw);
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("The live stream ended");
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** The next frame that carries an event (skips comment-only frames). */
  async event(): Promise<EventFrame> {
    while (true) {
      const frame = await this.frame();
      if (frame.event !== undefined && frame.id !== undefined && frame.data !== undefined) {
        return frame as EventFrame;
      }
    }
  }

  /** Event frames up to and including the `progress_update` of event `eventId`. */
  async through(eventId: string): Promise<EventFrame[]> {
    const frames: EventFrame[] = [];
    while (true) {
      const frame = await this.event();
      frames.push(frame);
      if (frame.event === "progress_update" && JSON.parse(frame.data).eventId === eventId) {
        return frames;
      }
    }
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

const watchesEndedByKv = new WeakMap<Deno.Kv, Promise<void>[]>();

/** Records when each KV watch the app opens is cancelled or ends. */
function spyOnWatches(kv: Deno.Kv): Promise<void>[] {
  const ended: Promise<void>[] = [];
  const watch = kv.watch.bind(kv);
  kv.watch = ((keys: Deno.KvKey[], options?: { raw?: boolean }) => {
    const reader = watch(keys, options).getReader();
    let end!: () => void;
    ended.push(new Promise<void>((resolve) => (end = resolve)));
    return new ReadableStream<Deno.KvEntryMaybe<unknown>[]>({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) {
          end();
          controller.close();
        } else controller.enqueue(value);
      },
      async cancel(reason) {
        await reader.cancel(reason);
        end();
      },
    });
  }) as typeof kv.watch;
  return ended;
}

/** Makes every KV watch end after its first value, as if nothing changed any more. */
function endWatchesAfterFirstValue(kv: Deno.Kv): void {
  const watch = kv.watch.bind(kv);
  kv.watch = ((keys: Deno.KvKey[], options?: { raw?: boolean }) => {
    const reader = watch(keys, options).getReader();
    let reads = 0;
    return new ReadableStream<Deno.KvEntryMaybe<unknown>[]>({
      async pull(controller) {
        const next = reads++ === 0 ? await reader.read() : null;
        if (next && !next.done) return controller.enqueue(next.value);
        await reader.cancel();
        controller.close();
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
  }) as typeof kv.watch;
}

/** An open live stream, and how to close it and see the server side end. */
interface LiveClient {
  response: Response;
  sse: SseReader;
  /**
   * Cancels the body and resolves once the server has cancelled its KV watch (a server that
   * ignored the cancel would leave this waiting, since KV stays open until the test ends).
   */
  close(): Promise<void>;
}

async function openLive(
  app: TestApp,
  token: string,
  options: { lastEventId?: string; cookie?: string } = {},
): Promise<LiveClient> {
  let ended = watchesEndedByKv.get(app.kv);
  if (!ended) watchesEndedByKv.set(app.kv, ended = spyOnWatches(app.kv));
  const response = await app.request("/api/progress-sync/live", {
    ...(options.cookie ? {} : { token }),
    headers: {
      ...(options.lastEventId ? { "last-event-id": options.lastEventId } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const sse = new SseReader(response.body!);
  const first = await sse.frame();
  assert.deepEqual(first.comments, ["connected"], "the stream opens with a comment");
  // The server opens its watch before it writes `: connected`, so the newest watch is ours.
  const watchEnded = ended.at(-1)!;
  return {
    response,
    sse,
    async close() {
      await sse.cancel();
      await watchEnded;
    },
  };
}

/** A video event; in progress by default, so no achievement frame joins the stream. */
function video(id: string, timestamp: string, status = "in_progress") {
  return {
    id,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: {
      activityId: `video-${id}`,
      activityType: "video",
      completionStatus: status,
      timeSpent: 3,
    },
    timestamp,
  };
}

async function post(app: TestApp, token: string, events: unknown[]): Promise<void> {
  const response = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token,
    json: { events },
  });
  assert.equal(response.status, 200);
  await response.body?.cancel();
}

Deno.test({
  name: "the live stream sends a progress_update frame for a posted event",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { token } = await app.student();
      const live = await openLive(app, token);
      assert.equal(live.response.headers.get("cache-control"), "no-cache, no-transform");
      assert.equal(live.response.headers.get("x-accel-buffering"), "no");

      await post(app, token, [video("e1", "2026-11-01T10:00:00Z", "completed")]);
      const frames = await live.sse.through("e1");
      assert.equal(frames.length, 1);
      const frame = frames[0]!;
      assert.equal(frame.event, "progress_update");
      assert.match(frame.id, /^[0-9a-f]{20}\.\d+$/);
      const data = JSON.parse(frame.data);
      assert.equal(data.eventId, "e1");
      assert.equal(data.activityId, "video-e1");
      assert.equal(data.activity.status, "completed");
      assert.equal(data.overallProgress.completedActivities, 1);
      assert.equal(data.overallProgress.totalTimeSpent, 3);
      await live.close();
    }),
});

Deno.test({
  name: "reconnecting with Last-Event-ID delivers exactly the frames that were missed",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { token } = await app.student();
      const live = await openLive(app, token);
      await post(app, token, [video("e1", "2026-11-01T10:00:00Z")]);
      // One batch: e2 and e3 share a commit, so their ids differ only in the index.
      await post(app, token, [
        video("e3", "2026-11-01T10:02:00Z"),
        video("e2", "2026-11-01T10:01:00Z"),
      ]);
      const seen = [await live.sse.event(), await live.sse.event(), await live.sse.event()];
      assert.deepEqual(seen.map((f) => JSON.parse(f.data).eventId), ["e1", "e2", "e3"]);
      assert.equal(new Set(seen.map((f) => f.id)).size, 3);
      await live.close();

      await post(app, token, [video("e4", "2026-11-01T10:03:00Z", "in_progress")]);

      const resumed = await openLive(app, token, { lastEventId: seen[1]!.id });
      await post(app, token, [video("e5", "2026-11-01T10:04:00Z")]);
      // Everything before the first new event is what the stream replayed.
      const received = await resumed.sse.through("e5");
      assert.deepEqual(received.map((f) => JSON.parse(f.data).eventId), ["e3", "e4", "e5"]);
      assert.equal(received[0]!.id, seen[2]!.id);
      const e4 = JSON.parse(received[1]!.data);
      assert.equal(e4.activity.status, "in_progress");
      assert.equal(e4.overallProgress.completedActivities, 0);
      assert.equal(e4.overallProgress.inProgressActivities, 4);
      await resumed.close();
    }),
});

Deno.test({
  name: "a client that connects without Last-Event-ID gets only new frames",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { token } = await app.student();
      await post(app, token, [video("old", "2026-11-01T09:00:00Z")]);
      const live = await openLive(app, token);
      await post(app, token, [video("new", "2026-11-01T10:00:00Z")]);
      const received = await live.sse.through("new");
      assert.deepEqual(received.map((f) => JSON.parse(f.data).eventId), ["new"]);
      await live.close();
    }),
});

Deno.test({
  name: "cancelling the body ends the server side: its KV watch and heartbeat stop",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { token } = await app.student();
      const live = await openLive(app, token);
      // `close` resolves only when the server cancels its watch, while KV is still open;
      // the leak checks then prove the heartbeat timer was cleared as well.
      await live.close();
    }),
});

Deno.test({
  name: "a client that missed more than a page of frames receives all of them on reconnecting",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { token } = await app.student();
      const ids: string[] = [];
      for (let batch = 0; batch < 11; batch++) {
        const events = Array.from({ length: 100 }, (_, i) => {
          const n = batch * 100 + i;
          return video(
            `e${String(n).padStart(4, "0")}`,
            new Date(Date.UTC(2026, 10, 1, 0, n)).toISOString(),
          );
        });
        ids.push(...events.map((e) => e.id));
        await post(app, token, events);
      }
      // With no later change to wake it up, the stream must send the whole backlog at once.
      endWatchesAfterFirstValue(app.kv);
      const response = await app.request("/api/progress-sync/live", {
        token,
        headers: { "last-event-id": LIVE_START },
      });
      const text = await response.text();
      const frames = text.split("\n\n").map(parseFrame).filter((f) =>
        f.event === "progress_update"
      );
      assert.deepEqual(frames.map((f) => JSON.parse(f.data!).eventId), ids);
    }),
});

Deno.test({
  name: "the live stream is 401 without credentials and 403 without the progress:read scope",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const anonymous = await app.request("/api/progress-sync/live");
      assert.equal(anonymous.status, 401);
      assert.match(anonymous.headers.get("content-type") ?? "", /json/);
      assert.match((await anonymous.json()).error, /Authentication required/);

      const writer = await app.student(undefined, ["events:write"]);
      const unscoped = await app.request("/api/progress-sync/live", { token: writer.token });
      assert.equal(unscoped.status, 403);
      assert.match(unscoped.headers.get("content-type") ?? "", /json/);
      assert.match((await unscoped.json()).error, /progress:read/);
    }),
});

/** Reads frames until the stream ends; the events it carried on the way. */
async function eventsUntilEnd(sse: SseReader): Promise<string[]> {
  const events: string[] = [];
  try {
    while (true) {
      const frame = await sse.frame();
      if (frame.event) events.push(frame.event);
    }
  } catch (error) {
    assert.match(String(error), /The live stream ended/);
  }
  return events;
}

/** A new student's live stream, opened with their token, which is then revoked. */
async function openThenRevoke(app: TestApp) {
  const { userId, token } = await app.student();
  const live = await openLive(app, token);
  const record = await findApiToken(app.kv, token);
  assert.ok(await deleteApiToken(app.kv, userId, record!.id));
  return { userId, live };
}

Deno.test({
  name: "revoking a token ends its open live stream before the student's next event is sent",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const writer = await app.adminOwnedToken(["system"]);
      const { userId, live } = await openThenRevoke(app);
      await post(app, writer, [{ ...video("after", "2026-11-01T10:00:00Z"), userId }]);
      assert.deepEqual(await eventsUntilEnd(live.sse), [], "nothing after the revocation");
      await live.close();
    }),
});

Deno.test({
  name: "revoking a token ends an idle live stream at once, not at its next heartbeat",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { live } = await openThenRevoke(app);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const heartbeat = new Promise<"heartbeat">((resolve) => {
        timer = setTimeout(() => resolve("heartbeat"), HEARTBEAT_MS);
      });
      const ended = await Promise.race([eventsUntilEnd(live.sse), heartbeat]);
      clearTimeout(timer);
      assert.deepEqual(ended, [], "the stream ended before a heartbeat could have ended it");
      await live.close();
    }),
});

Deno.test({
  name: "signing out ends the session's open live stream",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { userId, token } = await app.student();
      const cookie = `ps_session=${await createSession(app.kv, userId)}`;
      const live = await openLive(app, token, { cookie });
      const out = await app.request("/api/auth/logout", {
        method: "POST",
        headers: { cookie, origin: "http://localhost" },
      });
      assert.equal(out.status, 200);
      await out.body?.cancel();
      await post(app, token, [video("after", "2026-11-01T10:00:00Z")]);
      assert.deepEqual(await eventsUntilEnd(live.sse), []);
      await live.close();
    }),
});

Deno.test({
  name: "a student may hold a bounded number of live streams: one more is 429 until one closes",
  ...leakChecked,
  fn: () =>
    withTestApp(async (app) => {
      const { token } = await app.student();
      const open: LiveClient[] = [];
      for (let i = 0; i < MAX_STREAMS_PER_STUDENT; i++) open.push(await openLive(app, token));
      const refused = await app.request("/api/progress-sync/live", { token });
      assert.equal(refused.status, 429);
      assert.match((await refused.json()).error, /Too many live streams/);
      const other = await app.student();
      const otherLive = await openLive(app, other.token);
      await otherLive.close();
      await open.pop()!.close();
      const again = await openLive(app, token);
      await again.close();
      for (const live of open) await live.close();
    }),
});
