import assert from "node:assert/strict";
import type { SSEStreamingApi } from "hono/streaming";
import { streamNotifications } from "./live_stream.ts";

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
