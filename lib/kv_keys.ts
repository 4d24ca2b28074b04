/**
 * Every Deno KV key the service uses, named in one place.
 *
 * Longer than 400 lines on purpose: the design keeps every key in one module, so that a
 * reader sees the whole keyspace (and its prefixes) at once.
 */

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

/** The parts of a user's summary derived from many projections, with the versions they were read at. */
export function derivedViewKey(userId: string): Deno.KvKey {
  return ["derived_views", userId];
}

/** One chunk of a user's stored derived parts (`id` is fresh for each write). */
export function derivedViewChunkKey(userId: string, id: string, index: number): Deno.KvKey {
  return ["derived_view_chunks", userId, id, index];
}

/** Rewritten in every commit that changes a user's tracked items (its versionstamp is the version). */
export function itemsVersionKey(userId: string): Deno.KvKey {
  return ["items_version", userId];
}

/** Rewritten in every commit that changes the catalog's activities or paths. */
export function catalogVersionKey(): Deno.KvKey {
  return ["catalog_version"];
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

/** Rewritten with every token a principal creates, so two creations cannot both pass the cap. */
export function apiTokensVersionKey(ownerId: string): Deno.KvKey {
  return ["api_tokens_version", ownerId];
}

/** Recent failed sign-ins of one throttle key: `["pair", address, username]`, `["address", address]` or `["admin", address]` (expires). */
export function signInFailuresKey(parts: readonly string[]): Deno.KvKey {
  return ["sign_in_failures", ...parts];
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

/** An outbound webhook endpoint (with its signing secrets). */
export function webhookEndpointKey(endpointId: string): Deno.KvKey {
  return ["webhook_endpoints", endpointId];
}

/** Prefix of every webhook endpoint. */
export function webhookEndpointsPrefix(): Deno.KvKey {
  return ["webhook_endpoints"];
}

/** Changes whenever any endpoint changes; processing commits check it so fan-out never misses a new endpoint. */
export function webhookEndpointsVersionKey(): Deno.KvKey {
  return ["webhook_endpoints_version"];
}

/** Delivery figures of one endpoint (successes, failures, dead letters, failing since). */
export function webhookEndpointHealthKey(endpointId: string): Deno.KvKey {
  return ["webhook_endpoint_health", endpointId];
}

/** One message to deliver to one endpoint; `deliveryId` is its `webhook-id`. */
export function webhookDeliveryKey(endpointId: string, deliveryId: string): Deno.KvKey {
  return ["webhook_deliveries", endpointId, deliveryId];
}

/** Prefix of an endpoint's deliveries. */
export function webhookDeliveriesPrefix(endpointId: string): Deno.KvKey {
  return ["webhook_deliveries", endpointId];
}

/** An endpoint's deliveries in creation order (`seq` is a ULID); entries hold delivery ids. */
export function webhookDeliveryBySeqKey(endpointId: string, seq: string): Deno.KvKey {
  return ["webhook_deliveries_by_seq", endpointId, seq];
}

/** Prefix of an endpoint's deliveries in creation order. */
export function webhookDeliveriesBySeqPrefix(endpointId: string): Deno.KvKey {
  return ["webhook_deliveries_by_seq", endpointId];
}

/** A delivery due at `dueAtMs` (epoch ms); the worker lists these in time order. */
export function webhookDeliveryDueKey(
  dueAtMs: number,
  endpointId: string,
  deliveryId: string,
): Deno.KvKey {
  return ["webhook_deliveries_due", dueAtMs, endpointId, deliveryId];
}

/** Prefix of every due delivery. */
export function webhookDeliveriesDuePrefix(): Deno.KvKey {
  return ["webhook_deliveries_due"];
}

/** One attempt to deliver one message (expires). */
export function webhookAttemptKey(
  endpointId: string,
  deliveryId: string,
  attempt: number,
): Deno.KvKey {
  return ["webhook_attempts", endpointId, deliveryId, attempt];
}

/** Prefix of one delivery's attempts, or of an endpoint's. */
export function webhookAttemptsPrefix(endpointId: string, deliveryId?: string): Deno.KvKey {
  return deliveryId === undefined
    ? ["webhook_attempts", endpointId]
    : ["webhook_attempts", endpointId, deliveryId];
}

/** A dead letter of an endpoint, in creation order of the delivery; entries hold delivery ids. */
export function webhookDeadLetterKey(endpointId: string, seq: string): Deno.KvKey {
  return ["webhook_dead_letters", endpointId, seq];
}

/** Prefix of an endpoint's dead letters. */
export function webhookDeadLettersPrefix(endpointId: string): Deno.KvKey {
  return ["webhook_dead_letters", endpointId];
}

/** The secrets a system signs its inbound webhooks with. */
export function inboundSecretKey(system: string): Deno.KvKey {
  return ["inbound_webhook_secrets", system];
}

/** Prefix of every inbound webhook secret. */
export function inboundSecretsPrefix(): Deno.KvKey {
  return ["inbound_webhook_secrets"];
}

/** A `webhook-id` already received from `system` (expires after the replay window). */
export function inboundWebhookIdKey(system: string, webhookId: string): Deno.KvKey {
  return ["inbound_webhook_ids", system, webhookId];
}

/** One audit log entry; ids are ULIDs, so the log lists in time order. */
export function auditLogKey(entryId: string): Deno.KvKey {
  return ["audit_log", entryId];
}

/** Prefix of the audit log. */
export function auditLogPrefix(): Deno.KvKey {
  return ["audit_log"];
}

/** A per-source-system figure (a `Deno.KvU64` kept with `sum`/`max`). */
export function syncSystemStatKey(system: string, stat: string): Deno.KvKey {
  return ["sync_system_stats", system, stat];
}

/** Prefix of every per-source-system figure. */
export function syncSystemStatsPrefix(): Deno.KvKey {
  return ["sync_system_stats"];
}

/** An admin console session, keyed by the SHA-256 of its cookie secret. */
export function adminSessionKey(sessionHash: string): Deno.KvKey {
  return ["admin_sessions", sessionHash];
}

/** The outcome of the latest consistency check (repair run). */
export function lastConsistencyCheckKey(): Deno.KvKey {
  return ["consistency_checks", "last"];
}

/** A browser's learning-progress event (seed 001) as received, with its content hash. */
export function clientEventKey(userId: string, eventId: string): Deno.KvKey {
  return ["client_events", userId, eventId];
}

/** Prefix of a user's learning-progress events in commit order; entries hold event ids. */
export function clientEventsByUserPrefix(userId: string): Deno.KvKey {
  return ["client_events_by_user", userId];
}

/** A `progress.reset` of a user's browser events; the entry holds its `occurredAt`. */
export function clientResetKey(userId: string, eventId: string): Deno.KvKey {
  return ["client_resets", userId, eventId];
}

/** Prefix of a user's `progress.reset` events. */
export function clientResetsPrefix(userId: string): Deno.KvKey {
  return ["client_resets", userId];
}

/** The learning-progress snapshot of a user's browser events, with the log cursor it reflects. */
export function clientSnapshotKey(userId: string): Deno.KvKey {
  return ["client_snapshots", userId];
}

/** Prefix of every stored event of one user, or of every user. */
export function eventsPrefix(userId?: string): Deno.KvKey {
  return userId === undefined ? ["events"] : ["events", userId];
}

/** Prefix of the processing results of one user. */
export function resultsPrefix(userId: string): Deno.KvKey {
  return ["results", userId];
}

/** Prefix of one user's per-activity event index (every activity). */
export function eventsByActivityUserPrefix(userId: string): Deno.KvKey {
  return ["events_by_activity", userId];
}

/** An achievement a student earned. */
export function achievementKey(userId: string, achievementId: string): Deno.KvKey {
  return ["achievements", userId, achievementId];
}

/** Prefix of a student's achievements. */
export function achievementsPrefix(userId: string): Deno.KvKey {
  return ["achievements", userId];
}

/** The facts a student's achievements are decided on. */
export function achievementFactsKey(userId: string): Deno.KvKey {
  return ["achievement_facts", userId];
}

/** The first event that completed a path step for a student (a log position; never removed). */
export function stepCompletionKey(userId: string, activityId: string): Deno.KvKey {
  return ["step_completions", userId, activityId];
}

/** Index of achievements their students made public; entries hold `true`. */
export function publicAchievementKey(userId: string, achievementId: string): Deno.KvKey {
  return ["public_achievements", userId, achievementId];
}

/** Prefix of the public achievements index. */
export function publicAchievementsPrefix(): Deno.KvKey {
  return ["public_achievements"];
}

/** A public link to an achievement, by its unguessable share id (kept, marked revoked, once private). */
export function achievementShareKey(shareId: string): Deno.KvKey {
  return ["achievement_shares", shareId];
}

/** The share id of a student's achievement while it is public. */
export function achievementShareByAwardKey(userId: string, achievementId: string): Deno.KvKey {
  return ["achievement_shares_by_award", userId, achievementId];
}

/** Prefix of a student's current share ids. */
export function achievementSharesByAwardPrefix(userId: string): Deno.KvKey {
  return ["achievement_shares_by_award", userId];
}

/** A conflict between a student's reports (see `lib/conflicts`); ids derive from the events involved. */
export function conflictKey(userId: string, conflictId: string): Deno.KvKey {
  return ["conflicts", userId, conflictId];
}

/** Prefix of every conflict of a student, resolved or not. */
export function conflictsPrefix(userId: string): Deno.KvKey {
  return ["conflicts", userId];
}

/** Present while a student's conflict waits for a decision; holds its detection time. */
export function openConflictKey(userId: string, conflictId: string): Deno.KvKey {
  return ["conflicts_open", userId, conflictId];
}

/** Prefix of a student's unresolved conflicts. */
export function openConflictsPrefix(userId: string): Deno.KvKey {
  return ["conflicts_open", userId];
}

/** Index from a catalog activity's registered xAPI IRI to its id. */
export function catalogActivityByIriKey(iri: string): Deno.KvKey {
  return ["catalog_activities_by_iri", iri];
}

/** An xAPI statement as the LRS stored it (with its content hash and stored order). */
export function xapiStatementKey(statementId: string): Deno.KvKey {
  return ["xapi_statements", statementId];
}

/** The LRS's statements in stored order (`seq` is a ULID of the stored time); entries hold ids. */
export function xapiStatementByStoredKey(seq: string): Deno.KvKey {
  return ["xapi_statements_by_stored", seq];
}

/** Prefix of the statements in stored order. */
export function xapiStatementsByStoredPrefix(): Deno.KvKey {
  return ["xapi_statements_by_stored"];
}

/** Present when a statement is voided; holds the id of the voiding statement. */
export function xapiVoidedKey(statementId: string): Deno.KvKey {
  return ["xapi_voided", statementId];
}

/** The first key part of the tables an erasure treats specially. */
export const TABLES = {
  apiTokens: "api_tokens",
  webhookDeliveries: "webhook_deliveries",
  usersByUsername: "users_by_username",
  signInFailures: "sign_in_failures",
  xapiStatements: "xapi_statements",
  /** Tables whose entries name a webhook delivery by id (in the key or as the value). */
  deliveryIndexes: [
    "webhook_deliveries_by_seq",
    "webhook_deliveries_due",
    "webhook_dead_letters",
    "webhook_attempts",
  ],
} as const;

/** An xAPI attachment's content type and chunk count, by its SHA-2 (lower-case hex). */
export function xapiAttachmentKey(sha2: string): Deno.KvKey {
  return ["xapi_attachments", sha2];
}

/** Chunk `index` of an xAPI attachment's content. */
export function xapiAttachmentChunkKey(sha2: string, index: number): Deno.KvKey {
  return ["xapi_attachment_chunks", sha2, index];
}

/** Prefix of an xAPI attachment's chunks. */
export function xapiAttachmentChunksPrefix(sha2: string): Deno.KvKey {
  return ["xapi_attachment_chunks", sha2];
}

/** Part `index` of a key read back from KV (negative counts from the end); throws unless a string. */
export function keyString(key: Deno.KvKey, index: number): string {
  const part = key.at(index);
  if (typeof part !== "string") {
    throw new TypeError(`Key part ${index} of ${JSON.stringify(key)} is not a string`);
  }
  return part;
}
