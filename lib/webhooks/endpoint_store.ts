import { newUlid } from "../ids.ts";
import { addAudit, type AuditInput } from "../audit/audit_log.ts";
import {
  webhookAttemptsPrefix,
  webhookDeadLettersPrefix,
  webhookDeliveriesBySeqPrefix,
  webhookDeliveriesPrefix,
  webhookEndpointHealthKey,
  webhookEndpointKey,
  webhookEndpointsPrefix,
  webhookEndpointsVersionKey,
} from "../kv_keys.ts";
import { commitWithRetry } from "../kv_commit.ts";
import type { SecretBox } from "./secret_box.ts";
import { newWebhookSecret } from "./signing.ts";
import { InvalidInputError } from "../errors.ts";
import { maskUrlCredentials, type UrlPolicy } from "./url_policy.ts";

/** Event types an endpoint can subscribe to: the live event names, or `*` for all. */
export const WEBHOOK_EVENT_TYPES = [
  "progress_update",
  "achievement_earned",
  "conflict_detected",
] as const;

/** One of `WEBHOOK_EVENT_TYPES`. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Most endpoints one deployment may have (each processed message fans out to all of them in one commit). */
export const MAX_ENDPOINTS = 50;
/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A signing secret of an endpoint; `expiresAt` is set on the old one during a rotation. */
export interface EndpointSecret {
  /** As stored: sealed by the `SecretBox` when `SECRETS_KEY` is set, else (or if written before) plain. */
  secret: string;
  createdAt: string;
  expiresAt: string | null;
}

/** An outbound webhook endpoint as stored (secrets included, sealed: they are needed to sign). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: (WebhookEventType | "*")[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  /** Newest first. */
  secrets: EndpointSecret[];
  createdAt: string;
  updatedAt: string;
}

/** What the API shows of an endpoint: never its secrets. */
export interface EndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: (WebhookEventType | "*")[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the previous secret stops signing, during a rotation. */
  rotationEndsAt: string | null;
}

/** The public view of an endpoint. */
export function endpointView(endpoint: WebhookEndpoint, now = Date.now()): EndpointView {
  const old = endpoint.secrets.slice(1).map((s) => s.expiresAt).filter(
    (at): at is string => at !== null && Date.parse(at) > now,
  ).sort().at(-1) ?? null;
  return {
    id: endpoint.id,
    url: maskUrlCredentials(endpoint.url),
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    disabledAt: endpoint.disabledAt,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
    rotationEndsAt: old,
  };
}

/** The record name a secret of endpoint `id` is sealed with (its additional authenticated data). */
export function endpointSecretRecord(id: string): string {
  return `webhook-endpoint:${id}`;
}

/** The plain secrets of `secrets` (sealed to `record`) that are valid at `nowMs`: the current one and any inside its rotation window. */
export function openLiveSecrets(
  box: SecretBox,
  secrets: readonly EndpointSecret[],
  record: string,
  nowMs: number,
): Promise<string[]> {
  return Promise.all(
    secrets
      .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > nowMs)
      .map((s) => box.open(s.secret, record)),
  );
}

/** `secrets` with every one sealed to `record` (plain ones written before the key was set included). */
export function sealSecrets(
  box: SecretBox,
  secrets: readonly EndpointSecret[],
  record: string,
): Promise<EndpointSecret[]> {
  return Promise.all(
    secrets.map(async (s) => ({ ...s, secret: await box.seal(s.secret, record) })),
  );
}

/** The secrets that sign a delivery at `nowMs`, decrypted: the current one and any still inside its rotation window. */
export function signingSecrets(
  box: SecretBox,
  endpoint: WebhookEndpoint,
  nowMs: number,
): Promise<string[]> {
  return openLiveSecrets(box, endpoint.secrets, endpointSecretRecord(endpoint.id), nowMs);
}

/** True when `endpoint` wants messages of `type`. */
export function subscribes(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.eventTypes.includes("*") ||
    endpoint.eventTypes.includes(type as WebhookEventType);
}

function bumpVersion(op: Deno.AtomicOperation): Deno.AtomicOperation {
  return op.sum(webhookEndpointsVersionKey(), 1n);
}

/** Lists every endpoint, oldest first. */
export async function listEndpoints(kv: Deno.Kv): Promise<WebhookEndpoint[]> {
  const out: WebhookEndpoint[] = [];
  for await (const entry of kv.list<WebhookEndpoint>({ prefix: webhookEndpointsPrefix() })) {
    out.push(entry.value);
  }
  return out;
}

