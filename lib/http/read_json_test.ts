import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "./app_env.ts";
import { handleError } from "../../routes/_error_handler.ts";
import { isWellFormedJson, readJson } from "./read_json.ts";

function app() {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.post("/", async (c) => c.json({ value: await readJson(c) }));
  return app;
}

Deno.test("a body that is not UTF-8 is a 400", async () => {
  const body = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
  const response = await app().request("/", { method: "POST", body });
  assert.equal(response.status, 400);
});

Deno.test("a lone surrogate in a string or a key is a 400; a pair is fine", async () => {
  for (const body of ['{"id":"\\ud800"}', '{"\\udc00":1}', '[["x\\ud83d"]]']) {
    const response = await app().request("/", { method: "POST", body });
    assert.equal(response.status, 400, body);
  }
  const response = await app().request("/", { method: "POST", body: '{"id":"\\ud83d\\ude00"}' });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { value: { id: "😀" } });
});

Deno.test("isWellFormedJson walks arrays and objects of any size without recursion", () => {
  assert.equal(isWellFormedJson(Array.from({ length: 300_000 }, () => "ok")), true);
  assert.equal(isWellFormedJson({ a: [{ b: ["\udfff"] }] }), false);
});
