/**
 * Client-only sync metadata (seed 001 §4.5) and its transitions: pure functions over plain data,
 * so the browser's sync engine stays a thin shell around them.
 */

/** Where one event stands: only on this device, being sent, on the server, or failed. */
export type LearningSyncStatus = "synced" | "local" | "syncing" | "error";

/** Sync metadata of one event. */
export interface LearningProgressSyncEntry {
  status: LearningSyncStatus;
  lastAttemptAt: string | null;
  lastSyncedAt: string | null;
  retryCount: number;
  errorMessage?: string;
}

/** Sync metadata of a user's local log (stored under `learning_progress_sync:{userId}`). */
export interface LearningProgressSyncState {
  version: 1;
  events: Record<string, LearningProgressSyncEntry>;
  lastSuccessfulSyncAt: string | null;
  lastSyncedCursor: string | null;
}

/** Automatic retries after the first failed attempt (seed 001). */
export const MAX_RETRIES = 4;
/** Wait before each automatic retry, by retry number (seed 001). */
export const RETRY_DELAYS = [1000, 5000, 15000, 60000] as const;
/** A `syncing` entry older than this belongs to a sync that was cut off (a closed tab): it is sent again. */
export const SYNCING_STALE_MS = 30_000;

/** Metadata with no events. */
export function emptySyncState(): LearningProgressSyncState {
  return { version: 1, events: {}, lastSuccessfulSyncAt: null, lastSyncedCursor: null };
}

function update(
  state: LearningProgressSyncState,
  ids: readonly string[],
  change: (entry: LearningProgressSyncEntry | undefined) => LearningProgressSyncEntry,
): LearningProgressSyncState {
  const events = { ...state.events };
  for (const id of ids) events[id] = change(events[id]);
  return { ...state, events };
}

/** Marks new local events `local`. */
export function markLocal(
  state: LearningProgressSyncState,
  ids: readonly string[],
): LearningProgressSyncState {
  return update(state, ids, () => ({
    status: "local",
    lastAttemptAt: null,
    lastSyncedAt: null,
    retryCount: 0,
  }));
}

/** Marks events that came from the server `synced` (keeping entries already synced). */
export function markRemote(
  state: LearningProgressSyncState,
  ids: readonly string[],
  now: string,
): LearningProgressSyncState {
  return update(
    state,
    ids,
    (entry) =>
      entry?.status === "synced" ? entry : {
        status: "synced",
        lastAttemptAt: entry?.lastAttemptAt ?? null,
        lastSyncedAt: now,
        retryCount: 0,
      },
  );
}

/** The delay before automatic retry number `retryCount` (1-based), or null once retries are used up. */
export function retryDelay(retryCount: number): number | null {
  if (retryCount < 1 || retryCount > MAX_RETRIES) return null;
  return RETRY_DELAYS[retryCount - 1] ?? null;
}

/**
 * Ids to send now: `local` events, `error` events whose backoff has elapsed (at most
 * `MAX_RETRIES` retries), stale `syncing` ones, and with `manual` every `error` event.
 */
export function eligibleForSync(
  state: LearningProgressSyncState,
  now: number,
  options: { manual?: boolean } = {},
): string[] {
  const ids: string[] = [];
  for (const [id, entry] of Object.entries(state.events)) {
    if (entry.status === "local") ids.push(id);
    else if (entry.status === "syncing") {
      if (
        entry.lastAttemptAt === null || now - Date.parse(entry.lastAttemptAt) >= SYNCING_STALE_MS
      ) {
        ids.push(id);
      }
    } else if (entry.status === "error") {
      if (options.manual) ids.push(id);
      else {
        const delay = retryDelay(entry.retryCount);
        const last = entry.lastAttemptAt === null ? 0 : Date.parse(entry.lastAttemptAt);
        if (delay !== null && now - last >= delay) ids.push(id);
      }
    }
  }
  return ids;
}

/** Moves events to `syncing` (seed 001: `startSync`). */
export function startSync(
  state: LearningProgressSyncState,
  ids: readonly string[],
  now: string,
): LearningProgressSyncState {
  return update(state, ids, (entry) => ({
    status: "syncing",
    lastAttemptAt: now,
    lastSyncedAt: entry?.lastSyncedAt ?? null,
    retryCount: entry?.retryCount ?? 0,
  }));
}

/** Marks sent events `synced` (seed 001: `finishSyncSuccess`); `cursor` when the pull finished too. */
export function finishSyncSuccess(
  state: LearningProgressSyncState,
  ids: readonly string[],
  now: string,
  cursor?: string,
): LearningProgressSyncState {
  const next = update(state, ids, (entry) => ({
    status: "synced",
    lastAttemptAt: entry?.lastAttemptAt ?? now,
    lastSyncedAt: now,
    retryCount: 0,
  }));
  return {
    ...next,
    lastSuccessfulSyncAt: now,
    lastSyncedCursor: cursor ?? next.lastSyncedCursor,
  };
}

/**
 * Marks events `error` and counts the failure (seed 001: `finishSyncFailure`). A permanent
 * failure (a 4xx) uses up the retries at once: it waits for a manual retry.
 */