/** Reads one endpoint, or null. */
export async function getEndpoint(kv: Deno.Kv, id: string): Promise<WebhookEndpoint | null> {
  return (await kv.get<WebhookEndpoint>(webhookEndpointKey(id))).value;
}

/** Creates an endpoint with a fresh secret (sealed by `box`; returned plain once to the caller); null when `MAX_ENDPOINTS` exist. */
export async function createEndpoint(
  kv: Deno.Kv,
  box: SecretBox,
  input: {
    url: string;
    description: string;
    eventTypes: (WebhookEventType | "*")[];
    /** Checks the URL (400 when refused). */
    urlPolicy: UrlPolicy;
  },
  audit: Omit<AuditInput, "action" | "target">,
  now = new Date(),
): Promise<{ endpoint: WebhookEndpoint; secret: string } | null> {
  await assertUrlAllowed(input.urlPolicy, input.url);
  const existing = await listEndpoints(kv);
  if (existing.length >= MAX_ENDPOINTS) return null;
  const at = now.toISOString();
  const secret = newWebhookSecret();
  const id = `ep_${newUlid(now.getTime())}`;
  const endpoint: WebhookEndpoint = {
    id,
    url: input.url,
    description: input.description,
    eventTypes: [...new Set(input.eventTypes)],
    enabled: true,
    disabledReason: null,
    disabledAt: null,
    secrets: [{
      secret: await box.seal(secret, endpointSecretRecord(id)),
      createdAt: at,
      expiresAt: null,
    }],
    createdAt: at,
    updatedAt: at,
  };
  const op = kv.atomic()
    .check({ key: webhookEndpointKey(endpoint.id), versionstamp: null })
    .set(webhookEndpointKey(endpoint.id), endpoint);
  bumpVersion(op);
  addAudit(op, {
    ...audit,
    action: "webhook.created",
    target: endpoint.id,
    details: { url: endpoint.url, eventTypes: endpoint.eventTypes },
  }, now);
  await op.commit();
  return { endpoint, secret };
}

/** Changes to an endpoint; `enabled: true` also clears the disabled reason. */
export interface EndpointPatch {
  url?: string | undefined;
  description?: string | undefined;
  eventTypes?: (WebhookEventType | "*")[] | undefined;
  enabled?: boolean | undefined;
}

/** How `updateEndpoint` changes an endpoint. */
export interface EndpointUpdate {
  /** Seals every secret written. */
  box: SecretBox;
  /** The new endpoint from the stored one (a pure step, rerun on contention). */
  change: (endpoint: WebhookEndpoint) => WebhookEndpoint;
  /** Written in the same commit; null for none. */
  audit: AuditInput | null;
  /** The update's time (default: now). */
  now?: Date;
  /** Checks a changed URL (required to change it). */
  urlPolicy?: UrlPolicy;
}

/**
 * Applies `update.change` to an endpoint in a checked commit (retried on contention), bumping the
 * endpoints version and writing the audit entry with it; every secret is written sealed by the box
 * (so plain ones from before `SECRETS_KEY` was set get encrypted). Returns the new endpoint, or
 * null when absent.
 */
export async function updateEndpoint(
  kv: Deno.Kv,
  id: string,
  update: EndpointUpdate,
): Promise<WebhookEndpoint | null> {
  const { box, change, audit, now = new Date() } = update;
  return await commitWithRetry(async () => {
    const entry = await kv.get<WebhookEndpoint>(webhookEndpointKey(id));
    if (!entry.value) return { value: null };
    const changed = change(entry.value);
    if (changed.url !== entry.value.url) {
      if (!update.urlPolicy) throw new Error("Changing a webhook URL needs the URL policy");
      await assertUrlAllowed(update.urlPolicy, changed.url);
    }
    const updated = {
      ...changed,
      secrets: await sealSecrets(box, changed.secrets, endpointSecretRecord(id)),
      updatedAt: now.toISOString(),
    };
    const op = kv.atomic().check(entry).set(entry.key, updated);
    bumpVersion(op);
    if (audit) addAudit(op, audit, now);
    return { value: updated, op };
  }, { what: `update webhook endpoint ${id}` });
}

/** Throws a 400 naming why a webhook URL is refused by `policy`. */
async function assertUrlAllowed(policy: UrlPolicy, url: string): Promise<void> {
  const refusal = await policy.refusal(url);
  if (refusal) {
    throw new InvalidInputError(
      `Webhook URL refused: ${refusal} (WEBHOOK_ALLOW_PRIVATE=1 allows private addresses in development)`,
      { issues: [{ path: "url", message: refusal }] },
    );
  }
}

