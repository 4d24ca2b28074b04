/**
 * The browser's offline-first learning-progress client (seed 001 §6, seed 002's client queue):
 * a local event log in localStorage, optimistic snapshot, per-event sync status, background sync
 * with backoff, pull since a cursor, cross-tab updates and the guest-to-account bootstrap.
 * Everything outside the browser (storage, network, clock, timers) is passed in, so the engine
 * runs in unit tests as it runs in the learn island.
 *
 * Longer than 400 lines on purpose: one class owns the device log, its persistence and the
 * sync loop, so every state change of the log goes through one place; its pure parts (batching,
 * backoff, the snapshot) already live in their own modules.
 */
import { dispositionOf } from "../../client/backoff.ts";
import { findMergeableHeartbeat, flushDelay, isHeartbeat, mergeHeartbeats } from "./batching.ts";
import {
  compareLearningEvents,
  isLearningEvent,
  type LearningProgressEvent,
} from "../core/learning_events.ts";
import {
  CLIENT_ID_KEY,
  GUEST_EVENTS_KEY,
  GUEST_SNAPSHOT_KEY,
  type KeyValueStorage,
  readEvents,
  readSyncState,
  removeKey,
  storageKeys,
  writeJson,
} from "./local_store.ts";
import {
  appliesAfter,
  applyLearningEvent,
  type LearningProgressSnapshot,
  reduceLearningEvents,
} from "../core/learning_snapshot.ts";
import {
  eligibleForSync,
  emptySyncState,
  finishSyncFailure,
  finishSyncSuccess,
  hasExhaustedErrors,
  type LearningProgressSyncState,
  type LearningSyncStatus,
  markLocal,
  markRemote,
  mergeSyncStates,
  nextRetryIn,
  pruneSyncState,
  recoverInterrupted,
  RETRY_DELAYS,
  retryFailed,
  returnToLocal,
  startSync,
} from "./sync_state.ts";

/** The seed-001 endpoint. */
export const PROGRESS_ENDPOINT = "/api/v1/learning/progress";
/** Most events per PUT (the server's limit). */
export const PUSH_CHUNK = 100;

/** What the engine needs from its surroundings. */
export interface SyncEnvironment {
  storage: KeyValueStorage;
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /** Epoch milliseconds. */
  now: () => number;
  /** `navigator.onLine`. */
  isOnline: () => boolean;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** A new, time-ordered, globally unique event id. */
  newId: (nowMs: number) => string;
  /** Formats an instant as ISO 8601 with the local offset (the streak counts local days). */
  localIso?: (ms: number) => string;
  warn?: (message: string) => void;
}

/** Everything the UI shows about syncing. */
export interface SyncView {
  mode: "guest" | "account";
  bootstrapping: boolean;
  syncing: boolean;
  online: boolean;
  counts: Record<LearningSyncStatus, number>;
  /** Events not yet on the server. */
  pending: number;
  lastSyncedAt: string | null;
  lastError: string | null;
  /** Errors whose automatic retries are used up: only the retry button sends them. */
  needsManualRetry: boolean;
  /** When the next automatic retry runs (epoch ms), if one is planned. */
  nextRetryAt: number | null;
  /** Set while localStorage refuses writes (progress is kept in memory meanwhile). */
  storageError: string | null;
  /** Guest events being merged into the account (cleared from guest storage once synced). */
  guestEvents: number;
}

/** A new event's content: everything but the id, time and client, which the engine adds. */
export type NewLearningEvent = LearningProgressEvent extends infer E
  ? E extends LearningProgressEvent ? Omit<E, "eventId" | "occurredAt" | "clientId"> : never
  : never;

function pad(n: number, width = 2): string {
  return String(Math.trunc(Math.abs(n))).padStart(width, "0");
}

