import { monotonicUlids } from "../ids.ts";
import type { Principal } from "../auth/principal.ts";
import { auditLogKey, auditLogPrefix } from "../kv_keys.ts";

/** How long audit entries are kept. */
export const AUDIT_TTL_MS = 90 * 24 * 60 * 60 * 1000;

/** What an audit entry records. */
export type AuditAction =
  | "admin.signed_in"
  | "admin.signed_out"
  | "account.erased"
  | "token.created"
  | "token.deleted"
  | "webhook.created"
  | "webhook.updated"
  | "webhook.deleted"
  | "webhook.secret_rotated"
  | "webhook.replayed"
  | "webhook.tested"
  | "webhook.disabled"
  | "webhook.dead_lettered"
  | "inbound_secret.set"
  | "inbound.rejected"
  | "repair.run"
  | "sync.processing_failed";

/** One entry of the audit log. */
export interface AuditEntry {
  id: string;
  at: string;
  /** Who did it: `admin`, a user id, `token:<id>`, or `system` for the service itself. */
  actor: string;
  action: AuditAction;
  /** What it was done to (an endpoint id, token id, system name…), if anything. */
  target: string | null;
  details: Record<string, unknown>;
}

/** What a caller passes to record an entry. */
export interface AuditInput {
  actor: string;
  action: AuditAction;
  target?: string | null;
  details?: Record<string, unknown>;
}

const nextAuditId = monotonicUlids();

/** The actor name of a principal: `admin` for the admin, else its owner id. */
export function actorOf(principal: Principal): string {
  return principal.scopes.includes("admin") ? "admin" : principal.ownerId;
}

/** Builds an entry (id and time from `now`). */
export function auditEntry(input: AuditInput, now = new Date()): AuditEntry {
  return {
    id: nextAuditId(now.getTime()),
    at: now.toISOString(),
    actor: input.actor,
    action: input.action,
    target: input.target ?? null,
    details: input.details ?? {},
  };
}

/** Adds an audit entry to an atomic operation, so it is written with the change it records. */
export function addAudit(
  op: Deno.AtomicOperation,
  input: AuditInput,
  now = new Date(),
): Deno.AtomicOperation {
  const entry = auditEntry(input, now);
  return op.set(auditLogKey(entry.id), entry, { expireIn: AUDIT_TTL_MS });
}

/** Writes one audit entry on its own. */
export async function recordAudit(kv: Deno.Kv, input: AuditInput, now = new Date()): Promise<void> {
  await addAudit(kv.atomic(), input, now).commit();
}

/** A page of the audit log, newest first, and the cursor for the next (older) page. */
export interface AuditPage {
  entries: AuditEntry[];
  cursor: string | null;
}

/** Lists audit entries newest first, older than `cursor` (an entry id), optionally of one action. */
export async function listAudit(
  kv: Deno.Kv,
  options: { cursor?: string; limit?: number; action?: string } = {},
): Promise<AuditPage> {
  const limit = options.limit ?? 50;
  const prefix = auditLogPrefix();
  const selector: Deno.KvListSelector = options.cursor
    ? { prefix, end: auditLogKey(options.cursor) }
    : { prefix };
  const entries: AuditEntry[] = [];
  let scanned = 0;
  let last: string | null = null;
  for await (const entry of kv.list<AuditEntry>(selector, { reverse: true })) {
    scanned++;
    last = entry.value.id;
    if (!options.action || entry.value.action === options.action) entries.push(entry.value);
    if (entries.length >= limit || scanned >= 5000) break;
  }
  const more = entries.length >= limit || scanned >= 5000;
  return { entries, cursor: more ? last : null };
}
