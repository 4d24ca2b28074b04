/**
 * Storing xAPI statements: validate, authorise, store each once by id (same content again is a
 * no-op, different content a 409), apply voiding, and turn the ones about a student's catalog
 * activity into progress events through the one intake path (`acceptEvents`).
 */
import { createHash } from "node:crypto";
import { getUser, getUserByUsername, normaliseUsername } from "../auth/account_store.ts";
import { actsForAnyUser, type Principal } from "../auth/principal.ts";
import { activityIdsByIri, getActivities } from "../catalog/catalog_store.ts";
import { canonicalJson, contentHash } from "../core/content_hash.ts";
import { type AttachmentContent, storeAttachments } from "./attachment_store.ts";
import { SIGNATURE_USAGE, signatureProblem } from "./signature.ts";
import { acceptEvents, type IntakeDeps, type IntakeResult } from "../events/intake.ts";
import type { StoredEvent } from "../core/event_schema.ts";
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  invalidInput,
  InvalidInputError,
  PayloadTooLargeError,
} from "../errors.ts";
import {
  activityIdFromIri,
  activityIri,
  actorUsername,
  isAboutStudent,
  mapStatementToProgress,
} from "./progress_mapping.ts";
import { referencedStatementId } from "./statement_query.ts";
import {
  getStatementRecords,
  MAX_STATEMENT_BYTES,
  newStoredSeq,
  type StatementRecord,
  storeStatements,
} from "./statement_store.ts";
import { type JsonObject, statementIssues, VOIDED_VERB } from "./statement_validation.ts";

/** Most statements accepted in one request. */
export const MAX_STATEMENTS_PER_REQUEST = 100;

/** Who sends statements, and where. */
export interface StatementContext {
  principal: Principal;
  /** The origin catalog activity IRIs are built on (`{origin}/activities/{activityId}`). */
  origin: string;
  now: Date;
  /** The xAPI version the request speaks (`1.0.x` or `2.0.x`): the default `version`. */
  version: string;
  /** Attachment content sent with the statements (`multipart/mixed`), by hash. */
  attachments?: readonly AttachmentContent[];
}

/** What storing did: the ids in request order, and the progress intake's result. */
export interface StatementsResult {
  ids: string[];
  progress: IntakeResult | null;
}

/** The agent the LRS records as a statement's `authority`: the token's owner. */
export async function authorityOf(
  deps: IntakeDeps,
  context: StatementContext,
): Promise<JsonObject> {
  const name = await studentUsername(deps.kv, context.principal) ?? context.principal.ownerId;
  return { objectType: "Agent", account: { homePage: context.origin, name } };
}

/** The username of the student a caller acts as (null for system and admin callers without one). */
export async function studentUsername(kv: Deno.Kv, principal: Principal): Promise<string | null> {
  if (principal.userId === null) return null;
  return principal.username ?? (await getUser(kv, principal.userId))?.username ?? null;
}

/** Hash of what the client sent, ignoring what the LRS sets (`id`, `stored`, `authority`, `version`). */
function statementHash(statement: JsonObject): Promise<string> {
  const { id: _id, stored: _stored, authority: _authority, version: _version, ...rest } = statement;
  return contentHash(rest);
}

/**
 * Validates and stores statements (`put`: the one statement of `PUT ?statementId=`). Any invalid
 * statement fails the request (400 naming each problem), a student writing about anyone else is
 * a 403, an id stored with different content is a 409; nothing is stored then.
 */
