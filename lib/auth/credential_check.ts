import { findApiTokenByHash, getSessionByHash, getUser } from "./account_store.ts";
import type { Principal } from "./principal.ts";
import { constantTimeEqual, hashSecret } from "./secrets.ts";

/**
 * Whether the credential a principal authenticated with still holds: its session is live and
 * its student still exists, its token is not revoked, or `ADMIN_TOKEN` is still the secret it
 * presented. Long-lived responses (live streams) call it while they run.
 */
export async function credentialAlive(
  deps: { kv: Deno.Kv; adminToken: string | null },
  principal: Principal,
): Promise<boolean> {
  const { kv, adminToken } = deps;
  const hash = principal.credentialHash;
  if (!hash) return false;
  if (principal.via === "admin_token") {
    return adminToken !== null && constantTimeEqual(await hashSecret(adminToken), hash);
  }
  if (principal.via === "token") return (await findApiTokenByHash(kv, hash)) !== null;
  const session = await getSessionByHash(kv, hash);
  return session !== null && (await getUser(kv, session.userId)) !== null;
}
