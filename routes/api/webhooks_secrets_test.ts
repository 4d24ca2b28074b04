import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { inboundSecretKey, webhookEndpointKey } from "../../lib/kv_keys.ts";
import { progressEvent, sendSigned } from "../../tests/support/signed_inbound.ts";
import { TEST_ADMIN_TOKEN, type TestApp, withTestApp } from "../../tests/support/test_app.ts";
import { createEndpoint, type WebhookEndpoint } from "../../lib/webhooks/endpoint_store.ts";
import { type InboundSecrets, setInboundSecret } from "../../lib/webhooks/inbound_store.ts";
import { PLAIN_SECRET_BOX } from "../../lib/webhooks/secret_box.ts";
import { createUrlPolicy } from "../../lib/webhooks/url_policy.ts";
import { videoCompleted } from "../../tests/support/event_fixtures.ts";

const SECRETS_KEY = crypto.getRandomValues(new Uint8Array(32));

/** A request the delivery worker sent. */
interface Sent {
  headers: Headers;
  body: string;
}

/** Runs `fn` on a test app with `SECRETS_KEY` set whose deliveries are captured instead of sent. */
function withKeyedApp(fn: (app: TestApp, sent: Sent[]) => Promise<void>, secretsKey = SECRETS_KEY) {
  const sent: Sent[] = [];
  const capture: typeof fetch = (_input, init) => {
    sent.push({ headers: new Headers(init?.headers), body: String(init?.body) });
    return Promise.resolve(new Response("ok"));
  };
  return withTestApp((app) => fn(app, sent), { secretsKey, deliveries: { fetch: capture } });
}

/** Throws unless `delivery` carries a signature by `secret` that the standardwebhooks library accepts. */
function assertSignedWith(delivery: Sent, secret: string) {
  const headers = Object.fromEntries(
    ["webhook-id", "webhook-timestamp", "webhook-signature"].map((h) => [
      h,
      delivery.headers.get(h)!,
    ]),
  );
  new Webhook(secret).verify(delivery.body, headers);
}

async function postEvent(app: TestApp, token: string, id: string) {
  const response = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token,
    json: videoCompleted(`video-${id}`, { id, timestamp: "2026-11-20T10:00:00Z" }),
  });
  assert.equal(response.status, 200);
  await app.deliveries.idle();
}

async function storedEndpointSecrets(app: TestApp, id: string): Promise<string[]> {
  const raw = await app.kv.get<WebhookEndpoint>(webhookEndpointKey(id));
  return raw.value!.secrets.map((s) => s.secret);
}

async function storedInboundSecrets(app: TestApp, system: string): Promise<string[]> {
  const raw = await app.kv.get<InboundSecrets>(inboundSecretKey(system));
  return raw.value!.secrets.map((s) => s.secret);
}

