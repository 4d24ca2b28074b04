import assert from "node:assert/strict";
import { readConfig } from "./config.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("readConfig uses the documented defaults locally", () => {
  assert.deepEqual(readConfig(envOf({})), {
    port: 8000,
    kvPath: "./data/progress.sqlite",
    adminToken: null,
    queuesEnabled: true,
    demo: false,
    publicUrl: null,
  });
});

Deno.test("readConfig turns queues off and uses the managed KV on Deno Deploy", () => {
  const config = readConfig(envOf({ DENO_DEPLOYMENT_ID: "abc" }));
  assert.equal(config.queuesEnabled, false);
  assert.equal(config.kvPath, null);
});

Deno.test("readConfig honours KV_QUEUES, KV_PATH, PORT, ADMIN_TOKEN and DEMO", () => {
  const config = readConfig(envOf({
    KV_QUEUES: "off",
    KV_PATH: ":memory:",
    PORT: "9001",
    ADMIN_TOKEN: "secret",
    DEMO: "1",
  }));
  assert.deepEqual(config, {
    port: 9001,
    kvPath: ":memory:",
    adminToken: "secret",
    queuesEnabled: false,
    demo: true,
    publicUrl: null,
  });
});

Deno.test("readConfig reads PUBLIC_URL as an origin and refuses anything else", () => {
  assert.equal(
    readConfig(envOf({ PUBLIC_URL: "https://progress.example.org/" })).publicUrl,
    "https://progress.example.org",
  );
  for (const bad of ["progress.example.org", "ftp://example.org", "https://example.org/app"]) {
    assert.throws(() => readConfig(envOf({ PUBLIC_URL: bad })), /PUBLIC_URL/);
  }
});
