import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  createSecretBox,
  isSealed,
  parseSecretsKey,
  PLAIN_SECRET_BOX,
  SEALED_PREFIX,
} from "./secret_box.ts";

const keyOf = (fill: number) => new Uint8Array(32).fill(fill);
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

Deno.test("a sealed secret is self-describing ciphertext that opens to the secret", async () => {
  const box = createSecretBox(keyOf(7));
  const sealed = await box.seal(SECRET, "ep_1");
  assert.match(sealed, /^enc:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  assert.ok(!sealed.includes(SECRET.slice(6)));
  assert.equal(Buffer.from(sealed.split(":")[2]!, "base64").length, 12, "a 12-byte IV");
  assert.notEqual(await box.seal(SECRET, "ep_1"), sealed, "a fresh IV every time");
  assert.equal(await box.open(sealed, "ep_1"), SECRET);
  assert.equal(await box.seal(sealed, "ep_1"), sealed, "sealing twice keeps it");
});

Deno.test("another key cannot open a sealed secret", async () => {
  const sealed = await createSecretBox(keyOf(7)).seal(SECRET, "ep_1");
  await assert.rejects(createSecretBox(keyOf(8)).open(sealed, "ep_1"), /Could not decrypt/);
});

Deno.test("a tampered ciphertext or IV does not open", async () => {
  const box = createSecretBox(keyOf(7));
  const sealed = await box.seal(SECRET, "ep_1");
  const [iv, ciphertext] = sealed.slice(SEALED_PREFIX.length).split(":") as [string, string];
  const flipped = Buffer.from(ciphertext, "base64");
  flipped[0]! ^= 1;
  const badIv = Buffer.from(iv, "base64");
  badIv[0]! ^= 1;
  for (
    const tampered of [
      `${SEALED_PREFIX}${iv}:${flipped.toString("base64")}`,
      `${SEALED_PREFIX}${badIv.toString("base64")}:${ciphertext}`,
      `${SEALED_PREFIX}${iv}`,
      `${SEALED_PREFIX}${iv}:${ciphertext.slice(0, -8)}`,
    ]
  ) {
    await assert.rejects(box.open(tampered, "ep_1"), /Could not decrypt/);
  }
});

Deno.test("a ciphertext moved to another record does not open (the record is its AAD)", async () => {
  const box = createSecretBox(keyOf(7));
  const sealed = await box.seal(SECRET, "endpoint:ep_1");
  await assert.rejects(box.open(sealed, "endpoint:ep_2"), /Could not decrypt/);
});

Deno.test("plain legacy values pass through, with a key or without", async () => {
  assert.equal(await createSecretBox(keyOf(7)).open(SECRET, "ep_1"), SECRET);
  assert.equal(await PLAIN_SECRET_BOX.open(SECRET, "ep_1"), SECRET);
  assert.equal(await PLAIN_SECRET_BOX.seal(SECRET, "ep_1"), SECRET);
  assert.equal(createSecretBox(null), PLAIN_SECRET_BOX);
  assert.ok(!isSealed(SECRET));
});

Deno.test("without a key an encrypted secret is refused, not used as is", async () => {
  const sealed = await createSecretBox(keyOf(7)).seal(SECRET, "ep_1");
  await assert.rejects(PLAIN_SECRET_BOX.open(sealed, "ep_1"), /SECRETS_KEY is not set/);
});

Deno.test("errors never carry the secret or the key", async () => {
  const key = keyOf(7);
  const box = createSecretBox(key);
  const sealed = await box.seal(SECRET, "ep_1");
  const error = await box.open(sealed, "ep_2").catch((e: Error) => e);
  assert.ok(error instanceof Error);
  for (const leak of [SECRET, Buffer.from(key).toString("base64"), sealed]) {
    assert.ok(!error.message.includes(leak));
  }
});

Deno.test("parseSecretsKey takes base64 of exactly 32 bytes and never echoes a bad value", () => {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const standard = Buffer.from(key).toString("base64");
  assert.deepEqual(parseSecretsKey(standard), key);
  assert.deepEqual(parseSecretsKey(` ${standard}\n`), key);
  assert.deepEqual(parseSecretsKey(Buffer.from(key).toString("base64url")), key);
  const tooShort = Buffer.from(key.slice(0, 16)).toString("base64");
  const passphrase = "correct horse battery staple, but long enough";
  for (const bad of ["", tooShort, `${standard}AAAA`, passphrase, `${standard.slice(0, -2)}!=`]) {
    assert.throws(
      () => parseSecretsKey(bad),
      (error: Error) =>
        /SECRETS_KEY must be the base64 of exactly 32/.test(error.message) &&
        (bad.length < 4 || !error.message.includes(bad.trim())),
    );
  }
});
