import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import {
  newWebhookSecret,
  sign,
  signatureHeader,
  verifySignature,
  webhookHeaders,
  webhookMessageId,
} from "./signing.ts";

/**
 * The known-answer example of the Standard Webhooks reference library's test suite
 * (standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works").
 */
const SPEC = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

function headers(record: Record<string, string>) {
  const map = new Headers(record);
  return { get: (name: string) => map.get(name) };
}

Deno.test("sign reproduces the Standard Webhooks published known-answer signature", () => {
  assert.equal(sign(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body), SPEC.signature);
});

Deno.test("the standardwebhooks library verifies our signature headers", () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({
    type: "progress_update",
    timestamp: "2026-11-20T10:00:00.000Z",
    data: { a: 1 },
  });
  const now = Math.floor(Date.now() / 1000);
  const sent = webhookHeaders([secret], "msg_abc", now, body);
  assert.deepEqual(new Webhook(secret).verify(body, sent), JSON.parse(body));
  assert.throws(() => new Webhook(secret).verify(`${body} `, sent));
  assert.throws(() => new Webhook(newWebhookSecret()).verify(body, sent));
});

Deno.test("our signature equals an independent HMAC-SHA256 over id.timestamp.body with the decoded key", () => {
  const secret = newWebhookSecret();
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key).update("msg_1.1700000000.{}").digest("base64");
  assert.equal(sign(secret, "msg_1", 1700000000, "{}"), `v1,${expected}`);
});

Deno.test("new secrets are whsec_ plus base64 of 32 random bytes, never repeated", () => {
  const a = newWebhookSecret();
  const b = newWebhookSecret();
  assert.match(a, /^whsec_[A-Za-z0-9+/]+=*$/);
  assert.equal(Buffer.from(a.slice(6), "base64").length, 32);
  assert.notEqual(a, b);
});

Deno.test("during a rotation the header carries one signature per secret and either secret verifies", () => {
  const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
  const now = Math.floor(Date.now() / 1000);
  const header = signatureHeader([newSecret, oldSecret], "msg_r", now, "{}");
  assert.equal(header.split(" ").length, 2);
  const sent = {
    "webhook-id": "msg_r",
    "webhook-timestamp": String(now),
    "webhook-signature": header,
  };
  new Webhook(oldSecret).verify("{}", sent);
  new Webhook(newSecret).verify("{}", sent);
});

Deno.test("verifySignature accepts the spec example at its own time and refuses every tampering", () => {
  const good = {
    "webhook-id": SPEC.id,
    "webhook-timestamp": String(SPEC.timestamp),
    "webhook-signature": `v1,bad v2,x ${SPEC.signature}`,
  };
  const check = (h: Record<string, string>, body = SPEC.body, now = SPEC.timestamp) =>
    verifySignature({ secrets: [SPEC.secret], headers: headers(h), body, nowSeconds: now });
  assert.deepEqual(check(good), { ok: true, id: SPEC.id, timestampSeconds: SPEC.timestamp });
  assert.deepEqual(check(good, `${SPEC.body} `), { ok: false, reason: "no_matching_signature" });
  assert.deepEqual(check(good, SPEC.body, SPEC.timestamp + 301), {
    ok: false,
    reason: "timestamp_too_old",
  });
  assert.deepEqual(check(good, SPEC.body, SPEC.timestamp - 301), {
    ok: false,
    reason: "timestamp_too_new",
  });
  assert.deepEqual(check({ ...good, "webhook-id": "msg_other" }), {
    ok: false,
    reason: "no_matching_signature",
  });
  assert.deepEqual(check({ ...good, "webhook-timestamp": "soon" }), {
    ok: false,
    reason: "invalid_timestamp",
  });
  const { "webhook-signature": _dropped, ...unsigned } = good;
  assert.deepEqual(check(unsigned), { ok: false, reason: "missing_headers" });
});

Deno.test("webhookMessageId is the same for the same message and differs per user, type, event and ordinal", () => {
  const base = { userId: "u1", type: "progress_update", sourceId: "e1", ordinal: 0 };
  const id = webhookMessageId(base);
  assert.match(id, /^msg_[A-Za-z0-9_-]{27}$/);
  assert.equal(webhookMessageId({ ...base }), id);
  for (
    const change of [{ userId: "u2" }, { type: "achievement_earned" }, { sourceId: "e2" }, {
      ordinal: 1,
    }]
  ) {
    assert.notEqual(webhookMessageId({ ...base, ...change }), id);
  }
});
