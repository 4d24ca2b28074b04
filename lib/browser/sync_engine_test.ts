import assert from "node:assert/strict";
import { monotonicFactory } from "ulid";
import type { StoredEvent } from "../core/event_schema.ts";
import { type TestApp, withTestApp } from "../../tests/support/test_app.ts";
import { FLUSH_DEBOUNCE_MS } from "./batching.ts";
import {
  GUEST_EVENTS_KEY,
  GUEST_SNAPSHOT_KEY,
  type KeyValueStorage,
  storageKeys,
} from "./local_store.ts";
import { LearningSyncEngine, type NewLearningEvent, type SyncEnvironment } from "./sync_engine.ts";
import { RETRY_DELAYS } from "./sync_state.ts";

/** A Map-backed localStorage shared by the "tabs" of one test; `full` makes writes fail like a full quota. */
class FakeStorage implements KeyValueStorage {
  values = new Map<string, string>();
  full = false;
  getItem(key: string) {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.full) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    this.values.set(key, value);
  }
  removeItem(key: string) {
    this.values.delete(key);
  }
}

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** Storage, clock, timers and network for engines under test; the network is the real app. */
class World {
  storage = new FakeStorage();
  clock = Date.parse("2026-03-02T10:00:00.000Z");
  online = true;
  /** "down": the server is unreachable; "lost": the request reaches it but the answer is lost. */
  server: "up" | "down" | "lost" | 503 = "up";
  timers: Timer[] = [];
  requests: { method: string; url: string }[] = [];
  #nextTimer = 1;
  #ids = monotonicFactory();
  gate: Promise<void> | null = null;

  constructor(readonly app: TestApp, readonly token: string) {}

  env(): SyncEnvironment {
    return {
      storage: this.storage,
      now: () => this.clock,
      isOnline: () => this.online,
      setTimer: (fn, ms) => {
        const id = this.#nextTimer++;
        this.timers.push({ id, at: this.clock + ms, fn });
        return id;
      },
      clearTimer: (id) => {
        this.timers = this.timers.filter((t) => t.id !== id);
      },
      newId: (ms) => this.#ids(ms),
      localIso: (ms) => new Date(ms).toISOString(),
      warn: () => {},
      fetch: async (url, init = {}) => {
        this.requests.push({ method: init.method ?? "GET", url });
        if (this.gate) await this.gate;
        if (!this.online || this.server === "down") throw new TypeError("Failed to fetch");
        if (this.server === 503) return Response.json({ error: "Unavailable" }, { status: 503 });
        const response = await this.app.request(url, { ...init, token: this.token });
        if (this.server === "lost") {
          await response.body?.cancel();
          throw new TypeError("network error");
        }
        return response;
      },
    };
  }

  /** Advances the clock by `ms`, running due timers in order (each may add more). */
  async advance(ms: number): Promise<void> {
    const end = this.clock + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.clock = due.at;
      due.fn();
      await settle();
    }
    this.clock = end;
  }

  nextTimerIn(): number | null {
    const next = this.timers.map((t) => t.at).sort((a, b) => a - b)[0];
    return next === undefined ? null : next - this.clock;
  }
}

/** Engines of the test, so waits can include their in-flight syncs. */
const engines = new Set<LearningSyncEngine>();

/** Lets pending work finish: timers of zero delay, and every engine's in-flight sync. */
async function settle(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    await Promise.all([...engines].map((e) => e.settled()));
  }
}

function tracked(engine: LearningSyncEngine): LearningSyncEngine {
  engines.add(engine);
  return engine;
}

const complete = (
  contentId: string,
  status: "completed" | "passed" = "completed",
): NewLearningEvent => ({
  type: "content.progressed",
  payload: { contentId, status, ...(status === "passed" ? { score: 100 } : {}) },
});

const heartbeat = (contentId: string, percent: number): NewLearningEvent => ({
  type: "content.progressed",
  payload: {
    contentId,
    status: "in_progress",
    interaction: {
      interactionId: `${contentId}:playback`,
      state: { kind: "video", percent, watchedSeconds: 2 },
    },
  },
});