export async function acceptStatements(
  deps: IntakeDeps,
  body: unknown,
  context: StatementContext,
): Promise<StatementsResult> {
  const batch = Array.isArray(body);
  const items = batch ? body : [body];
  if (items.length === 0) throw new InvalidInputError("Invalid statements: send at least one");
  if (items.length > MAX_STATEMENTS_PER_REQUEST) {
    throw new PayloadTooLargeError(
      `Too many statements: at most ${MAX_STATEMENTS_PER_REQUEST} per request`,
    );
  }
  const issues: FieldIssue[] = items.flatMap((s, i) => statementIssues(s, batch ? `[${i}]` : ""));
  if (issues.length > 0) throw invalidInput(batch ? "statements" : "statement", issues);
  const statements = items as JsonObject[];
  const ids = statements.map((s) =>
    (typeof s.id === "string" ? s.id : crypto.randomUUID()).toLowerCase()
  );
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new InvalidInputError(`Invalid statements: id "${repeated}" appears twice`);
  const username = await authorise(deps, statements, context);
  const attachments = checkAttachments(statements, context.attachments ?? []);

  const stored = context.now.toISOString();
  const authority = await authorityOf(deps, context);
  const existing = await getStatementRecords(deps.kv, ids);
  const fresh: StatementRecord[] = [];
  const all: JsonObject[] = [];
  for (const [i, statement] of statements.entries()) {
    const id = ids[i]!;
    const hash = await statementHash(statement);
    const before = existing.get(id);
    if (before) {
      if (before.hash !== hash) throw conflict(id);
      all.push(before.statement);
      continue;
    }
    const record: StatementRecord = {
      statement: {
        ...withContextActivityArrays(statement),
        id,
        timestamp: statement.timestamp ?? stored,
        stored,
        authority,
        version: statement.version ?? (context.version.startsWith("2.") ? "2.0.0" : "1.0.0"),
      },
      hash,
      seq: newStoredSeq(context.now.getTime()),
    };
    if (canonicalJson(record).length > MAX_STATEMENT_BYTES) {
      throw new PayloadTooLargeError(
        `Statement "${id}" is too large: at most ${MAX_STATEMENT_BYTES} bytes each`,
      );
    }
    fresh.push(record);
    all.push(record.statement);
  }
  const voids = await voidTargets(deps, fresh, username);
  await storeAttachments(deps.kv, attachments);
  const lost = await storeStatements(deps.kv, fresh, voids);
  if (lost.length > 0) {
    const winners = await getStatementRecords(deps.kv, lost);
    for (const id of lost) {
      if (winners.get(id)?.hash !== fresh.find((r) => r.statement.id === id)?.hash) {
        throw conflict(id);
      }
    }
  }
  return { ids, progress: await recordProgress(deps, all, context) };
}

/** The attachment declarations of a statement and its sub-statement. */
export function declaredAttachments(statement: JsonObject): JsonObject[] {
  const own = Array.isArray(statement.attachments) ? statement.attachments as JsonObject[] : [];
  const object = statement.object as JsonObject | undefined;
  return object?.objectType === "SubStatement" ? [...own, ...declaredAttachments(object)] : own;
}

/**
 * The attachment content to store: every declared attachment without a `fileUrl` has its part,
 * every part is declared, SHA-256 hashes match the content, and signatures are well formed.
 */
function checkAttachments(
  statements: readonly JsonObject[],
  parts: readonly AttachmentContent[],
): AttachmentContent[] {
  const bySha = new Map(parts.map((p) => [p.sha2.toLowerCase(), p]));
  const declared = new Set<string>();
  for (const statement of statements) {
    for (const attachment of declaredAttachments(statement)) {
      const sha2 = String(attachment.sha2).toLowerCase();
      declared.add(sha2);
      const part = bySha.get(sha2);
      if (!part && attachment.fileUrl === undefined) {
        throw new InvalidInputError(
          `Attachment "${sha2}" has neither a fileUrl nor a content part`,
        );
      }
      if (part && attachment.usageType === SIGNATURE_USAGE) {
        const problem = signatureProblem(statement, attachment, part.body);
        if (problem) throw new InvalidInputError(`Invalid signed statement: ${problem}`);
      }
    }
  }
  for (const part of parts) {
    const sha2 = part.sha2.toLowerCase();
    if (!declared.has(sha2)) {
      throw new InvalidInputError(`Attachment part "${sha2}" is not declared by any statement`);
    }
    if (sha2.length === 64 && createHash("sha256").update(part.body).digest("hex") !== sha2) {
      throw new InvalidInputError(`Attachment part "${sha2}" does not match its hash`);
    }
  }
  return [...bySha.values()];
}

