import { apiTokenKey, sessionKey, userKey } from "../kv_keys.ts";
import { findApiTokenByHash, getSessionByHash, getUser, type Session } from "./account_store.ts";
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

/** The KV keys a principal's credential lives in, and how to tell from them that it holds. */
export interface CredentialWatch {
  /** Watched beside a stream's own key, so revocation, sign-out or deletion wakes it at once. */
  keys: Deno.KvKey[];
  /** True while the entries (in `keys` order, as a watch reports them) show a live credential. */
  holds(entries: readonly Deno.KvEntryMaybe<unknown>[], nowMs: number): boolean;
}

/**
 * What to watch for a principal's credential: the token's record; the session's and its student's
 * records. Null for the admin token (held in memory, checked by `credentialAlive`) and for a
 * principal without a credential hash.
 */
export function credentialWatch(principal: Principal): CredentialWatch | null {
  const hash = principal.credentialHash;
  if (!hash || principal.via === "admin_token") return null;
  if (principal.via === "token") {
    return {
      keys: [apiTokenKey(hash)],
      holds: ([token]) => token?.value != null,
    };
  }
  if (principal.userId === null) return null;
  return {
    keys: [sessionKey(hash), userKey(principal.userId)],
    holds: ([session, user], nowMs) => {
      const value = session?.value as Session | null | undefined;
      return !!value && Date.parse(value.expiresAt) > nowMs && user?.value != null &&
        value.userId === principal.userId;
    },
  };
}
