import { timingSafeEqual } from "node:crypto";
import { sha256Hex } from "../core/content_hash.ts";

/** A new random secret (32 bytes, base64url) with a readable prefix, e.g. `ps_…`. */
export function newSecret(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const text = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-")
    .replaceAll("/", "_").replace(/=+$/, "");
  return `${prefix}${text}`;
}

/** The SHA-256 under which a high-entropy secret is stored (the secret itself never is). */
export function hashSecret(secret: string): Promise<string> {
  return sha256Hex(secret);
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}