export function finishSyncFailure(
  state: LearningProgressSyncState,
  ids: readonly string[],
  now: string,
  message: string,
  options: { permanent?: boolean } = {},
): LearningProgressSyncState {
  return update(state, ids, (entry) => ({
    status: "error",
    lastAttemptAt: now,
    lastSyncedAt: entry?.lastSyncedAt ?? null,
    retryCount: options.permanent ? MAX_RETRIES + 1 : (entry?.retryCount ?? 0) + 1,
    errorMessage: message,
  }));
}

/** Returns events to `local` without counting a failure (the device went offline). */
export function returnToLocal(
  state: LearningProgressSyncState,
  ids: readonly string[],
): LearningProgressSyncState {
  return update(state, ids, (entry) => ({
    status: "local",
    lastAttemptAt: entry?.lastAttemptAt ?? null,
    lastSyncedAt: entry?.lastSyncedAt ?? null,
    retryCount: entry?.retryCount ?? 0,
  }));
}

/** A manual retry: every `error` event becomes `local` with its retries restored. */
export function retryFailed(state: LearningProgressSyncState): LearningProgressSyncState {
  const ids = Object.entries(state.events).filter(([, e]) => e.status === "error").map(([id]) =>
    id
  );
  return update(state, ids, (entry) => ({
    status: "local",
    lastAttemptAt: entry?.lastAttemptAt ?? null,
    lastSyncedAt: entry?.lastSyncedAt ?? null,
    retryCount: 0,
  }));
}

/** After a restart: a sync that was in flight never finished, so its events are `local` again. */
export function recoverInterrupted(state: LearningProgressSyncState): LearningProgressSyncState {
  const ids = Object.entries(state.events).filter(([, e]) => e.status === "syncing").map(([id]) =>
    id
  );
  return returnToLocal(state, ids);
}

/** Milliseconds until the next automatic retry is due (0 when one is due now), or null when none is pending. */
export function nextRetryIn(state: LearningProgressSyncState, now: number): number | null {
  let soonest: number | null = null;
  for (const entry of Object.values(state.events)) {
    if (entry.status !== "error") continue;
    const delay = retryDelay(entry.retryCount);
    if (delay === null) continue;
    const last = entry.lastAttemptAt === null ? 0 : Date.parse(entry.lastAttemptAt);
    const wait = Math.max(0, last + delay - now);
    soonest = soonest === null ? wait : Math.min(soonest, wait);
  }
  return soonest;
}

/** How many events are in each status. */
export function countByStatus(
  state: LearningProgressSyncState,
): Record<LearningSyncStatus, number> {
  const counts = { local: 0, syncing: 0, synced: 0, error: 0 };
  for (const entry of Object.values(state.events)) counts[entry.status]++;
  return counts;
}

/** True when some `error` event has used up its automatic retries. */
export function hasExhaustedErrors(state: LearningProgressSyncState): boolean {
  return Object.values(state.events).some((e) =>
    e.status === "error" && retryDelay(e.retryCount) === null
  );
}

/** Orders two entries of one event: `synced` first, then the later attempt, more retries, then content. */
function entryKey(e: LearningProgressSyncEntry): string {
  return [
    e.status === "synced" ? "1" : "0",
    e.lastAttemptAt ?? "",
    String(e.retryCount).padStart(4, "0"),
    JSON.stringify([e.status, e.lastSyncedAt, e.errorMessage ?? null]),
  ].join("\u0000");
}

function newerEntry(
  a: LearningProgressSyncEntry,
  b: LearningProgressSyncEntry,
): LearningProgressSyncEntry {
  return entryKey(a) >= entryKey(b) ? a : b;
}

/**
 * Merges two tabs' metadata of the same log: `synced` wins (an event on the server stays there),
 * otherwise the later attempt; the later successful sync brings its cursor. Commutative.
 */
export function mergeSyncStates(
  a: LearningProgressSyncState,
  b: LearningProgressSyncState,
): LearningProgressSyncState {
  const events: Record<string, LearningProgressSyncEntry> = { ...a.events };
  for (const [id, entry] of Object.entries(b.events)) {
    const mine = events[id];
    events[id] = mine ? newerEntry(mine, entry) : entry;
  }
  const aTime = a.lastSuccessfulSyncAt ?? "";
  const bTime = b.lastSuccessfulSyncAt ?? "";
  const later =
    aTime > bTime || (aTime === bTime && (a.lastSyncedCursor ?? "") >= (b.lastSyncedCursor ?? ""))
      ? a
      : b;
  return {
    version: 1,
    events,
    lastSuccessfulSyncAt: later.lastSuccessfulSyncAt,
    lastSyncedCursor: later.lastSyncedCursor,
  };
}

/** Drops metadata of events no longer in the log (e.g. heartbeats merged into a newer one). */
export function pruneSyncState(
  state: LearningProgressSyncState,
  ids: ReadonlySet<string>,
): LearningProgressSyncState {
  const events = Object.fromEntries(Object.entries(state.events).filter(([id]) => ids.has(id)));
  return { ...state, events };
}
