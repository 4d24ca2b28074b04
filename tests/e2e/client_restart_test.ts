import assert from "node:assert/strict";
import { join } from "node:path";
import { createProgressClient, type DeliveryTrouble, type Rejection } from "../../client/mod.ts";
import {
  api,
  registerViaApi,
  scriptToken,
  type ServerProcess,
  startServer,
  uniqueUsername,
} from "./harness.ts";

const PASSWORD = "correct horse battery";
const TOTAL = 400;

async function logIds(server: ServerProcess, token: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const query: string = cursor === null ? "" : `&since=${encodeURIComponent(cursor)}`;
    const response = await api(server, `/api/progress-sync/events?limit=1000${query}`, { token });
    assert.equal(response.status, 200);
    const body = await response.json();
    ids.push(...body.events.map((e: { id: string }) => e.id));
    if (body.events.length === 0) break;
    cursor = body.cursor;
  }
  return ids;
}

Deno.test("the client delivers every event exactly once while the server is SIGKILLed and restarted mid-stream", async () => {
  const dir = await Deno.makeTempDir({ prefix: "progress_client_restart_" });
  const kvPath = join(dir, "progress.sqlite");
  let server = await startServer({ kvPath });
  const { port, adminToken } = server;
  try {
    const student = await registerViaApi(server, uniqueUsername("client"), PASSWORD);
    const token = await scriptToken(server, student);
    const troubles: DeliveryTrouble[] = [];
    const rejected: Rejection[] = [];
    const client = createProgressClient({
      baseUrl: server.origin,
      token,
      batchSize: 20,
      flushDelayMs: 10,
      retry: { baseMs: 50, maxMs: 500 },
      onTrouble: (t) => troubles.push(t),
      onRejected: (r) => rejected.push(...r),
    });
    const ids: string[] = [];
    for (let i = 0; i < TOTAL; i++) {
      ids.push(client.track({
        eventType: "activity_progressed",
        sourceSystem: "video_player",
        eventData: {
          activityId: `clip-${i % 25}`,
          activityType: "video",
          completionStatus: "in_progress",
          videoProgress: { videoId: `clip-${i % 25}`, percentageWatched: i % 100 },
        },
      }));
      // Kill while batches are in flight; keep tracking while the server is down.
      if (i === 150) await server.stop({ signal: "SIGKILL" });
      if (i === 250) server = await startServer({ port, kvPath, adminToken });
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await client.close({ timeoutMs: 60_000 });
    assert.equal(client.pending, 0, "everything was delivered");
    assert.deepEqual(rejected, []);
    assert.ok(troubles.length > 0, "the client noticed the server was gone and retried");

    const logged = await logIds(server, token);
    const counts = new Map<string, number>();
    for (const id of logged) counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.equal(logged.length, TOTAL, "no event lost or doubled");
    assert.deepEqual([...counts.values()].filter((n) => n !== 1), []);
    assert.deepEqual(new Set(logged), new Set(ids));
  } catch (error) {
    throw new Error(`${error}\nServer output:\n${server.output()}`, { cause: error });
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
