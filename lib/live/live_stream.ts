import type { SSEStreamingApi } from "hono/streaming";
import { notificationsUpdatedKey } from "../kv_keys.ts";
import { LIVE_START } from "./live_cursor.ts";
import {
  latestNotificationId,
  listNotificationsAfter,
  parseNotificationId,
} from "./notification_store.ts";

/** Interval of the `: ping` comment that keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** Reconnection delay sent to clients when the server shuts down (`retry:`). */
export const SHUTDOWN_RETRY_MS = 2000;
/** Most live messages read from KV at a time. */
const PAGE_SIZE = 1000;

/**
 * Streams a user's live messages as SSE until the client goes away: everything after
 * `lastEventId` first (every kept one for `LIVE_START`; only new ones when it is absent or
 * unknown), then each new one
 * as the wake-up marker changes. Each frame's `id` resumes the stream via `Last-Event-ID`.
 * When `shutdown` aborts, the client is told to reconnect (`retry:`) and the stream ends.
 */
export async function streamNotifications(
  stream: SSEStreamingApi,
  kv: Deno.Kv,
  userId: string,
  options: { lastEventId?: string | null; heartbeatMs?: number; shutdown?: AbortSignal } = {},
): Promise<void> {
  const requested = options.lastEventId ?? null;
  let cursor = requested === LIVE_START
    ? null
    : requested !== null && parseNotificationId(requested)
    ? requested
    : await latestNotificationId(kv, userId);
  const changes = kv.watch([notificationsUpdatedKey(userId)]).getReader();
  const heartbeat = setInterval(() => {
    stream.write(": ping\n\n").catch(() => changes.cancel());
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  const stop = () => changes.cancel().catch(() => {});
  stream.onAbort(stop);
  options.shutdown?.addEventListener("abort", stop);
  if (options.shutdown?.aborted) stop();
  try {
    await stream.write(": connected\n\n");
    while (!stream.aborted && !stream.closed) {
      const { done } = await changes.read();
      if (done || stream.aborted) break;
      // Page until caught up: a backlog longer than a page gets no further wake-up.
      let page;
      do {
        page = await listNotificationsAfter(kv, userId, cursor, { limit: PAGE_SIZE });
        for (const item of page) {
          await stream.writeSSE({
            id: item.id,
            event: item.message.event,
            data: JSON.stringify(item.message.data),
          });
          cursor = item.id;
        }
      } while (page.length >= PAGE_SIZE && !stream.aborted);
    }
    if (options.shutdown?.aborted && !stream.aborted) {
      await stream.write(`retry: ${SHUTDOWN_RETRY_MS}\n\n`);
    }
  } finally {
    clearInterval(heartbeat);
    options.shutdown?.removeEventListener("abort", stop);
    await changes.cancel().catch(() => {});
  }
}
