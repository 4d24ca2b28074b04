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
  });
});
