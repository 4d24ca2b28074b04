/** API token scopes (`tokens:manage`: list, create and revoke the owner's tokens). */
export const SCOPES = [
  "events:write",
  "progress:read",
  "tokens:manage",
  "system",
  "admin",
] as const;

/** An API token scope. */
export type Scope = (typeof SCOPES)[number];

/** Who is calling: a student (by session or token), or the deployment's admin. */
export interface Principal {
  /** The student the caller acts as by default; null for admin and system principals without a user. */
  userId: string | null;
  /** Owner id for the caller's tokens: the user id, or `admin`. */
  ownerId: string;
  scopes: readonly Scope[];
  /** How the caller authenticated. */
  via: "session" | "token" | "admin_token";
  username?: string;
  /** SHA-256 of the session or token secret the caller used, so long requests can re-check it. */
  credentialHash?: string;
  /** The API token's id, when the caller used one. */
  tokenId?: string;
}

/** Scopes a signed-in student has through the session cookie. */
export const SESSION_SCOPES: readonly Scope[] = ["events:write", "progress:read"];

/** True when the principal holds `scope` (admin holds every scope). */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes(scope) || principal.scopes.includes("admin");
}

/** True when the principal may act for any student of the deployment. */
export function actsForAnyUser(principal: Principal): boolean {
  return hasScope(principal, "system");
}

/** True when the principal may list, create and revoke its owner's tokens: a session, `tokens:manage` or admin. */
export function managesTokens(principal: Principal): boolean {
  return principal.via === "session" || hasScope(principal, "tokens:manage");
}
