import assert from "node:assert/strict";
import { createApiToken, createUser } from "../auth/account_store.ts";
import { appendEvents } from "../events/log_store.ts";
import { openKv } from "../kv_open.ts";
import { startService } from "../../server.ts";
import { videoCompleted } from "../../tests/support/event_fixtures.ts";
import { countPendingEvents } from "../progress/summary_store.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import { createProcessor } from "./processor.ts";
import { createWorkerProcessor } from "./worker_processor.ts";

/** Reads an SSE body until `pattern` shows; returns the text read. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  pattern: string,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(pattern)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

Deno.test("PROCESSING=worker: ?wait=true answers from the Worker's commit and the live stream wakes on it", async () => {
  const dir = await Deno.makeTempDir();
  const kvPath = `${dir}/kv.sqlite`;
  const kv = await openKv(kvPath);
  const service = startService(kv, {
    port: 0,
    adminToken: null,
    queuesEnabled: false,
    publicUrl: null,
    secretsKey: null,
    trustProxy: false,
    webhookAllowPrivate: false,
    kvPath,
    processing: "worker",
  }, { hostname: "127.0.0.1" });
  const base = `http://127.0.0.1:${service.server.addr.port}/api/progress-sync`;
  try {
    assert.equal(await service.processing, "worker");
    const user = await createUser(kv, { username: "worker", passwordHash: "unusable" });
    const { secret } = await createApiToken(kv, {
      ownerId: user!.userId,
      userId: user!.userId,
      name: "t",
      scopes: ["events:write", "progress:read"],
    });
    const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    const live = await fetch(`${base}/live`, { headers });
    const reader = live.body!.getReader();
    assert.match(await readUntil(reader, ": connected"), /connected/);
    const posted = await fetch(`${base}/events?wait=true`, {
      method: "POST",
      headers,
      body: JSON.stringify(videoCompleted("video1")),
    });
    assert.equal(posted.status, 200);
    const results = await posted.json();
    assert.deepEqual(results.results[0].errors, []);
    assert.equal(results.results[0].achievements[0]?.achievementId, "first-completion");
    assert.match(await readUntil(reader, "event: progress_update"), /video1/);
    await reader.cancel();
    assert.ok(service.processor.stats().processedEvents >= 1, "the Worker reported its run");
  } finally {
    await service.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Worker that cannot start hands every call to the in-process processor", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "not a directory");
  const kv = await Deno.openKv(":memory:");
  const fallback = createProcessor(kv);
  const processor = createWorkerProcessor(`${dir}/file/kv.sqlite`, {
    fallback,
    queuesEnabled: false,
  });
  const originalError = console.error;
  console.error = () => {};
  try {
    const event: StoredEvent = {
      ...videoCompleted("video1", { id: "01JD0000000000000000000001" }),
      userId: "u1",
      timestamp: "2026-11-01T10:00:00.000Z",
      receivedAt: "2026-11-01T10:00:00.000Z",
      contentHash: "h",
    } as StoredEvent;
    await appendEvents(kv, [event]);
    assert.equal(await processor.started, "inline");
    await processor.schedule("u1");
    assert.equal(await countPendingEvents(kv, "u1"), 0);
    assert.equal(await processor.sweep({ olderThanMs: 0 }), 0);
    await processor.idle();
  } finally {
    console.error = originalError;
    processor.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
