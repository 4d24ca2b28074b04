/**
 * Encryption at rest of stored webhook signing secrets (`SECRETS_KEY`): AES-256-GCM through
 * WebCrypto, stored as `enc:v1:<base64 iv>:<base64 ciphertext>`, with the owning record's name as
 * additional authenticated data so a ciphertext cannot be moved to another record. Values without
 * the prefix are plain secrets written before a key was set: they read as they are.
 */
import { Buffer } from "node:buffer";

/** Prefix of an encrypted stored secret (version 1: AES-256-GCM, 12-byte IV). */
export const SEALED_PREFIX = "enc:v1:";
/** Bytes of a `SECRETS_KEY`. */
export const SECRETS_KEY_BYTES = 32;
const IV_BYTES = 12;

/** Turns stored secrets into plain ones and back. */
export interface SecretBox {
  /** True when `seal` encrypts (a key is set). */
  readonly encrypts: boolean;
  /** The stored form of `secret`, bound to `record` (e.g. an endpoint id); a sealed value is kept as is. */
  seal(secret: string, record: string): Promise<string>;
  /** The plain secret of a stored value bound to `record`; plain values pass through. Throws when it cannot be decrypted. */
  open(stored: string, record: string): Promise<string>;
}

/** True when a stored secret is encrypted. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/**
 * Parses `SECRETS_KEY`: the base64 (standard or URL-safe, padding optional) of exactly 32 bytes.
 * The error never repeats the value.
 */
export function parseSecretsKey(value: string): Uint8Array {
  const text = value.trim();
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, "base64") : null;
  if (bytes === null || bytes.length !== SECRETS_KEY_BYTES) {
    throw new Error(
      `SECRETS_KEY must be the base64 of exactly ${SECRETS_KEY_BYTES} random bytes ` +
        `(make one with: openssl rand -base64 32); the value set (${text.length} characters) is not`,
    );
  }
  return new Uint8Array(bytes);
}

/** A box without a key: secrets are stored plain, and an encrypted one cannot be read. */
export const PLAIN_SECRET_BOX: SecretBox = {
  encrypts: false,
  seal: (secret) => Promise.resolve(secret),
  open(stored) {
    if (!isSealed(stored)) return Promise.resolve(stored);
    return Promise.reject(
      new Error("A stored webhook secret is encrypted but SECRETS_KEY is not set"),
    );
  },
};

/** A box over `key` (from `parseSecretsKey`), or the plain box when null. The key is imported once, on first use. */
export function createSecretBox(key: Uint8Array | null): SecretBox {
  if (key === null) return PLAIN_SECRET_BOX;
  const raw = key.slice();
  let imported: Promise<CryptoKey> | null = null;
  const cryptoKey = () =>
    imported ??= crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  const encoder = new TextEncoder();
  return {
    encrypts: true,
    async seal(secret, record) {
      if (isSealed(secret)) return secret;
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ciphertext = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(record) },
        await cryptoKey(),
        encoder.encode(secret),
      );
      return `${SEALED_PREFIX}${Buffer.from(iv).toString("base64")}:${
        Buffer.from(ciphertext).toString("base64")
      }`;
    },
    async open(stored, record) {
      if (!isSealed(stored)) return stored;
      const [iv, ciphertext] = stored.slice(SEALED_PREFIX.length).split(":");
      try {
        const plain = await crypto.subtle.decrypt(
          {
            name: "AES-GCM",
            iv: Buffer.from(iv ?? "", "base64"),
            additionalData: encoder.encode(record),
          },
          await cryptoKey(),
          Buffer.from(ciphertext ?? "", "base64"),
        );
        return new TextDecoder().decode(plain);
      } catch {
        throw new Error(
          `Could not decrypt the stored webhook secret of ${record}: ` +
            "SECRETS_KEY differs from the one it was written with, or the record was altered",
        );
      }
    },
  };
}