async function serverLog(world: World): Promise<StoredEvent[]> {
  await world.app.processor.idle();
  const response = await world.app.request("/api/progress-sync/events?limit=1000", {
    token: world.token,
  });
  return (await response.json()).events;
}

async function withWorld(fn: (world: World, userId: string) => Promise<void>): Promise<void> {
  await withTestApp(async (app) => {
    const { token, userId } = await app.student();
    const world = new World(app, token);
    try {
      await fn(world, userId);
    } finally {
      world.timers = [];
      world.gate = null;
      await settle();
      engines.clear();
    }
  });
}

Deno.test("a guest's actions stay on the device, applied at once and saved under the guest keys", async () => {
  await withWorld(async (world) => {
    const engine = tracked(new LearningSyncEngine(world.env(), { userId: null }));
    await engine.start();
    const event = engine.record(complete("html-basics"));
    assert.equal(engine.snapshot.content["html-basics"]!.status, "completed");
    assert.equal(engine.statusOf(event.eventId), "local");
    assert.equal(engine.view.mode, "guest");
    assert.equal(engine.view.pending, 1);
    assert.equal(JSON.parse(world.storage.getItem(GUEST_EVENTS_KEY)!).length, 1);
    assert.equal(
      JSON.parse(world.storage.getItem(GUEST_SNAPSHOT_KEY)!).content["html-basics"].status,
      "completed",
    );
    assert.equal(world.requests.length, 0, "a guest never calls the API");
    assert.equal(world.timers.length, 0);

    const reloaded = tracked(new LearningSyncEngine(world.env(), { userId: null }));
    await reloaded.start();
    assert.deepEqual(reloaded.snapshot, engine.snapshot);
    assert.equal(reloaded.clientId, engine.clientId);
  });
});

Deno.test("offline, events stay local; back online they sync and the server has each exactly once", async () => {
  await withWorld(async (world, userId) => {
    world.online = false;
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    await engine.start();
    const events = [engine.record(complete("a")), engine.record(complete("b", "passed"))];
    await world.advance(10_000);
    assert.deepEqual(events.map((e) => engine.statusOf(e.eventId)), ["local", "local"]);
    assert.equal(engine.view.pending, 2);
    assert.equal(world.requests.length, 0);
    const keys = storageKeys(userId);
    assert.equal(JSON.parse(world.storage.getItem(keys.events)!).length, 2);
    assert.equal(
      JSON.parse(world.storage.getItem(keys.sync!)!).events[events[0]!.eventId].status,
      "local",
    );

    world.online = true;
    engine.handleOnline();
    await settle();
    assert.deepEqual(events.map((e) => engine.statusOf(e.eventId)), ["synced", "synced"]);
    assert.equal(engine.view.pending, 0);
    assert.ok(engine.view.lastSyncedAt);
    // Syncing again sends nothing twice.
    await engine.sync();
    const log = await serverLog(world);
    assert.deepEqual(log.map((e) => e.id).sort(), events.map((e) => e.eventId).sort());
    assert.ok(log.every((e) => e.sourceSystem === "browser"));
  });
});

Deno.test("a change syncs after a quiet second; ten waiting events flush at once", async () => {
  await withWorld(async (world, userId) => {
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    await engine.start();
    world.requests = [];
    engine.record(complete("a"));
    assert.equal(world.nextTimerIn(), FLUSH_DEBOUNCE_MS);
    await world.advance(FLUSH_DEBOUNCE_MS - 1);
    assert.equal(world.requests.length, 0);
    await world.advance(1);
    assert.equal(world.requests.filter((r) => r.method === "PUT").length, 1);

    world.requests = [];
    for (let i = 0; i < 10; i++) engine.record(complete(`c${i}`));
    assert.equal(world.nextTimerIn(), 0);
    await world.advance(0);
    const puts = world.requests.filter((r) => r.method === "PUT");
    assert.equal(puts.length, 1, "one PUT carries the ten events");
    assert.equal(engine.view.counts.synced, 11);
  });
});

