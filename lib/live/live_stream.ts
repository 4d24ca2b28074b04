import type { SSEStreamingApi } from "hono/streaming";
import type { CredentialWatch } from "../auth/credential_check.ts";
import { notificationsUpdatedKey } from "../kv_keys.ts";
import { LIVE_START } from "./live_cursor.ts";
import {
  latestNotificationId,
  listNotificationsAfter,
  parseNotificationId,
} from "./notification_store.ts";

/** Interval of the `: ping` comment that keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** A stream ends after this long; the client reconnects with `Last-Event-ID` and misses nothing. */
export const MAX_STREAM_LIFETIME_MS = 60 * 60 * 1000;
/** Reconnection delay sent to clients when the server shuts down (`retry:`). */
export const SHUTDOWN_RETRY_MS = 2000;
/** Most live messages read from KV at a time. */
const PAGE_SIZE = 1000;

/**
 * Streams a user's live messages as SSE until the client goes away: everything after
 * `lastEventId` first (every kept one for `LIVE_START`; only new ones when it is absent or
 * unknown), then each new one
 * as the wake-up marker changes. Each frame's `id` resumes the stream via `Last-Event-ID`.
 * The stream ends once the caller's credential is gone: `credential`'s keys are watched with the
 * stream's own, so a revocation, sign-out or deleted account wakes it and ends it at once (every
 * wake-up is judged from the watched entries, no extra read); `alive` is asked at every heartbeat
 * (and at every wake-up when there is nothing to watch, e.g. the admin token). It ends after
 * `maxLifetimeMs` in any case. When `shutdown` aborts, the client
 * is told to reconnect (`retry:`) and the stream ends.
 */
export async function streamNotifications(
  stream: SSEStreamingApi,
  kv: Deno.Kv,
  userId: string,
  options: {
    lastEventId?: string | null;
    heartbeatMs?: number;
    alive?: () => Promise<boolean>;
    credential?: CredentialWatch | null;
    maxLifetimeMs?: number;
    shutdown?: AbortSignal;
  } = {},
): Promise<void> {
  const alive = options.alive ?? (() => Promise.resolve(true));
  const requested = options.lastEventId ?? null;
  let cursor = requested === LIVE_START
    ? null
    : requested !== null && parseNotificationId(requested)
    ? requested
    : await latestNotificationId(kv, userId);
  const credential = options.credential ?? null;
  const changes = kv.watch([notificationsUpdatedKey(userId), ...(credential?.keys ?? [])])
    .getReader();
  const holds = async (entries: Deno.KvEntryMaybe<unknown>[]) =>
    credential ? credential.holds(entries.slice(1), Date.now()) : await alive();
  const end = () => changes.cancel().catch(() => {});
  let beat: Promise<unknown> = Promise.resolve();
  const heartbeat = setInterval(() => {
    beat = alive().then(async (ok) => {
      if (ok) await stream.write(": ping\n\n");
      else await end();
    }).catch(end);
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  const lifetime = setTimeout(end, options.maxLifetimeMs ?? MAX_STREAM_LIFETIME_MS);
  stream.onAbort(end);
  options.shutdown?.addEventListener("abort", end);
  if (options.shutdown?.aborted) end();
  try {
    await stream.write(": connected\n\n");
    while (!stream.aborted && !stream.closed) {
      const { done, value } = await changes.read();
      if (done || stream.aborted || !(await holds(value))) break;
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
    clearTimeout(lifetime);
    options.shutdown?.removeEventListener("abort", end);
    await end();
    await beat;
  }
}
