/** A Web Storage (localStorage) queue store for the client in browsers. */
import type { QueuedEvent, QueueStorage } from "./mod.ts";

/** The part of the Web Storage API the adapter uses (`localStorage` has it). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Keeps the client's queue as one JSON array under `key` (default `progress-client-queue`) in
 * `storage` (e.g. `localStorage`), so events tracked offline survive a reload.
 */
export function webStorageQueue(
  storage: WebStorageLike,
  options: { key?: string } = {},
): QueueStorage {
  const key = options.key ?? "progress-client-queue";
  const read = (): QueuedEvent[] => {
    try {
      const value = JSON.parse(storage.getItem(key) ?? "[]");
      return Array.isArray(value) ? value : [];
    } catch {
      return [];
    }
  };
  return {
    load: () => Promise.resolve(read()),
    add(events) {
      storage.setItem(key, JSON.stringify([...read(), ...events]));
      return Promise.resolve();
    },
    remove(ids) {
      const gone = new Set(ids);
      storage.setItem(key, JSON.stringify(read().filter((e) => !gone.has(e.id))));
      return Promise.resolve();
    },
  };
}