/** The statement with each context activity list as an array (a lone activity is allowed in). */
function withContextActivityArrays(statement: JsonObject): JsonObject {
  const out = { ...statement };
  const context = statement.context as JsonObject | undefined;
  const lists = context?.contextActivities as JsonObject | undefined;
  if (context && lists) {
    out.context = {
      ...context,
      contextActivities: Object.fromEntries(
        Object.entries(lists).map(([kind, list]) => [kind, Array.isArray(list) ? list : [list]]),
      ),
    };
  }
  const object = statement.object as JsonObject;
  if (object.objectType === "SubStatement") out.object = withContextActivityArrays(object);
  return out;
}

function conflict(id: string): ConflictError {
  return new ConflictError(
    `Cannot store statement "${id}": id already used with different content`,
  );
}

/** A student may write statements only about themselves (actor `account.name` = username). */
async function authorise(
  deps: IntakeDeps,
  statements: readonly JsonObject[],
  context: StatementContext,
): Promise<string | null> {
  const { principal } = context;
  if (actsForAnyUser(principal)) return null;
  if (principal.userId === null) {
    throw new ForbiddenError("Writing statements needs `events:write` or `system`");
  }
  const username = await studentUsername(deps.kv, principal) ?? principal.userId;
  for (const statement of statements) {
    if (!isAboutStudent(statement, username)) {
      throw new ForbiddenError(
        "A student's token may only send statements whose actor is that student (account.name = their username); use a `system` token for others",
      );
    }
  }
  return username;
}

/**
 * The statements the new voiding statements void (target → voiding id). A voiding statement's
 * target that is itself a voiding statement stays as it is; a student may void only their own.
 */
async function voidTargets(
  deps: IntakeDeps,
  fresh: readonly StatementRecord[],
  username: string | null,
): Promise<Map<string, string>> {
  const voiding = fresh.filter((r) => (r.statement.verb as JsonObject).id === VOIDED_VERB);
  const targets = voiding.map((r) => referencedStatementId(r.statement)!);
  const known = await getStatementRecords(deps.kv, targets);
  for (const r of fresh) known.set(r.statement.id as string, r);
  const out = new Map<string, string>();
  voiding.forEach((r, i) => {
    const target = known.get(targets[i]!);
    if (!target || (target.statement.verb as JsonObject).id === VOIDED_VERB) return;
    if (username !== null && !isAboutStudent(target.statement, username)) {
      throw new ForbiddenError(`Cannot void statement "${targets[i]}": it is not about you`);
    }
    out.set(targets[i]!, r.statement.id as string);
  });
  return out;
}

/**
 * Turns the statements about a student's catalog activity into progress events (the statement id
 * is the event id, so a statement sent again is a duplicate event) and accepts them.
 */
async function recordProgress(
  deps: IntakeDeps,
  statements: readonly JsonObject[],
  context: StatementContext,
): Promise<IntakeResult | null> {
  const iris = statements.map(activityIri);
  const registered = await activityIdsByIri(deps.kv, iris.filter((i) => i !== null));
  const activityIds = iris.map((iri) =>
    iri === null ? null : registered.get(iri) ?? activityIdFromIri(iri, context.origin)
  );
  const catalog = await getActivities(deps.kv, activityIds.filter((a) => a !== null));
  const users = new Map<string, string | null>();
  const events: StoredEvent[] = [];
  for (const [i, statement] of statements.entries()) {
    const activity = catalog.get(activityIds[i] ?? "");
    const name = actorUsername(statement);
    if (!activity || name === null) continue;
    const key = normaliseUsername(name);
    if (!users.has(key)) users.set(key, (await getUserByUsername(deps.kv, name))?.userId ?? null);
    const userId = users.get(key);
    const mapped = mapStatementToProgress(statement, activity);
    if (!userId || !mapped) continue;
    events.push({
      id: statement.id as string,
      userId,
      ...mapped,
      receivedAt: context.now.toISOString(),
      contentHash: await contentHash({ ...mapped, userId }),
    });
  }
  if (events.length === 0) return null;
  return await acceptEvents(deps, events, {
    callerUserId: context.principal.userId,
    label: "statements",
  });
}
