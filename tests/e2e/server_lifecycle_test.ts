import assert from "node:assert/strict";
import {
  PROJECT_ROOT,
  registerViaApi,
  scriptToken,
  startServer,
  uniqueUsername,
} from "./harness.ts";

/** Opens a live stream and resolves once it is connected; returns its reader. */
async function openStream(
  origin: string,
  token: string,
): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(`${origin}/api/progress-sync/live`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  assert.match(new TextDecoder().decode(value), /: connected/);
  return reader;
}

/** Everything left on a stream until it ends. */
async function rest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return `${text}<connection reset>`;
  }
}

Deno.test("SIGTERM with 100 live streams open: each gets retry: and ends, the process exits within 4 s", async () => {
  const server = await startServer();
  try {
    // Ten students with ten streams each: a student may hold at most ten open streams.
    const tokens = await Promise.all(Array.from({ length: 10 }, async () => {
      const student = await registerViaApi(server, uniqueUsername("shutdown"), "correct horse 1");
      return scriptToken(server, student);
    }));
    const streams = await Promise.all(
      tokens.flatMap((token) => Array.from({ length: 10 }, () => openStream(server.origin, token))),
    );
    const ends = streams.map(rest);
    const started = performance.now();
    await server.stop();
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 4, `exited ${seconds.toFixed(1)} s after SIGTERM`);
    for (const text of await Promise.all(ends)) assert.match(text, /^retry: \d+$/m);
    assert.doesNotMatch(server.output(), /Shutdown failed/);
  } finally {
    await server.stop();
  }
});

Deno.test("main.ts registers its cron before the server starts (Deno Deploy refuses later ones)", async () => {
  const server = await startServer({
    preload: [`${PROJECT_ROOT}tests/e2e/startup_order_preload.ts`],
  });
  await server.stop();
  const order = server.output().split("\n").filter((line) => line.startsWith("startup-order:"));
  assert.deepEqual(order, ["startup-order: cron sweep the outbox", "startup-order: serve"]);
});

Deno.test("on Deno Deploy main.ts refuses KV_PATH at startup with a message naming it", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: PROJECT_ROOT,
    env: { DENO_DEPLOYMENT_ID: "test", KV_PATH: "/nonexistent/kv.sqlite", NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.notEqual(code, 0);
  assert.match(new TextDecoder().decode(stderr), /KV_PATH is set/);
});