/** ISO 8601 with the runtime's local offset, e.g. `2026-03-02T10:00:00.000+01:00`. */
export function localIsoString(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${sign}${pad(offset / 60)}:${
    pad(offset % 60)
  }`;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = await response.json();
    if (body && typeof body.error === "string") return `${body.error} (${response.status})`;
  } catch {
    // Not JSON: fall through.
  }
  return `The server answered ${response.status}`;
}

/** The offline-first client of one tab, for the guest (`userId` null) or a signed-in student. */
export class LearningSyncEngine {
  readonly userId: string | null;
  readonly clientId: string;
  #env: SyncEnvironment;
  #keys: ReturnType<typeof storageKeys>;
  #log = new Map<string, LearningProgressEvent>();
  #ordered: LearningProgressEvent[] = [];
  #sync: LearningProgressSyncState | null;
  #snapshot: LearningProgressSnapshot = reduceLearningEvents([]);
  #listeners = new Set<() => void>();
  /** Log changes of this tab not yet written (kept while storage refuses writes). */
  #adds = new Map<string, LearningProgressEvent>();
  #removals = new Set<string>();
  /** Sync entries this tab changed since its last write: its own state wins for them. */
  #dirty = new Set<string>();
  #bootstrapping = false;
  #queue: LearningProgressEvent[] = [];
  #syncing: Promise<void> | null = null;
  #rerun: { manual: boolean } | null = null;
  #flushTimer: unknown = null;
  #retryTimer: unknown = null;
  #nextRetryAt: number | null = null;
  #pullFailures = 0;
  #lastChangeAt: number | null = null;
  /** When the queue of unsent events started filling (merged heartbeats keep it). */
  #pendingSince: number | null = null;
  #lastError: string | null = null;
  #storageError: string | null = null;
  #guestIds = new Set<string>();
  #stopped = false;

  constructor(env: SyncEnvironment, options: { userId: string | null }) {
    this.#env = env;
    this.userId = options.userId;
    this.#keys = storageKeys(options.userId);
    this.#sync = options.userId === null ? null : emptySyncState();
    this.clientId = this.#loadClientId();
  }

  #loadClientId(): string {
    let id: string | null = null;
    try {
      id = this.#env.storage.getItem(CLIENT_ID_KEY);
    } catch {
      id = null;
    }
    if (id && /^[A-Za-z0-9._:~-]{1,128}$/.test(id)) return id;
    const fresh = `web-${this.#env.newId(this.#env.now())}`;
    try {
      this.#env.storage.setItem(CLIENT_ID_KEY, fresh);
    } catch {
      // Kept in memory for this tab.
    }
    return fresh;
  }

  /** The snapshot the UI shows (queued bootstrap-time events included). */
  get snapshot(): LearningProgressSnapshot {
    return this.#snapshot;
  }

  /** The local log in log order (queued bootstrap-time events included). */
  get events(): readonly LearningProgressEvent[] {
    return this.#bootstrapping && this.#queue.length > 0
      ? [...this.#ordered, ...this.#queue].sort(compareLearningEvents)
      : this.#ordered;
  }

  /** The sync status of one event (`local` for a guest's or one not yet known to the metadata). */
  statusOf(eventId: string): LearningSyncStatus {
    return this.#sync?.events[eventId]?.status ?? "local";
  }

  /** The sync entry's error message, if any. */
  errorOf(eventId: string): string | null {
    return this.#sync?.events[eventId]?.errorMessage ?? null;
  }

  /** Everything the UI shows about syncing. */
  get view(): SyncView {
    const counts = { local: 0, syncing: 0, synced: 0, error: 0 };
    for (const event of this.events) counts[this.statusOf(event.eventId)]++;
    return {
      mode: this.userId === null ? "guest" : "account",
      bootstrapping: this.#bootstrapping,
      syncing: this.#syncing !== null,
      online: this.#env.isOnline(),
      counts,
      pending: counts.local + counts.syncing + counts.error,
      lastSyncedAt: this.#sync?.lastSuccessfulSyncAt ?? null,
      lastError: this.#lastError,
      needsManualRetry: this.#sync !== null && hasExhaustedErrors(this.#sync),
      nextRetryAt: this.#nextRetryAt,
      storageError: this.#storageError,
      guestEvents: this.#guestIds.size,
    };
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(): void {
    for (const listener of this.#listeners) listener();
  }

  #iso(ms = this.#env.now()): string {
    return new Date(ms).toISOString();
  }

  #warn(message: string): void {
    (this.#env.warn ?? console.warn)(message);
  }

  // ---------- log ----------

  #setLog(events: Iterable<LearningProgressEvent>): void {
    this.#log = new Map();
    for (const event of events) this.#log.set(event.eventId, event);
    this.#ordered = [...this.#log.values()].sort(compareLearningEvents);
  }

  #add(event: LearningProgressEvent): void {
    this.#adds.set(event.eventId, event);
    this.#removals.delete(event.eventId);
    this.#log.set(event.eventId, event);
  }

  #remove(eventId: string): void {
    this.#removals.add(eventId);
    this.#adds.delete(eventId);
    this.#log.delete(eventId);
  }

  #reorder(): void {
    this.#ordered = [...this.#log.values()].sort(compareLearningEvents);
  }

  #recompute(): void {
    this.#snapshot = reduceLearningEvents(this.events);
  }

  /** Reads the stored log and applies this tab's unwritten changes on top. */
  #storedLogWithChanges(): LearningProgressEvent[] {
    const stored = new Map(
      readEvents(this.#env.storage, this.#keys.events).map((e) => [e.eventId, e]),
    );
    for (const id of this.#removals) stored.delete(id);
    for (const [id, event] of this.#adds) stored.set(id, event);
    return [...stored.values()];
  }

  #syncWithChanges(): LearningProgressSyncState | null {
    if (this.#sync === null || this.#keys.sync === null) return this.#sync;
    const stored = readSyncState(this.#env.storage, this.#keys.sync);
    const merged = mergeSyncStates(stored, this.#sync);
    for (const id of this.#dirty) {
      const mine = this.#sync.events[id];
      const theirs = stored.events[id];
      if (mine && theirs?.status !== "synced") merged.events[id] = mine;
    }
    return merged;
  }

  /** Writes the log, the snapshot cache and the sync metadata (read-merge-write, for other tabs). */
  #persist(): void {
    this.#setLog(this.#storedLogWithChanges());
    const ids = new Set(this.#log.keys());
    const sync = this.#syncWithChanges();
    if (sync) this.#sync = pruneSyncState(sync, ids);
    this.#recompute();
    const written = writeJson(this.#env.storage, this.#keys.events, this.#ordered);
    if (!written.ok) {
      this.#storageError = written.quota
        ? "This browser's storage is full: your progress is kept in this tab and sent to the server, but not saved on this device until space is freed."
        : `Could not save progress on this device: ${written.message}`;
      this.#warn(this.#storageError);
      removeKey(this.#env.storage, this.#keys.snapshot);
      return;
    }
    this.#adds.clear();
    this.#removals.clear();
    this.#storageError = null;
    if (this.#sync && this.#keys.sync) {
      if (writeJson(this.#env.storage, this.#keys.sync, this.#sync).ok) this.#dirty.clear();
    }
    if (!writeJson(this.#env.storage, this.#keys.snapshot, this.#snapshot).ok) {
      removeKey(this.#env.storage, this.#keys.snapshot);
    }
  }

  // ---------- lifecycle ----------

  /**
   * Loads the local log and, for a signed-in student, bootstraps (seed 001 §6.1): guest and
   * account logs are merged with the server's, updates made meanwhile are queued and replayed,
   * then local events are pushed. Guest storage is cleared only once its events are synced.
   */
  async start(): Promise<void> {
    if (this.userId === null || this.#keys.sync === null) {
      this.#setLog(readEvents(this.#env.storage, this.#keys.events));
      this.#recompute();
      this.#emit();
      return;
    }
    this.#bootstrapping = true;
    const account = readEvents(this.#env.storage, this.#keys.events);
    const guest = readEvents(this.#env.storage, GUEST_EVENTS_KEY);
    this.#sync = recoverInterrupted(readSyncState(this.#env.storage, this.#keys.sync));
    this.#setLog(account);
    for (const event of guest) {
      if (!this.#log.has(event.eventId) || this.#sync.events[event.eventId]?.status !== "synced") {
        this.#guestIds.add(event.eventId);
      }
      if (!this.#log.has(event.eventId)) this.#add(event);
    }
    this.#reorder();
    this.#recompute();
    this.#emit();
    if (this.#env.isOnline()) await this.#pull();
    const unknown = [...this.#log.keys()].filter((id) => !this.#sync!.events[id]);
    this.#sync = markLocal(this.#sync, unknown);
    for (const id of unknown) this.#dirty.add(id);
    this.#bootstrapping = false;
    const queued = this.#queue;
    this.#queue = [];
    for (const event of queued) this.#append(event);
    this.#persist();
    this.#emit();
    await this.sync();
  }

  /** Resolves once no sync is in flight. */
  async settled(): Promise<void> {
    while (this.#syncing) await this.#syncing;
  }

  /** Stops timers (the tab is going away or switching user). */
  stop(): void {
    this.#stopped = true;
    if (this.#flushTimer !== null) this.#env.clearTimer(this.#flushTimer);
    if (this.#retryTimer !== null) this.#env.clearTimer(this.#retryTimer);
    this.#flushTimer = this.#retryTimer = null;
  }

  // ---------- local updates ----------

  /**
   * Records a user action as a new event (seed 001 §6.2): appended to the local log as `local`,
   * applied to the snapshot at once, persisted, and a background sync scheduled. A progress
   * heartbeat within 10 s of an unsent one for the same content replaces it (seed 002).
   */
  record(content: NewLearningEvent): LearningProgressEvent {
    const now = this.#env.now();
    const event = {
      ...content,
      eventId: this.#env.newId(now),
      occurredAt: (this.#env.localIso ?? localIsoString)(now),
      clientId: this.clientId,
    } as LearningProgressEvent;
    this.#lastChangeAt = now;
    this.#pendingSince ??= now;
    if (this.#bootstrapping) {
      this.#queue.push(event);
      this.#recompute();
      this.#emit();
      return event;
    }
    const recorded = this.#append(event);
    this.#persist();
    this.#emit();
    this.#scheduleFlush();
    return recorded;
  }

  #append(event: LearningProgressEvent): LearningProgressEvent {
    let final = event;
    const earlier = findMergeableHeartbeat(this.#ordered, this.#sync, event);
    if (earlier && event.type === "content.progressed") {
      final = mergeHeartbeats(earlier, event);
      this.#remove(earlier.eventId);
    }
    this.#add(final);
    if (this.#sync) {
      this.#sync = markLocal(this.#sync, [final.eventId]);
      this.#dirty.add(final.eventId);
    }
    const incremental = !earlier && appliesAfter(this.#snapshot, final);
    this.#reorder();
    this.#snapshot = incremental
      ? applyLearningEvent(this.#snapshot, final)
      : reduceLearningEvents(this.#ordered);
    return final;
  }

  // ---------- sync ----------

  #scheduleFlush(): void {
    if (this.#sync === null || this.#stopped || this.#bootstrapping || this.#syncing) return;
    if (!this.#env.isOnline()) return;
    const local = this.#ordered.filter((e) => this.statusOf(e.eventId) === "local");
    if (local.length === 0) this.#pendingSince = null;
    else this.#pendingSince ??= this.#env.now();
    const delay = flushDelay({
      pending: local.length,
      oldestPendingAt: this.#pendingSince,
      lastChangeAt: this.#lastChangeAt,
      now: this.#env.now(),
      onlyHeartbeats: local.every(isHeartbeat),
    });
    if (this.#flushTimer !== null) this.#env.clearTimer(this.#flushTimer);
    this.#flushTimer = null;
    if (delay === null) return;
    this.#flushTimer = this.#env.setTimer(() => {
      this.#flushTimer = null;
      void this.sync();
    }, delay);
  }

  #scheduleRetry(): void {
    if (this.#retryTimer !== null) this.#env.clearTimer(this.#retryTimer);
    this.#retryTimer = null;
    this.#nextRetryAt = null;
    if (this.#sync === null || this.#stopped) return;
    let wait = nextRetryIn(this.#sync, this.#env.now());
    if (this.#pullFailures > 0 && this.#pullFailures <= RETRY_DELAYS.length) {
      const pullWait = RETRY_DELAYS[this.#pullFailures - 1]!;
      wait = wait === null ? pullWait : Math.min(wait, pullWait);
    }
    if (wait === null) return;
    this.#nextRetryAt = this.#env.now() + wait;
    this.#retryTimer = this.#env.setTimer(() => {
      this.#retryTimer = null;
      this.#nextRetryAt = null;
      void this.sync();
    }, wait);
  }

  /**
   * Sends unsynced events (`PUT`) and pulls the server's new ones (`GET ?since=`) — seed 001
   * §6.3. `manual` also resends events whose automatic retries are used up. Offline, events stay
   * `local`; a failure marks them `error` and plans a retry after 1, 5, 15, 60 s.
   */
  sync(options: { manual?: boolean } = {}): Promise<void> {
    if (this.#sync === null) return Promise.resolve();
    if (this.#bootstrapping || this.#syncing) {
      this.#rerun = { manual: (this.#rerun?.manual ?? false) || (options.manual ?? false) };
      return this.#syncing ?? Promise.resolve();
    }
    if (!this.#env.isOnline()) {
      if (options.manual) {
        this.#lastError = "You are offline: progress is saved here and syncs when you reconnect.";
      }
      this.#emit();
      return Promise.resolve();
    }
    if (this.#flushTimer !== null) this.#env.clearTimer(this.#flushTimer);
    this.#flushTimer = null;
    const run = this.#run(options.manual ?? false).finally(() => {
      this.#syncing = null;
      this.#persist();
      this.#scheduleRetry();
      const rerun = this.#rerun;
      this.#rerun = null;
      this.#emit();
      if (rerun && !this.#stopped) void this.sync(rerun);
      else this.#scheduleFlush();
    });
    this.#syncing = run;
    this.#emit();
    return run;
  }

  async #run(manual: boolean): Promise<void> {
    if (manual) {
      const failed = Object.entries(this.#sync!.events).filter(([, e]) => e.status === "error");
      this.#sync = retryFailed(this.#sync!);
      for (const [id] of failed) this.#dirty.add(id);
      this.#pullFailures = 0;
    }
    this.#pendingSince = null;
    const eligible = new Set(eligibleForSync(this.#sync!, this.#env.now(), { manual }));
    const ids = this.#ordered.filter((e) => eligible.has(e.eventId)).map((e) => e.eventId);
    for (let i = 0; i < ids.length; i += PUSH_CHUNK) {
      if (!(await this.#push(ids.slice(i, i + PUSH_CHUNK)))) return;
    }
    if (await this.#pull()) this.#lastError = null;
    this.#clearMergedGuestEvents();
  }

  async #push(ids: string[]): Promise<boolean> {
    const events = ids.map((id) => this.#log.get(id)).filter((e) => e !== undefined);
    this.#sync = startSync(this.#sync!, ids, this.#iso());
    for (const id of ids) this.#dirty.add(id);
    this.#persist();
    this.#emit();
    let response: Response;
    try {
      response = await this.#env.fetch(PROGRESS_ENDPOINT, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ clientUpdatedAt: this.#iso(), events }),
      });
    } catch (error) {
      if (!this.#env.isOnline()) {
        this.#sync = returnToLocal(this.#sync!, ids);
        this.#lastError = null;
      } else {
        this.#fail(
          ids,
          `Could not reach the server: ${error instanceof Error ? error.message : error}`,
        );
      }
      return false;
    }
    if (!response.ok) {
      const message = response.status === 401
        ? "You are signed out: sign in again to sync your progress."
        : await errorMessage(response);
      const permanent = dispositionOf(response.status) === "rejected";
      if (permanent) this.#warn(`Learning progress sync refused: ${message}`);
      this.#fail(ids, message, permanent);
      return false;
    }
    await response.body?.cancel();
    this.#sync = finishSyncSuccess(this.#sync!, ids, this.#iso());
    return true;
  }

  #fail(ids: string[], message: string, permanent = false): void {
    this.#sync = finishSyncFailure(this.#sync!, ids, this.#iso(), message, { permanent });
    this.#lastError = message;
  }

  /** Pulls the server's events after the stored cursor and merges them into the log. */
  async #pull(): Promise<boolean> {
    let cursor = this.#sync!.lastSyncedCursor;
    try {
      for (let page = 0; page < 1000; page++) {
        const query = cursor === null
          ? "?limit=1000"
          : `?since=${encodeURIComponent(cursor)}&limit=1000`;
        const response = await this.#env.fetch(`${PROGRESS_ENDPOINT}${query}`, {
          headers: { accept: "application/json" },
        });
        if (!response.ok) throw new Error(await errorMessage(response));
        const body = await response.json() as {
          data?: { events?: unknown[]; cursor?: string; hasMore?: boolean };
        };
        const events = (body.data?.events ?? []).filter(isLearningEvent);
        for (const event of events) {
          const mine = this.#log.get(event.eventId);
          if (!mine || JSON.stringify(mine) !== JSON.stringify(event)) this.#add(event);
        }
        this.#sync = markRemote(this.#sync!, events.map((e) => e.eventId), this.#iso());
        for (const event of events) this.#dirty.add(event.eventId);
        if (typeof body.data?.cursor === "string") cursor = body.data.cursor;
        if (!body.data?.hasMore) break;
      }
    } catch (error) {
      if (this.#env.isOnline()) {
        this.#pullFailures++;
        this.#lastError = `Could not fetch updates from the server: ${
          error instanceof Error ? error.message : error
        }`;
      }
      this.#reorder();
      return false;
    }
    this.#pullFailures = 0;
    this.#reorder();
    this.#sync = { ...this.#sync!, lastSyncedCursor: cursor, lastSuccessfulSyncAt: this.#iso() };
    return true;
  }

  /** Removes guest events from guest storage once the account has them on the server (§6.1 step 8). */
  #clearMergedGuestEvents(): void {
    if (this.#guestIds.size === 0 || this.#sync === null) return;
    const synced = (id: string) => this.#sync!.events[id]?.status === "synced";
    for (const id of this.#guestIds) if (synced(id)) this.#guestIds.delete(id);
    const guest = readEvents(this.#env.storage, GUEST_EVENTS_KEY);
    const remaining = guest.filter((e) => !synced(e.eventId));
    if (remaining.length === guest.length) return;
    if (remaining.length === 0) {
      removeKey(this.#env.storage, GUEST_EVENTS_KEY);
      removeKey(this.#env.storage, GUEST_SNAPSHOT_KEY);
    } else {
      writeJson(this.#env.storage, GUEST_EVENTS_KEY, remaining);
    }
  }

  // ---------- browser signals ----------

  /**
   * Another tab changed localStorage (seed 001 §6.2.1): take its log and metadata, keep this
   * tab's unwritten changes, and recompute the snapshot.
   */
  handleStorage(key: string | null): void {
    if (key !== null && key !== this.#keys.events && key !== this.#keys.sync) return;
    if (this.#bootstrapping) return;
    this.#setLog(this.#storedLogWithChanges());
    const sync = this.#syncWithChanges();
    if (sync) this.#sync = pruneSyncState(sync, new Set(this.#log.keys()));
    this.#recompute();
    this.#emit();
    this.#scheduleFlush();
  }

  /** The browser came back online: sync now. */
  handleOnline(): void {
    this.#lastError = null;
    this.#emit();
    void this.sync();
  }

  /** The browser went offline: only the status changes; events stay `local`. */
  handleOffline(): void {
    if (this.#flushTimer !== null) this.#env.clearTimer(this.#flushTimer);
    this.#flushTimer = null;
    this.#emit();
  }

  /** The tab became visible again: sync (pushes what waits, pulls what other devices did). */
  handleVisible(): void {
    void this.sync();
  }
}

/**
 * Wires an engine to the browser: the `storage`, `online` and `offline` events and
 * `visibilitychange`; returns the function that unwires them.
 */
export function connectBrowserSignals(engine: LearningSyncEngine): () => void {
  const onStorage = (event: StorageEvent) => engine.handleStorage(event.key);
  const onOnline = () => engine.handleOnline();
  const onOffline = () => engine.handleOffline();
  const onVisibility = () => {
    if (document.visibilityState === "visible") engine.handleVisible();
  };
  globalThis.addEventListener("storage", onStorage);
  globalThis.addEventListener("online", onOnline);
  globalThis.addEventListener("offline", onOffline);
  document.addEventListener("visibilitychange", onVisibility);
  return () => {
    globalThis.removeEventListener("storage", onStorage);
    globalThis.removeEventListener("online", onOnline);
    globalThis.removeEventListener("offline", onOffline);
    document.removeEventListener("visibilitychange", onVisibility);
    engine.stop();
  };
}
