/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,<base64 HMAC-SHA256>` over
 * `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded part of a `whsec_` secret.
 * Pure functions: no clock, no KV.
 */
import { Buffer } from "node:buffer";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefix of every webhook signing secret. */
export const SECRET_PREFIX = "whsec_";
/** Random bytes in a new secret (the spec asks for 24 to 64). */
export const SECRET_BYTES = 32;
/** How far a webhook's timestamp may be from our clock, either way (the spec's default). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** A new signing secret: `whsec_` + base64 of `SECRET_BYTES` random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

/** The HMAC key of a secret: the base64-decoded part after `whsec_` (a bare base64 secret works too). */
export function secretKey(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, "base64");
  if (key.length === 0) throw new RangeError("Webhook secret is empty");
  return key;
}

/** One `v1,<base64>` signature of `body` for message `id` sent at `timestampSeconds`. */
export function sign(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac("sha256", secretKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest("base64");
  return `v1,${mac}`;
}

/** The `webhook-signature` header: one `v1,` signature per secret, space-separated (several during a rotation). */
export function signatureHeader(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  return secrets.map((s) => sign(s, id, timestampSeconds, body)).join(" ");
}

/** The three Standard Webhooks headers for one delivery attempt. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signatureHeader(secrets, id, timestampSeconds, body),
  };
}

/** Why a signed request was refused. */
export type VerifyFailure =
  | "missing_headers"
  | "invalid_timestamp"
  | "timestamp_too_old"
  | "timestamp_too_new"
  | "no_matching_signature";

/** The outcome of `verifySignature`. */
export type VerifyResult =
  | { ok: true; id: string; timestampSeconds: number }
  | { ok: false; reason: VerifyFailure };

/**
 * Verifies a signed request: the three headers are present, the timestamp is within `toleranceSeconds`
 * of `nowSeconds`, and some `v1` signature in the header matches one of `secrets` (compared in constant
 * time). `headers` is read case-insensitively through `get`.
 */
export function verifySignature(input: {
  secrets: readonly string[];
  headers: { get(name: string): string | null | undefined };
  body: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): VerifyResult {
  const tolerance = input.toleranceSeconds ?? TIMESTAMP_TOLERANCE_SECONDS;
  const id = input.headers.get("webhook-id");
  const timestamp = input.headers.get("webhook-timestamp");
  const signatures = input.headers.get("webhook-signature");
  if (!id || !timestamp || !signatures) return { ok: false, reason: "missing_headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "invalid_timestamp" };
  const seconds = Number(timestamp);
  if (input.nowSeconds - seconds > tolerance) return { ok: false, reason: "timestamp_too_old" };
  if (seconds - input.nowSeconds > tolerance) return { ok: false, reason: "timestamp_too_new" };
  const offered = signatures.split(" ").flatMap((entry) => {
    const [version, value] = entry.split(",", 2);
    return version === "v1" && value ? [Buffer.from(value)] : [];
  });
  for (const secret of input.secrets) {
    const expected = Buffer.from(sign(secret, id, seconds, input.body).slice(3));
    for (const candidate of offered) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        return { ok: true, id, timestampSeconds: seconds };
      }
    }
  }
  return { ok: false, reason: "no_matching_signature" };
}

/**
 * The `webhook-id` of the message a notification becomes: a hash of who it is for, its type, the
 * event that caused it and its ordinal among that event's messages of the type. The same message
 * gets the same id wherever and however often it is derived, so retries and replays never sign it
 * under another id.
 */
export function webhookMessageId(parts: {
  userId: string;
  type: string;
  sourceId: string;
  ordinal: number;
}): string {
  const digest = createHash("sha256")
    .update(`${parts.userId}\u0000${parts.type}\u0000${parts.sourceId}\u0000${parts.ordinal}`)
    .digest("base64url");
  return `msg_${digest.slice(0, 27)}`;
}
