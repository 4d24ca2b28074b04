import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "./app_env.ts";
import { MAX_ID_LENGTH } from "../core/event_schema.ts";
import { handleError } from "../../routes/_error_handler.ts";
import { limitPathSegments } from "./path_limits.ts";

function app() {
  const app = new Hono<AppEnv>();
  app.onError(handleError);
  app.use("*", limitPathSegments());
  app.get("/things/:id", (c) => c.text(c.req.param("id")));
  return app;
}

Deno.test("a path segment longer than any stored id is a 400, not a KV error", async () => {
  const response = await app().request(`/things/${"i".repeat(MAX_ID_LENGTH + 1)}`);
  assert.equal(response.status, 400);
});

Deno.test("ids up to the limit, percent-encoded included, reach the route", async () => {
  const encoded = "%C3%A9".repeat(MAX_ID_LENGTH / 2);
  const response = await app().request(`/things/${encoded}`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "é".repeat(MAX_ID_LENGTH / 2));
});
