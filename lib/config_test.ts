import assert from "node:assert/strict";
import { readConfig, startupWarnings } from "./config.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("readConfig uses the documented defaults locally", () => {
  assert.deepEqual(readConfig(envOf({})), {
    port: 8000,
    kvPath: "./data/progress.sqlite",
    adminToken: null,
    queuesEnabled: true,
    demo: false,
    publicUrl: null,
    secretsKey: null,
    trustProxy: false,
    webhookAllowPrivate: false,
    processing: "worker",
  });
});

Deno.test("readConfig turns queues off and uses the managed KV on Deno Deploy", () => {
  const config = readConfig(envOf({ DENO_DEPLOYMENT_ID: "abc", PUBLIC_URL: "https://p.example" }));
  assert.equal(config.queuesEnabled, false);
  assert.equal(config.kvPath, null);
});

Deno.test("readConfig processes in a Worker only on a KV file, and PROCESSING=inline turns it off", () => {
  assert.equal(readConfig(envOf({ KV_PATH: "/tmp/x.sqlite" })).processing, "worker");
  assert.equal(readConfig(envOf({ PROCESSING: "inline" })).processing, "inline");
  assert.equal(
    readConfig(envOf({ PROCESSING: "worker", KV_PATH: ":memory:" })).processing,
    "inline",
  );
  const deploy = envOf({ DENO_DEPLOYMENT_ID: "abc", PUBLIC_URL: "https://p.example" });
  assert.equal(readConfig(deploy).processing, "inline");
  assert.throws(() => readConfig(envOf({ PROCESSING: "threads" })), /PROCESSING/);
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
    secretsKey: null,
    trustProxy: false,
    webhookAllowPrivate: false,
    processing: "inline",
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

Deno.test("readConfig reads SECRETS_KEY as 32 bytes and refuses a malformed one without echoing it", () => {
  const key = new Uint8Array(32).fill(9);
  const encoded = btoa(String.fromCharCode(...key));
  assert.deepEqual(readConfig(envOf({ SECRETS_KEY: encoded })).secretsKey, key);
  const weak = "hunter2-hunter2-hunter2";
  assert.throws(
    () => readConfig(envOf({ SECRETS_KEY: weak })),
    (error: Error) => /SECRETS_KEY must be/.test(error.message) && !error.message.includes(weak),
  );
});

Deno.test("startupWarnings warns on Deno Deploy without SECRETS_KEY, and nowhere else", () => {
  const deploy = envOf({ DENO_DEPLOYMENT_ID: "abc" });
  const set = { publicUrl: "https://p.example", webhookAllowPrivate: false, adminToken: "secret" };
  assert.equal(startupWarnings({ ...set, secretsKey: null }, deploy).length, 1);
  assert.match(startupWarnings({ ...set, secretsKey: null }, deploy)[0]!, /SECRETS_KEY is not set/);
  assert.deepEqual(startupWarnings({ ...set, secretsKey: new Uint8Array(32) }, deploy), []);
  assert.deepEqual(startupWarnings({ ...set, secretsKey: null }, envOf({})), []);
});

Deno.test("readConfig requires PUBLIC_URL on Deno Deploy; elsewhere its absence is warned", () => {
  assert.throws(() => readConfig(envOf({ DENO_DEPLOYMENT_ID: "abc" })), /PUBLIC_URL must be set/);
  const warnings = startupWarnings(
    { secretsKey: null, publicUrl: null, webhookAllowPrivate: true, adminToken: "secret" },
    envOf({}),
  );
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /PUBLIC_URL is not set/);
  assert.match(warnings[1]!, /WEBHOOK_ALLOW_PRIVATE is on/);
});

Deno.test("readConfig reads TRUST_PROXY and WEBHOOK_ALLOW_PRIVATE", () => {
  const config = readConfig(envOf({ TRUST_PROXY: "1", WEBHOOK_ALLOW_PRIVATE: "true" }));
  assert.equal(config.trustProxy, true);
  assert.equal(config.webhookAllowPrivate, true);
});

Deno.test("startupWarnings names ADMIN_TOKEN when it is missing, locally and on Deno Deploy", () => {
  for (const env of [envOf({}), envOf({ DENO_DEPLOYMENT_ID: "abc" })]) {
    const warnings = startupWarnings({
      secretsKey: new Uint8Array(32),
      adminToken: null,
      publicUrl: "https://p.example",
      webhookAllowPrivate: false,
    }, env);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /ADMIN_TOKEN is not set/);
  }
});

Deno.test("readConfig refuses KV_PATH on Deno Deploy, naming it", () => {
  assert.throws(
    () => readConfig(envOf({ DENO_DEPLOYMENT_ID: "abc", KV_PATH: "./data/kv.sqlite" })),
    /KV_PATH is set/,
  );
  assert.throws(
    () => readConfig(envOf({ DENO_DEPLOYMENT_ID: "abc", KV_PATH: ":memory:" })),
    /KV_PATH/,
  );
});