Deno.test("progress heartbeats for the same content within 10 s become one event", async () => {
  await withWorld(async (world, userId) => {
    world.online = false;
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    await engine.start();
    engine.record(heartbeat("video", 10));
    world.clock += 3000;
    engine.record(heartbeat("video", 20));
    world.clock += 3000;
    const last = engine.record(heartbeat("video", 30));
    assert.equal(engine.events.length, 1);
    assert.equal(engine.events[0]!.eventId, last.eventId);
    const state =
      (engine.events[0] as { payload: { interaction: { state: Record<string, number> } } })
        .payload.interaction.state;
    assert.equal(state.percent, 30);
    assert.equal(state.watchedSeconds, 6);
    world.clock += 11_000;
    engine.record(heartbeat("video", 40));
    assert.equal(engine.events.length, 2, "more than 10 s later starts a new event");
    assert.equal(engine.snapshot.content.video!.progressPercent, 40);
  });
});

Deno.test("online, a playing video's heartbeats merge and go out every 5 s, not one request each", async () => {
  await withWorld(async (world, userId) => {
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    await engine.start();
    world.requests = [];
    for (let second = 0; second <= 8; second += 2) {
      engine.record(heartbeat("video", second * 10));
      await world.advance(2000);
    }
    const puts = () => world.requests.filter((r) => r.method === "PUT").length;
    assert.equal(puts(), 1, "the heartbeats of 0–4 s went out together at 5 s");
    await world.advance(10_000);
    assert.equal(puts(), 2, "those of 6–8 s at 11 s");
    const log = await serverLog(world);
    assert.equal(log.length, 2, "five heartbeats, two events");
    assert.deepEqual(log.map((e) => e.eventData.videoProgress?.percentageWatched), [40, 80]);
    assert.equal(engine.view.pending, 0);
  });
});

Deno.test("failures back off 1 s, 5 s, 15 s, 60 s, then wait in error for the retry button", async () => {
  await withWorld(async (world, userId) => {
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    await engine.start();
    world.server = 503;
    const event = engine.record(complete("a"));
    await world.advance(FLUSH_DEBOUNCE_MS);
    assert.equal(engine.statusOf(event.eventId), "error");
    assert.match(engine.view.lastError ?? "", /Unavailable \(503\)/);
    for (const delay of RETRY_DELAYS) {
      assert.equal(world.nextTimerIn(), delay);
      await world.advance(delay);
      assert.equal(engine.statusOf(event.eventId), "error");
    }
    assert.equal(world.nextTimerIn(), null, "no automatic retry after the fourth");
    assert.ok(engine.view.needsManualRetry);
    await world.advance(3_600_000);
    assert.equal(world.requests.filter((r) => r.method === "PUT").length, 5);

    world.server = "up";
    await engine.sync({ manual: true });
    assert.equal(engine.statusOf(event.eventId), "synced");
    assert.equal(engine.view.lastError, null);
    assert.equal(engine.view.needsManualRetry, false);
  });
});

/** An engine whose pushes get `answer()` while it returns a response (else the real app's). */
function engineWithPutAnswer(
  world: World,
  userId: string,
  answer: () => Response | null,
): LearningSyncEngine {
  const env = world.env();
  return tracked(
    new LearningSyncEngine(
      {
        ...env,
        fetch: (url, init) => {
          const response = init?.method === "PUT" ? answer() : null;
          return response ? Promise.resolve(response) : env.fetch(url, init);
        },
      },
      { userId },
    ),
  );
}

Deno.test("a refused request (4xx) waits for a manual retry at once", async () => {
  await withWorld(async (world, userId) => {
    const engine = engineWithPutAnswer(
      world,
      userId,
      () => Response.json({ error: "Invalid request" }, { status: 400 }),
    );
    await engine.start();
    const event = engine.record(complete("a"));
    await world.advance(FLUSH_DEBOUNCE_MS);
    assert.equal(engine.statusOf(event.eventId), "error");
    assert.ok(engine.view.needsManualRetry);
    assert.equal(world.nextTimerIn(), null);
  });
});

