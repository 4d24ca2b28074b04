/**
 * The browser's localStorage layout for learning progress (seed 001 §4.4) and safe reads and
 * writes: a corrupt value reads as empty, a full storage is reported, never thrown.
 */
import { isLearningEvent, type LearningProgressEvent } from "../core/learning_events.ts";
import type { LearningProgressSnapshot } from "../core/learning_snapshot.ts";
import { emptySyncState, type LearningProgressSyncState } from "./sync_state.ts";

/** Guest events (seed 001). */
export const GUEST_EVENTS_KEY = "learning_progress_events";
/** Guest snapshot cache (seed 001). */
export const GUEST_SNAPSHOT_KEY = "learning_progress_snapshot";
/** This browser's `clientId`, shared by guest and account logs. */
export const CLIENT_ID_KEY = "learning_progress_client_id";

/** The part of `Storage` the client uses (so tests can pass a Map-backed fake). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Where a user's (or the guest's, for null) log, snapshot cache and sync metadata live. */
export interface StorageKeys {
  events: string;
  snapshot: string;
  /** Null for the guest, who does not sync. */
  sync: string | null;
}

/** The storage keys of `userId`, or of the guest when null (seed 001 §4.4). */
export function storageKeys(userId: string | null): StorageKeys {
  if (userId === null) {
    return { events: GUEST_EVENTS_KEY, snapshot: GUEST_SNAPSHOT_KEY, sync: null };
  }
  return {
    events: `${GUEST_EVENTS_KEY}:${userId}`,
    snapshot: `${GUEST_SNAPSHOT_KEY}:${userId}`,
    sync: `learning_progress_sync:${userId}`,
  };
}

function readJson(storage: KeyValueStorage, key: string): unknown {
  try {
    const text = storage.getItem(key);
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

/** The events stored under `key`; anything malformed is skipped. */
export function readEvents(storage: KeyValueStorage, key: string): LearningProgressEvent[] {
  const value = readJson(storage, key);
  return Array.isArray(value) ? value.filter(isLearningEvent) : [];
}

/** The sync metadata stored under `key`, or empty metadata. */
export function readSyncState(storage: KeyValueStorage, key: string): LearningProgressSyncState {
  const value = readJson(storage, key) as Partial<LearningProgressSyncState> | null;
  if (!value || value.version !== 1 || typeof value.events !== "object" || value.events === null) {
    return emptySyncState();
  }
  return {
    version: 1,
    events: value.events,
    lastSuccessfulSyncAt: typeof value.lastSuccessfulSyncAt === "string"
      ? value.lastSuccessfulSyncAt
      : null,
    lastSyncedCursor: typeof value.lastSyncedCursor === "string" ? value.lastSyncedCursor : null,
  };
}

/** The snapshot cached under `key`, or null. */
export function readSnapshot(
  storage: KeyValueStorage,
  key: string,
): LearningProgressSnapshot | null {
  const value = readJson(storage, key) as LearningProgressSnapshot | null;
  return value && value.version === 1 ? value : null;
}

/** The outcome of a write: done, or why not (with `quota` when the storage is full). */
export type WriteResult = { ok: true } | { ok: false; quota: boolean; message: string };

/** True for the errors browsers throw when localStorage is full. */
export function isQuotaError(error: unknown): boolean {
  if (!(error instanceof Error) && !(typeof error === "object" && error !== null)) return false;
  const { name, code } = error as { name?: string; code?: number };
  return name === "QuotaExceededError" || name === "NS_ERROR_DOM_QUOTA_REACHED" || code === 22 ||
    code === 1014;
}

/** Writes `value` as JSON under `key`; never throws. */
export function writeJson(storage: KeyValueStorage, key: string, value: unknown): WriteResult {
  try {
    storage.setItem(key, JSON.stringify(value));
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      quota: isQuotaError(error),
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Removes `key`; never throws. */
export function removeKey(storage: KeyValueStorage, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // Nothing to do: a storage that cannot remove keeps the value.
  }
}
