import { adminSessionKey } from "../kv_keys.ts";
import { credentialAlive } from "./credential_check.ts";
import { hashSecret, newSecret } from "./secrets.ts";

/** How long an admin console session lasts. */
export const ADMIN_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** How an admin proved it: the deployment's `ADMIN_TOKEN`, or an admin-scoped API token. */
export interface AdminProof {
  /** `ADMIN_TOKEN` or `token:<id>` (shown in the audit log). */
  via: string;
  /** SHA-256 of the secret pasted, so each request can check it still holds. */
  hash: string;
}

/** An admin console session (stored under the hash of its cookie secret). */
export interface AdminSession {
  createdAt: string;
  expiresAt: string;
  /** How the admin proved it: the deployment's `ADMIN_TOKEN` or an admin-scoped API token id. */
  via: string;
  /** SHA-256 of the credential it was made with; the session dies with that credential. */
  proofHash: string;
}

/** Starts an admin console session; returns the cookie secret (stored only hashed). */
export async function createAdminSession(
  kv: Deno.Kv,
  proof: AdminProof,
  now = Date.now(),
): Promise<string> {
  const secret = newSecret("adm_");
  const session: AdminSession = {
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ADMIN_SESSION_TTL_MS).toISOString(),
    via: proof.via,
    proofHash: proof.hash,
  };
  await kv.set(adminSessionKey(await hashSecret(secret)), session, {
    expireIn: ADMIN_SESSION_TTL_MS,
  });
  return secret;
}

/**
 * The live admin session for a cookie secret, or null: unknown, expired, or the credential it
 * was made with is gone (the API token revoked, `ADMIN_TOKEN` changed; the session is then ended).
 */
export async function getAdminSession(
  deps: { kv: Deno.Kv; adminToken: string | null },
  secret: string,
): Promise<AdminSession | null> {
  const key = adminSessionKey(await hashSecret(secret));
  const session = (await deps.kv.get<AdminSession>(key)).value;
  if (!session || Date.parse(session.expiresAt) <= Date.now()) return null;
  const alive = await credentialAlive(deps, {
    userId: null,
    ownerId: "admin",
    scopes: ["admin"],
    via: session.via === "ADMIN_TOKEN" ? "admin_token" : "token",
    credentialHash: session.proofHash,
  });
  if (alive) return session;
  await deps.kv.delete(key);
  return null;
}

/** Ends an admin console session. */
export async function deleteAdminSession(kv: Deno.Kv, secret: string): Promise<void> {
  await kv.delete(adminSessionKey(await hashSecret(secret)));
}
