import assert from "node:assert/strict";
import {
  api,
  freePort,
  PROJECT_ROOT,
  registerViaApi,
  scriptToken,
  startServer,
  uniqueUsername,
} from "./harness.ts";

async function simulate(args: string[], env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/simulate.ts", ...args],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    text: decoder.decode(output.stdout) + decoder.decode(output.stderr),
  };
}

Deno.test("deno task simulate says plainly when no server answers, at the PORT it was given", async () => {
  const port = freePort();
  const { code, text } = await simulate([], { PORT: String(port) });
  assert.equal(code, 1);
  assert.match(text, new RegExp(`No Progress Sync server answers at http://localhost:${port}\\.`));
  assert.match(text, /deno task demo/);
  assert.doesNotMatch(text, /Uncaught|\s+at .+:\d+:\d+/, "no stack trace");
});

Deno.test("deno task simulate honours PORT and --url, and posts its events through the client library", async () => {
  const server = await startServer();
  try {
    const student = await registerViaApi(server, uniqueUsername("sim"), "correct horse battery");
    const token = await scriptToken(server, student);
    const byPort = await simulate(["--token", token, "--count", "3", "--interval", "0"], {
      PORT: String(server.port),
    });
    assert.equal(byPort.code, 0, byPort.text);
    assert.match(byPort.text, /stored \d+ events?/);
    const byUrl = await simulate(
      ["--url", server.origin, "--token", token, "--count", "2", "--interval", "0"],
      { PORT: String(freePort()) },
    );
    assert.equal(byUrl.code, 0, byUrl.text);
    const log = await (await api(server, "/api/progress-sync/events?limit=100", { token })).json();
    assert.equal(log.events.length, 5);
  } finally {
    await server.stop();
  }
});

Deno.test("deno task simulate signs in, makes its own token and revokes it when it ends", async () => {
  const server = await startServer();
  try {
    const username = uniqueUsername("sim");
    const student = await registerViaApi(server, username, "correct horse battery");
    for (let run = 0; run < 2; run++) {
      const { code, text } = await simulate(
        [
          "--url",
          server.origin,
          "--username",
          username,
          "--password",
          "correct horse battery",
          "--count",
          "2",
          "--interval",
          "0",
        ],
        {},
      );
      assert.equal(code, 0, text);
    }
    const { tokens } = await (await api(server, "/api/tokens", { cookie: student.cookie })).json();
    assert.deepEqual(tokens, [], "no token left behind");
    const log = await (await api(server, "/api/progress-sync/events?limit=100", {
      cookie: student.cookie,
    })).json();
    assert.equal(log.events.length, 4);
  } finally {
    await server.stop();
  }
});