/** Applies a PATCH body to an endpoint (a pure step of `updateEndpoint`). */
export function patchEndpoint(
  endpoint: WebhookEndpoint,
  patch: EndpointPatch,
  now: Date,
): WebhookEndpoint {
  const next = { ...endpoint };
  if (patch.url !== undefined) next.url = patch.url;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.eventTypes !== undefined) next.eventTypes = [...new Set(patch.eventTypes)];
  if (patch.enabled === true && !endpoint.enabled) {
    next.enabled = true;
    next.disabledReason = null;
    next.disabledAt = null;
  }
  if (patch.enabled === false && endpoint.enabled) {
    next.enabled = false;
    next.disabledReason = "Disabled by an admin";
    next.disabledAt = now.toISOString();
  }
  return next;
}

/** Starts a secret rotation: a new current secret (plain: `updateEndpoint` seals it), the old ones signing on for `ROTATION_WINDOW_MS`. */
export function rotateSecret(
  endpoint: WebhookEndpoint,
  secret: string,
  now: Date,
): WebhookEndpoint {
  const nowMs = now.getTime();
  const windowEnd = new Date(nowMs + ROTATION_WINDOW_MS).toISOString();
  const previous = endpoint.secrets
    .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > nowMs)
    .map((s) => ({ ...s, expiresAt: s.expiresAt ?? windowEnd }));
  return {
    ...endpoint,
    secrets: [{ secret, createdAt: now.toISOString(), expiresAt: null }, ...previous],
  };
}

/** Turns an endpoint off because deliveries keep failing (or it answered 410), with the reason. */
export function disableEndpoint(
  endpoint: WebhookEndpoint,
  reason: string,
  now: Date,
): WebhookEndpoint {
  if (!endpoint.enabled) return endpoint;
  return { ...endpoint, enabled: false, disabledReason: reason, disabledAt: now.toISOString() };
}

/**
 * Deletes an endpoint, then its deliveries, attempts and figures in batches. Due-queue entries of
 * its deliveries are dropped by the worker when it meets them. False when there was no endpoint.
 */
export async function deleteEndpoint(
  kv: Deno.Kv,
  id: string,
  audit: Omit<AuditInput, "action" | "target">,
  now = new Date(),
): Promise<boolean> {
  const deleted = await commitWithRetry(async () => {
    const entry = await kv.get<WebhookEndpoint>(webhookEndpointKey(id));
    if (!entry.value) return { value: false };
    const op = kv.atomic().check(entry).delete(entry.key).delete(webhookEndpointHealthKey(id));
    bumpVersion(op);
    addAudit(op, {
      ...audit,
      action: "webhook.deleted",
      target: id,
      details: { url: entry.value.url },
    }, now);
    return { value: true, op };
  }, { what: `delete webhook endpoint ${id}` });
  if (!deleted) return false;
  for (
    const prefix of [
      webhookDeliveriesPrefix(id),
      webhookDeliveriesBySeqPrefix(id),
      webhookDeadLettersPrefix(id),
      webhookAttemptsPrefix(id),
    ]
  ) {
    let batch = kv.atomic();
    let size = 0;
    for await (const item of kv.list({ prefix })) {
      batch.delete(item.key);
      if (++size >= 500) {
        await batch.commit();
        batch = kv.atomic();
        size = 0;
      }
    }
    if (size > 0) await batch.commit();
  }
  return true;
}

/** The enabled endpoints and the version entry they were read at (processing commits check it). */
export interface EndpointSnapshot {
  versionEntry: Deno.KvEntryMaybe<Deno.KvU64>;
  endpoints: WebhookEndpoint[];
}

/** Reads the enabled endpoints, re-listing them only when the endpoints version changed. */
export interface EndpointCache {
  /** One KV read when nothing changed; a list of the endpoints otherwise. */
  load(): Promise<EndpointSnapshot>;
}

/** Creates an endpoint cache over `kv`, keyed on the endpoints version key. */
export function createEndpointCache(kv: Deno.Kv): EndpointCache {
  let cached: { versionstamp: string | null; endpoints: WebhookEndpoint[] } | null = null;
  return {
    async load() {
      const versionEntry = await kv.get<Deno.KvU64>(webhookEndpointsVersionKey());
      if (cached === null || cached.versionstamp !== versionEntry.versionstamp) {
        const all = await listEndpoints(kv);
        cached = {
          versionstamp: versionEntry.versionstamp,
          endpoints: all.filter((e) => e.enabled),
        };
      }
      return { versionEntry, endpoints: cached.endpoints };
    },
  };
}
