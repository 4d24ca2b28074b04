import assert from "node:assert/strict";
import type { SSEStreamingApi } from "hono/streaming";
import { streamNotifications } from "./live_stream.ts";
import { addNotifications } from "./notification_store.ts";
import type { LiveMessage } from "../core/project.ts";

/** The parts of Hono's SSE stream `streamNotifications` uses, recording what it writes. */
function fakeStream(written: string[]): SSEStreamingApi {
  return {
    aborted: false,
    closed: false,
    write(text: string) {
      written.push(text);
      return Promise.resolve(this);
    },
    writeSSE(message: { data: string }) {
      written.push(message.data);
      return Promise.resolve();
    },
    onAbort() {},
  } as unknown as SSEStreamingApi;
}

Deno.test("a live stream ends at the first heartbeat after its credential is gone", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let checks = 0;
    const written: string[] = [];
    await streamNotifications(fakeStream(written), kv, "u1", {
      heartbeatMs: 5,
      // The first wake-up (the watch's initial value) finds it alive; the heartbeat does not.
      alive: () => Promise.resolve(checks++ === 0),
    });
    assert.ok(checks >= 2);
    assert.deepEqual(written, [": connected\n\n"]);
  } finally {
    kv.close();
  }
});

Deno.test("a live stream ends after its maximum lifetime, so the client reconnects", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const written: string[] = [];
    await streamNotifications(fakeStream(written), kv, "u1", { maxLifetimeMs: 5 });
    assert.equal(written[0], ": connected\n\n");
  } finally {
    kv.close();
  }
});

Deno.test("deleting a watched credential ends its stream at once, without a heartbeat or a read", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["token", "h1"], { id: "t1" });
    let aliveCalls = 0;
    const written: string[] = [];
    const streaming = streamNotifications(fakeStream(written), kv, "u1", {
      heartbeatMs: 60_000,
      alive: () => Promise.resolve(++aliveCalls > 0),
      credential: { keys: [["token", "h1"]], holds: ([token]) => token?.value != null },
    });
    // A message while the credential holds is delivered...
    const message = { event: "progress_update", data: { n: 1 } } as unknown as LiveMessage;
    await addNotifications(kv.atomic(), kv, "u1", [message]).commit();
    while (written.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    // ...and revoking it ends the stream, though no message and no heartbeat follows.
    await kv.delete(["token", "h1"]);
    await streaming;
    assert.equal(aliveCalls, 0, "wake-ups are judged from the watched entries");
    assert.deepEqual(written, [": connected\n\n", JSON.stringify({ n: 1 })]);
  } finally {
    kv.close();
  }
});
