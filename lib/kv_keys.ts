/** Every Deno KV key the service uses, named in one place. */

/** The immutable event `eventId` of `userId` (with its content hash). */
export function eventKey(userId: string, eventId: string): Deno.KvKey {
  return ["events", userId, eventId];
}

/** Prefix of a user's log in commit order; entries hold event ids. */
export function eventsByUserPrefix(userId: string): Deno.KvKey {
  return ["events_by_user", userId];
}

/** Prefix of the processed events of one activity of one user; entries hold event ids. */
export function eventsByActivityPrefix(
  userId: string,
  activityId: string,
): Deno.KvKey {
  return ["events_by_activity", userId, activityId];
}

/** Present while an event of `userId` waits to be processed; `seq` orders a user's entries by arrival. */
export function outboxKey(userId: string, seq: string): Deno.KvKey {
  return ["outbox", userId, seq];
}

/** Prefix of every pending outbox entry, or of one user's. */
export function outboxPrefix(userId?: string): Deno.KvKey {
  return userId === undefined ? ["outbox"] : ["outbox", userId];
}

/** The processing result of one event. */
export function resultKey(userId: string, eventId: string): Deno.KvKey {
  return ["results", userId, eventId];
}

/** The reduced state of one activity for one user. */
export function activityStateKey(
  userId: string,
  activityId: string,
): Deno.KvKey {
  return ["activity_states", userId, activityId];
}

/** Prefix of every activity state of one user. */
export function activityStatesPrefix(userId: string): Deno.KvKey {
  return ["activity_states", userId];
}

/** The user's aggregate progress projection. */
export function summaryKey(userId: string): Deno.KvKey {
  return ["summaries", userId];
}

/** Prefix of what live clients of `userId` receive, in commit order. */
export function notificationsPrefix(userId: string): Deno.KvKey {
  return ["notifications", userId];
}

/** Wake-up marker set in every commit that appends a notification for `userId`. */
export function notificationsUpdatedKey(userId: string): Deno.KvKey {
  return ["notifications_updated", userId];
}

/** A user account. */
export function userKey(userId: string): Deno.KvKey {
  return ["users", userId];
}

/** Unique index from a normalised username to its user id. */
export function userByUsernameKey(username: string): Deno.KvKey {
  return ["users_by_username", username];
}

/** A browser session, keyed by the SHA-256 of its secret. */
export function sessionKey(sessionHash: string): Deno.KvKey {
  return ["sessions", sessionHash];
}

/** An API token, keyed by the SHA-256 of its secret. */
export function apiTokenKey(tokenHash: string): Deno.KvKey {
  return ["api_tokens", tokenHash];
}

/** Index of a principal's tokens by id; entries hold the token hash. */
export function apiTokenByOwnerKey(ownerId: string, tokenId: string): Deno.KvKey {
  return ["api_tokens_by_owner", ownerId, tokenId];
}

/** Prefix of a principal's token index. */
export function apiTokensByOwnerPrefix(ownerId: string): Deno.KvKey {
  return ["api_tokens_by_owner", ownerId];
}

/** Recent failed sign-ins for a username (expires). */
export function loginFailuresKey(username: string): Deno.KvKey {
  return ["login_failures", username];
}

/** Marker that demo data was loaded. */
export function demoSeededKey(): Deno.KvKey {
  return ["demo_seeded"];
}

/** A catalog activity (global to the deployment). */
export function catalogActivityKey(activityId: string): Deno.KvKey {
  return ["catalog_activities", activityId];
}

/** A learning path (global). */
export function pathKey(pathId: string): Deno.KvKey {
  return ["paths", pathId];
}

/** Index from an activity to the paths that include it; entries hold the path id. */
export function pathByActivityKey(activityId: string, pathId: string): Deno.KvKey {
  return ["paths_by_activity", activityId, pathId];
}

/** Prefix of the paths that include an activity. */
export function pathsByActivityPrefix(activityId: string): Deno.KvKey {
  return ["paths_by_activity", activityId];
}

/** Paths a student has progress in; entries hold the path id. */
export function userPathKey(userId: string, pathId: string): Deno.KvKey {
  return ["user_paths", userId, pathId];
}

/** Prefix of the paths a student has progress in. */
export function userPathsPrefix(userId: string): Deno.KvKey {
  return ["user_paths", userId];
}

/** A student's item in another system (todo, schedule entry); item ids are global. */
export function itemKey(itemId: string): Deno.KvKey {
  return ["items", itemId];
}

/** Index of a student's items; entries hold the item id. */
export function itemByUserKey(userId: string, itemId: string): Deno.KvKey {
  return ["items_by_user", userId, itemId];
}

/** Prefix of a student's items. */
export function itemsByUserPrefix(userId: string): Deno.KvKey {
  return ["items_by_user", userId];
}

/** Index from a student's activity to the items tracking it; entries hold the item id. */
export function itemByActivityKey(userId: string, activityId: string, itemId: string): Deno.KvKey {
  return ["items_by_activity", userId, activityId, itemId];
}

/** Prefix of the items of a student tracking an activity. */
export function itemsByActivityPrefix(userId: string, activityId: string): Deno.KvKey {
  return ["items_by_activity", userId, activityId];
}

/** The derived state of a student's item. */
export function itemStateKey(userId: string, itemId: string): Deno.KvKey {
  return ["item_states", userId, itemId];
}