Deno.test("a signed-out answer (401) is retried with the backoff, like the client library, not parked", async () => {
  await withWorld(async (world, userId) => {
    let signedOut = true;
    const engine = engineWithPutAnswer(
      world,
      userId,
      () => signedOut ? Response.json({ error: "Sign in" }, { status: 401 }) : null,
    );
    await engine.start();
    const event = engine.record(complete("a"));
    await world.advance(FLUSH_DEBOUNCE_MS);
    assert.equal(engine.statusOf(event.eventId), "error");
    assert.match(engine.view.lastError ?? "", /signed out/);
    assert.equal(engine.view.needsManualRetry, false);
    assert.equal(world.nextTimerIn(), RETRY_DELAYS[0]);
    signedOut = false;
    await world.advance(RETRY_DELAYS[0]!);
    assert.equal(engine.statusOf(event.eventId), "synced");
  });
});

Deno.test("a request the server stored but whose answer was lost is sent again and stored once", async () => {
  await withWorld(async (world, userId) => {
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    await engine.start();
    world.server = "lost";
    const events = [engine.record(complete("a")), engine.record(complete("b"))];
    await world.advance(FLUSH_DEBOUNCE_MS);
    assert.deepEqual(events.map((e) => engine.statusOf(e.eventId)), ["error", "error"]);
    world.server = "up";
    await world.advance(RETRY_DELAYS[0]);
    assert.deepEqual(events.map((e) => engine.statusOf(e.eventId)), ["synced", "synced"]);
    const log = await serverLog(world);
    assert.equal(log.length, 2);
  });
});

Deno.test("two tabs stay in step through storage events", async () => {
  await withWorld(async (world, userId) => {
    world.online = false;
    const tabA = tracked(new LearningSyncEngine(world.env(), { userId }));
    const tabB = tracked(new LearningSyncEngine(world.env(), { userId }));
    await tabA.start();
    await tabB.start();
    const key = storageKeys(userId).events;
    const a = tabA.record(complete("a"));
    tabB.handleStorage(key);
    assert.equal(tabB.snapshot.content.a!.status, "completed");
    const b = tabB.record(complete("b"));
    tabA.handleStorage(key);
    assert.deepEqual(Object.keys(tabA.snapshot.content).sort(), ["a", "b"]);
    assert.deepEqual(tabA.snapshot, tabB.snapshot);

    world.online = true;
    tabA.handleOnline();
    await settle();
    tabB.handleStorage(storageKeys(userId).sync);
    assert.equal(tabB.statusOf(a.eventId), "synced");
    assert.equal(tabB.statusOf(b.eventId), "synced");
    assert.equal((await serverLog(world)).length, 2);
  });
});

Deno.test("a guest's progress is merged into the account on sign-in and guest storage cleared once synced", async () => {
  await withWorld(async (world, userId) => {
    const guest = tracked(new LearningSyncEngine(world.env(), { userId: null }));
    await guest.start();
    const done = guest.record(complete("html-basics"));
    const quiz = guest.record(complete("html-quiz", "passed"));

    // The account already has progress from another device.
    await world.app.request("/api/v1/learning/progress", {
      method: "PUT",
      token: world.token,
      json: {
        clientUpdatedAt: "2026-03-01T09:00:00Z",
        events: [{
          eventId: "other-device-1",
          occurredAt: "2026-03-01T09:00:00Z",
          clientId: "phone",
          type: "content.progressed",
          payload: { contentId: "css-layout", status: "completed" },
        }],
      },
    });

    const account = tracked(new LearningSyncEngine(world.env(), { userId }));
    await account.start();
    assert.deepEqual(Object.keys(account.snapshot.content).sort(), [
      "css-layout",
      "html-basics",
      "html-quiz",
    ]);
    assert.equal(account.statusOf(done.eventId), "synced");
    assert.equal(account.statusOf(quiz.eventId), "synced");
    assert.equal(account.statusOf("other-device-1"), "synced");
    assert.equal(world.storage.getItem(GUEST_EVENTS_KEY), null, "guest storage cleared");
    assert.equal(world.storage.getItem(GUEST_SNAPSHOT_KEY), null);
    assert.equal(JSON.parse(world.storage.getItem(storageKeys(userId).events)!).length, 3);
    assert.deepEqual(
      (await serverLog(world)).map((e) => e.id).sort(),
      [done.eventId, quiz.eventId, "other-device-1"].sort(),
    );
  });
});

