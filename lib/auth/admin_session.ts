import { adminSessionKey } from "../kv_keys.ts";
import { hashSecret, newSecret } from "./secrets.ts";

/** How long an admin console session lasts. */
export const ADMIN_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** An admin console session (stored under the hash of its cookie secret). */
export interface AdminSession {
  createdAt: string;
  expiresAt: string;
  /** How the admin proved it: the deployment's `ADMIN_TOKEN` or an admin-scoped API token id. */
  via: string;
}

/** Starts an admin console session; returns the cookie secret (stored only hashed). */
export async function createAdminSession(
  kv: Deno.Kv,
  via: string,
  now = Date.now(),
): Promise<string> {
  const secret = newSecret("adm_");
  const session: AdminSession = {
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + ADMIN_SESSION_TTL_MS).toISOString(),
    via,
  };
  await kv.set(adminSessionKey(await hashSecret(secret)), session, {
    expireIn: ADMIN_SESSION_TTL_MS,
  });
  return secret;
}

/** The live admin session for a cookie secret, or null. */
export async function getAdminSession(kv: Deno.Kv, secret: string): Promise<AdminSession | null> {
  const session = (await kv.get<AdminSession>(adminSessionKey(await hashSecret(secret)))).value;
  if (!session || Date.parse(session.expiresAt) <= Date.now()) return null;
  return session;
}

/** Ends an admin console session. */
export async function deleteAdminSession(kv: Deno.Kv, secret: string): Promise<void> {
  await kv.delete(adminSessionKey(await hashSecret(secret)));
}
