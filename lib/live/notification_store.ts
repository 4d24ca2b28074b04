import { notificationsPrefix, notificationsUpdatedKey } from "../kv_keys.ts";
import type { LiveMessage } from "../core/project.ts";

/** How long live messages are kept for clients that reconnect. */
export const NOTIFICATION_TTL_MS = 24 * 60 * 60 * 1000;

/** A live message with its resumable id (`<versionstamp>.<index>`). */
export interface StoredNotification {
  id: string;
  message: LiveMessage;
}

/** Adds a user's live messages to an atomic operation, with the wake-up marker. */
export function addNotifications(
  op: Deno.AtomicOperation,
  kv: Deno.Kv,
  userId: string,
  messages: readonly LiveMessage[],
): Deno.AtomicOperation {
  if (messages.length === 0) return op;
  return op
    .set([...notificationsPrefix(userId), kv.commitVersionstamp()], messages, {
      expireIn: NOTIFICATION_TTL_MS,
    })
    .set(notificationsUpdatedKey(userId), Date.now());
}

/** Parses a notification id; null when malformed. */
export function parseNotificationId(
  id: string,
): { versionstamp: string; index: number } | null {
  const match = /^([0-9a-f]{20})\.(\d{1,5})$/.exec(id);
  return match ? { versionstamp: match[1]!, index: Number(match[2]) } : null;
}

/** Lists a user's live messages after notification id `after` (all kept ones when null), oldest first. */
export async function listNotificationsAfter(
  kv: Deno.Kv,
  userId: string,
  after: string | null,
  options: { limit?: number } = {},
): Promise<StoredNotification[]> {
  const limit = options.limit ?? 1000;
  const prefix = notificationsPrefix(userId);
  const from = after ? parseNotificationId(after) : null;
  const selector: Deno.KvListSelector = from
    ? { prefix, start: [...prefix, from.versionstamp] }
    : { prefix };
  const out: StoredNotification[] = [];
  for await (const entry of kv.list<LiveMessage[]>(selector)) {
    const versionstamp = entry.key[entry.key.length - 1] as string;
    entry.value.forEach((message, index) => {
      if (from && versionstamp === from.versionstamp && index <= from.index) {
        return;
      }
      out.push({ id: `${versionstamp}.${index}`, message });
    });
    if (out.length >= limit) break;
  }
  return out;
}

/** The id of a user's newest live message, or null when there is none. */
export async function latestNotificationId(
  kv: Deno.Kv,
  userId: string,
): Promise<string | null> {
  for await (
    const entry of kv.list<LiveMessage[]>({ prefix: notificationsPrefix(userId) }, {
      reverse: true,
      limit: 1,
    })
  ) {
    const versionstamp = entry.key[entry.key.length - 1] as string;
    return `${versionstamp}.${entry.value.length - 1}`;
  }
  return null;
}
