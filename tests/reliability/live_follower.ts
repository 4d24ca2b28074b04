/** A live-stream client that reconnects with `Last-Event-ID` whenever its connection ends, like a browser's EventSource. */
import { openSseClient, type SseClient } from "../bench/sse_client.ts";
import { delay } from "./fixtures.ts";

/** Follows one student's `GET /api/progress-sync/live` across disconnects and server restarts. */
export interface LiveFollower {
  /** `progress_update` messages received per event id (a count above 1 is a doubled notification). */
  progressUpdates: Map<string, number>;
  /** Every frame id received, in order. */
  frameIds: string[];
  /** Connections opened so far (1 + reconnects). */
  connections(): number;
  /** Resolves once the current connection is live. */
  ready(): Promise<void>;
  /** Drops the connection (the follower stays down until `resume`). */
  disconnect(): void;
  /** Reconnects from the last frame id it saw. */
  resume(): void;
  /** Closes for good. */
  close(): Promise<void>;
}

/**
 * Opens the stream on `port` with `token`, starting from `lastEventId` (`"0"` = every kept message,
 * null = only new ones), and keeps reconnecting with the last frame id every 200 ms until closed.
 */
export function followLive(
  port: number,
  token: string,
  lastEventId: string | null,
): LiveFollower {
  const progressUpdates = new Map<string, number>();
  const frameIds: string[] = [];
  let last = lastEventId;
  let client: SseClient | null = null;
  let paused = false;
  let closed = false;
  let connections = 0;
  let markReady!: () => void;
  let readyPromise = new Promise<void>((resolve) => (markReady = resolve));

  async function connectOnce(): Promise<void> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (last !== null) headers["Last-Event-ID"] = last;
    client = await openSseClient({
      port,
      path: "/api/progress-sync/live",
      headers,
      onItem(item) {
        if (item.kind !== "event") return;
        if (item.id !== null) {
          last = item.id;
          frameIds.push(item.id);
        }
        if (item.event !== "progress_update") return;
        const eventId = (JSON.parse(item.data) as { eventId?: string }).eventId ?? "";
        progressUpdates.set(eventId, (progressUpdates.get(eventId) ?? 0) + 1);
      },
    });
    connections++;
    await client.ready;
    markReady();
    await client.closed;
    readyPromise = new Promise<void>((resolve) => (markReady = resolve));
  }

  const loop = (async () => {
    while (!closed) {
      if (!paused) await connectOnce().catch(() => {});
      client = null;
      if (closed) break;
      await delay(200);
    }
  })();

  return {
    progressUpdates,
    frameIds,
    connections: () => connections,
    ready: () => readyPromise,
    disconnect() {
      paused = true;
      client?.close();
    },
    resume() {
      paused = false;
    },
    async close() {
      closed = true;
      client?.close();
      await loop;
    },
  };
}
