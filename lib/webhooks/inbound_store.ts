import { addAudit, type AuditInput } from "../audit/audit_log.ts";
import { inboundSecretKey, inboundSecretsPrefix, inboundWebhookIdKey } from "../kv_keys.ts";
import { commitWithRetry } from "../kv_commit.ts";
import {
  type EndpointSecret,
  openLiveSecrets,
  ROTATION_WINDOW_MS,
  sealSecrets,
} from "./endpoint_store.ts";
import type { SecretBox } from "./secret_box.ts";
import { newWebhookSecret, TIMESTAMP_TOLERANCE_SECONDS } from "./signing.ts";

/** How long a received `webhook-id` is remembered: twice the timestamp tolerance, so a replay inside it is always caught. */
export const INBOUND_ID_TTL_MS = 2 * TIMESTAMP_TOLERANCE_SECONDS * 1000;

/** The secrets one system signs its inbound webhooks with (newest first, sealed as stored). */
export interface InboundSecrets {
  system: string;
  secrets: EndpointSecret[];
  updatedAt: string;
}

/** The record name a secret of inbound `system` is sealed with (its additional authenticated data). */
export function inboundSecretRecord(system: string): string {
  return `inbound-system:${system}`;
}

/** The secrets that verify a webhook from `system` at `nowMs`, decrypted: the current one and any still in its rotation window. */
export async function getInboundSecrets(
  kv: Deno.Kv,
  box: SecretBox,
  system: string,
  nowMs: number,
): Promise<string[]> {
  const record = (await kv.get<InboundSecrets>(inboundSecretKey(system))).value;
  if (!record) return [];
  return await openLiveSecrets(box, record.secrets, inboundSecretRecord(system), nowMs);
}

/**
 * Sets a new inbound secret for `system` (returned once; stored sealed by `box`, as are the
 * previous ones). The previous one keeps verifying for `ROTATION_WINDOW_MS`, so the system can
 * switch without dropping webhooks.
 */
export async function setInboundSecret(
  kv: Deno.Kv,
  system: string,
  options: { box: SecretBox; audit: Omit<AuditInput, "action" | "target">; now?: Date },
): Promise<{ secret: string; previousExpiresAt: string | null }> {
  const { box, audit, now = new Date() } = options;
  const secret = newWebhookSecret();
  const nowMs = now.getTime();
  const windowEnd = new Date(nowMs + ROTATION_WINDOW_MS).toISOString();
  return await commitWithRetry(async () => {
    const entry = await kv.get<InboundSecrets>(inboundSecretKey(system));
    const previous = (entry.value?.secrets ?? [])
      .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > nowMs)
      .map((s) => ({ ...s, expiresAt: s.expiresAt ?? windowEnd }));
    const record: InboundSecrets = {
      system,
      secrets: await sealSecrets(
        box,
        [{ secret, createdAt: now.toISOString(), expiresAt: null }, ...previous],
        inboundSecretRecord(system),
      ),
      updatedAt: now.toISOString(),
    };
    const op = kv.atomic().check(entry).set(entry.key, record);
    addAudit(op, { ...audit, action: "inbound_secret.set", target: system }, now);
    return { value: { secret, previousExpiresAt: previous.length > 0 ? windowEnd : null }, op };
  }, { what: `set the inbound secret of ${system}` });
}

/** The systems with an inbound secret, and when each was last set (never the secrets). */
export async function listInboundSystems(
  kv: Deno.Kv,
): Promise<{ system: string; updatedAt: string }[]> {
  const out: { system: string; updatedAt: string }[] = [];
  for await (const entry of kv.list<InboundSecrets>({ prefix: inboundSecretsPrefix() })) {
    out.push({ system: entry.value.system, updatedAt: entry.value.updatedAt });
  }
  return out;
}

/** True when `webhookId` from `system` was already received (inside the replay window). */
export async function seenInboundId(
  kv: Deno.Kv,
  system: string,
  webhookId: string,
): Promise<boolean> {
  return (await kv.get(inboundWebhookIdKey(system, webhookId))).versionstamp !== null;
}

/** Remembers a received `webhook-id` for `INBOUND_ID_TTL_MS`; false when it was already remembered. */
export async function rememberInboundId(
  kv: Deno.Kv,
  system: string,
  webhookId: string,
  value: { receivedAt: string; eventIds: string[] },
): Promise<boolean> {
  const key = inboundWebhookIdKey(system, webhookId);
  const result = await kv.atomic().check({ key, versionstamp: null })
    .set(key, value, { expireIn: INBOUND_ID_TTL_MS }).commit();
  return result.ok;
}