/** Asserts every stored value is ciphertext that holds none of `plain` (the whole secret or its key part). */
function assertSealed(stored: string[], plain: string[]) {
  for (const value of stored) {
    assert.match(value, /^enc:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    for (const secret of plain) assert.ok(!value.includes(secret.replace("whsec_", "")));
  }
}

Deno.test("with SECRETS_KEY an endpoint's secrets are stored encrypted and deliveries are still signed with them", async () => {
  await withKeyedApp(async (app, sent) => {
    const { token } = await app.student();
    const created = await app.request("/api/webhooks", {
      method: "POST",
      token: TEST_ADMIN_TOKEN,
      json: { url: "http://127.0.0.1:9/hook", eventTypes: ["progress_update"] },
    });
    assert.equal(created.status, 201);
    const { id, secret } = await created.json() as { id: string; secret: string };
    assertSealed(await storedEndpointSecrets(app, id), [secret]);
    await postEvent(app, token, "e1");
    assert.equal(sent.length, 1);
    assertSignedWith(sent[0]!, secret);

    const rotated = await app.request(`/api/webhooks/${id}/rotate`, {
      method: "POST",
      token: TEST_ADMIN_TOKEN,
    });
    const { secret: next } = await rotated.json() as { secret: string };
    const stored = await storedEndpointSecrets(app, id);
    assert.equal(stored.length, 2);
    assertSealed(stored, [secret, next]);
    await postEvent(app, token, "e2");
    assert.equal(sent.length, 2);
    assertSignedWith(sent[1]!, next);
    assertSignedWith(sent[1]!, secret);

    for (const path of [`/api/webhooks`, `/api/webhooks/${id}`]) {
      const text = await (await app.request(path, { token: TEST_ADMIN_TOKEN })).text();
      for (const leak of [secret, next, ...stored]) assert.ok(!text.includes(leak), path);
    }
  });
});

Deno.test("with SECRETS_KEY an inbound secret is stored encrypted and signed webhooks still verify", async () => {
  await withKeyedApp(async (app) => {
    const { userId } = await app.student();
    const set = await app.request("/api/webhooks/inbound/todo_manager/secret", {
      method: "PUT",
      token: TEST_ADMIN_TOKEN,
    });
    const { secret } = await set.json() as { secret: string };
    assertSealed(await storedInboundSecrets(app, "todo_manager"), [secret]);
    assert.equal(
      (await sendSigned(app, "todo_manager", secret, progressEvent(userId))).status,
      202,
    );
    const wrong = "whsec_" + btoa("a different secret of 32 bytes..");
    assert.equal((await sendSigned(app, "todo_manager", wrong, progressEvent(userId))).status, 401);
    const listed = await (await app.request("/api/webhooks/inbound", { token: TEST_ADMIN_TOKEN }))
      .text();
    assert.ok(!listed.includes(secret) && !listed.includes("enc:v1:"));
  });
});

Deno.test("a plain endpoint secret from before SECRETS_KEY still signs, and is encrypted on the next write", async () => {
  await withKeyedApp(async (app, sent) => {
    const { token } = await app.student();
    const legacy = await createEndpoint(app.kv, PLAIN_SECRET_BOX, {
      url: "http://127.0.0.1:9/hook",
      description: "",
      eventTypes: ["progress_update"],
      urlPolicy: createUrlPolicy({ allowPrivate: true }),
    }, { actor: "admin" });
    const { id } = legacy!.endpoint;
    assert.deepEqual(await storedEndpointSecrets(app, id), [legacy!.secret]);
    await postEvent(app, token, "e1");
    assertSignedWith(sent[0]!, legacy!.secret);

    const patched = await app.request(`/api/webhooks/${id}`, {
      method: "PATCH",
      token: TEST_ADMIN_TOKEN,
      json: { description: "touched" },
    });
    assert.equal(patched.status, 200);
    assertSealed(await storedEndpointSecrets(app, id), [legacy!.secret]);
    await postEvent(app, token, "e2");
    assertSignedWith(sent[1]!, legacy!.secret);
  });
});

Deno.test("a plain inbound secret from before SECRETS_KEY still verifies, and is encrypted when the next one is set", async () => {
  await withKeyedApp(async (app) => {
    const { userId } = await app.student();
    const { secret: old } = await setInboundSecret(app.kv, "calendar_service", {
      box: PLAIN_SECRET_BOX,
      audit: { actor: "admin" },
    });
    assert.deepEqual(await storedInboundSecrets(app, "calendar_service"), [old]);
    assert.equal(
      (await sendSigned(app, "calendar_service", old, progressEvent(userId))).status,
      202,
    );

    const set = await app.request("/api/webhooks/inbound/calendar_service/secret", {
      method: "PUT",
      token: TEST_ADMIN_TOKEN,
    });
    const { secret: next } = await set.json() as { secret: string };
    const stored = await storedInboundSecrets(app, "calendar_service");
    assert.equal(stored.length, 2);
    assertSealed(stored, [old, next]);
    assert.equal(
      (await sendSigned(app, "calendar_service", old, progressEvent(userId))).status,
      202,
    );
    assert.equal(
      (await sendSigned(app, "calendar_service", next, progressEvent(userId))).status,
      202,
    );
  });
});

Deno.test("without SECRETS_KEY secrets are stored as before: plain", async () => {
  await withTestApp(async (app) => {
    const created = await app.request("/api/webhooks", {
      method: "POST",
      token: TEST_ADMIN_TOKEN,
      json: { url: "http://127.0.0.1:9/hook", eventTypes: ["progress_update"] },
    });
    const { id, secret } = await created.json() as { id: string; secret: string };
    assert.deepEqual(await storedEndpointSecrets(app, id), [secret]);
  });
});