Deno.test("guest progress merged while offline stays in guest storage until it reaches the server", async () => {
  await withWorld(async (world, userId) => {
    const guest = tracked(new LearningSyncEngine(world.env(), { userId: null }));
    await guest.start();
    guest.record(complete("a"));
    world.online = false;
    const account = tracked(new LearningSyncEngine(world.env(), { userId }));
    await account.start();
    assert.equal(account.snapshot.content.a!.status, "completed");
    assert.equal(account.view.guestEvents, 1);
    assert.notEqual(world.storage.getItem(GUEST_EVENTS_KEY), null);
    world.online = true;
    account.handleOnline();
    await settle();
    assert.equal(world.storage.getItem(GUEST_EVENTS_KEY), null);
    assert.equal(account.view.guestEvents, 0);
  });
});

Deno.test("updates made while bootstrapping are queued, shown at once, and replayed after the merge", async () => {
  await withWorld(async (world, userId) => {
    let open = () => {};
    world.gate = new Promise((resolve) => open = resolve);
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    const started = engine.start();
    await settle();
    assert.equal(engine.view.bootstrapping, true);
    const event = engine.record(complete("early"));
    assert.equal(engine.snapshot.content.early!.status, "completed", "shown while bootstrapping");
    assert.equal(engine.statusOf(event.eventId), "local");
    world.gate = null;
    open();
    await started;
    assert.equal(engine.view.bootstrapping, false);
    assert.equal(engine.statusOf(event.eventId), "synced");
    assert.deepEqual((await serverLog(world)).map((e) => e.id), [event.eventId]);
  });
});

Deno.test("a full storage keeps progress in memory, still syncs it, and saves it once space frees", async () => {
  await withWorld(async (world, userId) => {
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    await engine.start();
    world.storage.full = true;
    const event = engine.record(complete("a"));
    assert.equal(engine.snapshot.content.a!.status, "completed");
    assert.match(engine.view.storageError ?? "", /storage is full/);
    await world.advance(FLUSH_DEBOUNCE_MS);
    assert.equal(engine.statusOf(event.eventId), "synced");
    assert.equal((await serverLog(world)).length, 1);

    world.storage.full = false;
    engine.record(complete("b"));
    assert.equal(engine.view.storageError, null);
    const stored = JSON.parse(world.storage.getItem(storageKeys(userId).events)!);
    assert.deepEqual(stored.map((e: { payload: { contentId: string } }) => e.payload.contentId), [
      "a",
      "b",
    ]);
  });
});

Deno.test("events from other devices arrive with the next sync, since the stored cursor", async () => {
  await withWorld(async (world, userId) => {
    const engine = tracked(new LearningSyncEngine(world.env(), { userId }));
    await engine.start();
    await world.app.request("/api/v1/learning/progress", {
      method: "PUT",
      token: world.token,
      json: {
        clientUpdatedAt: "2026-03-02T10:00:00Z",
        events: [{
          eventId: "phone-1",
          occurredAt: "2026-03-02T09:59:00Z",
          clientId: "phone",
          type: "activePath.set",
          payload: { pathId: "web-foundations" },
        }],
      },
    });
    world.requests = [];
    await engine.sync();
    assert.equal(engine.snapshot.activePathId, "web-foundations");
    assert.equal(engine.statusOf("phone-1"), "synced");
    assert.match(world.requests.at(-1)!.url, /since=/);
  });
});
