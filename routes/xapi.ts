import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { actsForAnyUser, type Principal } from "../lib/auth/principal.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { requireScope } from "../lib/http/auth_middleware.ts";
import { HttpError } from "../lib/http/http_error.ts";
import { publicOrigin } from "../lib/http/public_origin.ts";
import { readJson } from "../lib/http/read_json.ts";
import { invalidInput } from "../lib/http/validation.ts";
import { isAboutStudent } from "../lib/xapi/progress_mapping.ts";
import { type AttachmentContent, getAttachments } from "../lib/xapi/attachment_store.ts";
import { boundaryOf, buildMultipart, parseMultipart } from "../lib/xapi/multipart.ts";
import {
  acceptStatements,
  declaredAttachments,
  studentUsername,
} from "../lib/xapi/statement_intake.ts";
import {
  acceptedLanguages,
  formatStatement,
  matchesFilter,
  parseStatementQuery,
  referencedStatementId,
  type StatementFilter,
  type StatementFormat,
} from "../lib/xapi/statement_query.ts";
import {
  getStatementRecords,
  listStatementRecords,
  type StatementRecord,
  voidedIds,
} from "../lib/xapi/statement_store.ts";
import type { JsonObject } from "../lib/xapi/statement_validation.ts";

/** xAPI versions this LRS speaks (`GET /xapi/about`). */
export const XAPI_VERSIONS = ["1.0.3", "2.0.0"];
/** Most statements one listing looks at before it answers with what it found and a `more` link. */
const MAX_SCANNED = 5000;
const VERSION_HEADER = "X-Experience-API-Version";

function requestVersion(c: Context<AppEnv>): string {
  return c.req.header(VERSION_HEADER) ?? "";
}

/** True when the caller may read the statement: `system` reads all, a student their own. */
function canRead(principal: Principal, username: string | null, statement: JsonObject): boolean {
  return actsForAnyUser(principal) || (username !== null && isAboutStudent(statement, username));
}

/** Answers statements as JSON, or with `attachments` as multipart/mixed with their content. */
async function sendStatements(
  c: Context<AppEnv>,
  body: unknown,
  options: { attachments: JsonObject[] | null; lastModified?: string },
): Promise<Response> {
  if (options.lastModified) c.header("Last-Modified", new Date(options.lastModified).toUTCString());
  if (options.attachments === null) return c.json(body);
  const shas = options.attachments.flatMap(declaredAttachments).map((a) => String(a.sha2));
  const stored = await getAttachments(c.get("deps").kv, shas);
  const { body: bytes, contentType } = buildMultipart([
    {
      headers: { "Content-Type": "application/json" },
      body: new TextEncoder().encode(JSON.stringify(body)),
    },
    ...stored.map((a) => ({
      headers: {
        "Content-Type": a.contentType,
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": a.sha2,
      },
      body: a.body,
    })),
  ]);
  return c.body(bytes, 200, { "content-type": contentType });
}

function encodeMore(params: Record<string, string>, after: string): string {
  const json = JSON.stringify({ p: params, a: after });
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

function decodeMore(token: string): { params: Record<string, string>; after: string } {
  try {
    const bytes = Uint8Array.from(
      atob(token.replaceAll("-", "+").replaceAll("_", "/")),
      (ch) => ch.charCodeAt(0),
    );
    const { p, a } = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof a !== "string" || typeof p !== "object" || p === null) throw new Error("shape");
    return { params: p, after: a };
  } catch {
    throw new HttpError(400, "Invalid `more` link: follow a link this resource returned");
  }
}

/** Whether a statement, or the statement it refers to (a few levels deep), matches the filter. */
async function matchesWithReferences(
  kv: Deno.Kv,
  record: StatementRecord,
  filter: StatementFilter,
): Promise<boolean> {
  let statement = record.statement;
  for (let depth = 0; depth < 10; depth++) {
    if (matchesFilter(statement, filter)) return true;
    const target = referencedStatementId(statement);
    if (target === null) return false;
    const found = (await getStatementRecords(kv, [target])).get(target);
    if (!found) return false;
    statement = found.statement;
  }
  return false;
}

const hasTargetFilter = (f: StatementFilter) =>
  f.agent !== undefined || f.verb !== undefined || f.activity !== undefined ||
  f.registration !== undefined;

async function listPage(
  c: Context<AppEnv>,
  params: Record<string, string>,
  after?: string,
): Promise<Response> {
  const principal = requireScope(c, "progress:read", "system");
  const parsed = parseStatementQuery(params);
  if ("issues" in parsed) throw invalidInput("query", parsed.issues);
  const { query } = parsed;
  const { kv } = c.get("deps");
  const username = actsForAnyUser(principal)
    ? null
    : await studentUsername(c.get("deps").kv, principal);
  const languages = acceptedLanguages(c.req.header("accept-language"));
  const show = (s: JsonObject, format: StatementFormat) => formatStatement(s, format, languages);
  if (query.kind === "single") {
    const record = (await getStatementRecords(kv, [query.statementId])).get(query.statementId);
    const voided = record
      ? (await voidedIds(kv, [query.statementId])).has(query.statementId)
      : false;
    if (!record || voided !== query.voided || !canRead(principal, username, record.statement)) {
      throw new HttpError(404, "No such statement");
    }
    return await sendStatements(c, show(record.statement, query.format), {
      attachments: query.attachments ? [record.statement] : null,
      lastModified: record.statement.stored as string,
    });
  }
  const { filter } = query;
  const found: StatementRecord[] = [];
  let last: string | null = null;
  let scanned = 0;
  let more = false;
  const records = listStatementRecords(kv, {
    ascending: filter.ascending,
    ...(after === undefined ? {} : { after }),
    ...(filter.since === undefined ? {} : { sinceMs: filter.since }),
    ...(filter.until === undefined ? {} : { untilMs: filter.until }),
  });
  for await (const record of records) {
    if (found.length >= filter.limit || scanned >= MAX_SCANNED) {
      more = true;
      break;
    }
    scanned++;
    last = record.seq;
    if (!canRead(principal, username, record.statement)) continue;
    if (hasTargetFilter(filter) && !await matchesWithReferences(kv, record, filter)) continue;
    found.push(record);
  }
  const voided = await voidedIds(kv, found.map((r) => r.statement.id as string));
  const statements = found.filter((r) => !voided.has(r.statement.id as string))
    .map((r) => show(r.statement, query.format));
  const base = c.req.path.replace(/\/statements(\/more\/[^/]*)?$/, "");
  return sendStatements(c, {
    statements,
    more: more && last !== null ? `${base}/statements/more/${encodeMore(params, last)}` : "",
  }, { attachments: query.attachments ? statements : null });
}

/** `/xapi`: an xAPI Learning Record Store's statements resource (xAPI 1.0.3, and 2.0). */
export const xapiRoutes = new Hono<AppEnv>()
  .use(
    "*",
    cors({
      origin: "*",
      allowMethods: ["GET", "HEAD", "POST", "PUT", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", VERSION_HEADER],
      exposeHeaders: [VERSION_HEADER, "X-Experience-API-Consistent-Through", "Last-Modified"],
    }),
  )
  .use("*", async function xapiVersion(c, next) {
    const version = requestVersion(c);
    c.header(VERSION_HEADER, version.startsWith("2.") ? "2.0.0" : "1.0.3");
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      c.header("X-Experience-API-Consistent-Through", new Date().toISOString());
    }
    if (c.req.method !== "OPTIONS" && !c.req.path.endsWith("/about")) {
      if (version === "") {
        throw new HttpError(400, `Missing header ${VERSION_HEADER}: send "1.0.3" (or "2.0.0")`);
      }
      if (!/^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/.test(version)) {
        throw new HttpError(400, `Unsupported ${VERSION_HEADER} "${version}": use 1.0.x or 2.0.x`);
      }
    }
    await next();
  })
  .get("/about", (c) => c.json({ version: XAPI_VERSIONS, extensions: {} }))
  .post("/statements", async (c) => {
    const principal = requireScope(c, "events:write", "system");
    const params = c.req.queries();
    if (Object.keys(params).length > 0) {
      throw new HttpError(400, "POST /xapi/statements takes no query parameters");
    }
    const { body, attachments } = await readStatementBody(c);
    const { ids } = await acceptStatements(c.get("deps"), body, {
      principal,
      attachments,
      origin: publicOrigin(c),
      now: new Date(),
      version: requestVersion(c),
    });
    return c.json(ids, 200);
  })
  .put("/statements", async (c) => {
    const principal = requireScope(c, "events:write", "system");
    const params = c.req.query();
    const extra = Object.keys(params).filter((k) => k !== "statementId");
    if (extra.length > 0) throw new HttpError(400, `Unknown parameter "${extra[0]}"`);
    const statementId = params.statementId;
    if (statementId === undefined) {
      throw new HttpError(400, "PUT needs the `statementId` parameter");
    }
    const { body, attachments } = await readStatementBody(c);
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new HttpError(400, "PUT takes one statement (a JSON object)");
    }
    const statement = body as JsonObject;
    if (
      statement.id !== undefined && String(statement.id).toLowerCase() !== statementId.toLowerCase()
    ) {
      throw new HttpError(400, "The statement's id differs from the `statementId` parameter");
    }
    await acceptStatements(c.get("deps"), { ...statement, id: statementId }, {
      principal,
      attachments,
      origin: publicOrigin(c),
      now: new Date(),
      version: requestVersion(c),
    });
    return c.body(null, 204);
  })
  .get("/statements", (c) => listPage(c, c.req.query()))
  .get("/statements/more/:token", (c) => {
    const { params, after } = decodeMore(c.req.param("token"));
    return listPage(c, params, after);
  });

/**
 * The statements of a POST or PUT: JSON, or `multipart/mixed` with the statements first and one
 * part per attachment (named by `X-Experience-API-Hash`, sent as binary).
 */
async function readStatementBody(
  c: Context<AppEnv>,
): Promise<{ body: unknown; attachments: AttachmentContent[] }> {
  const type = (c.req.header("content-type") ?? "").toLowerCase();
  if (type.startsWith("application/json")) return { body: await readJson(c), attachments: [] };
  const boundary = type.startsWith("multipart/mixed")
    ? boundaryOf(c.req.header("content-type")!)
    : null;
  if (boundary === null) {
    throw new HttpError(
      400,
      "Send statements as application/json (or multipart/mixed with a boundary)",
    );
  }
  const parts = parseMultipart(new Uint8Array(await c.req.arrayBuffer()), boundary);
  const [first, ...rest] = parts ?? [];
  if (
    !first || !(first.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")
  ) {
    throw new HttpError(
      400,
      "A multipart/mixed request must start with the statements as application/json",
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(first.body));
  } catch {
    throw new HttpError(400, "Malformed JSON in the statements part");
  }
  const attachments = rest.map((part) => {
    const sha2 = part.headers["x-experience-api-hash"];
    if (!sha2) {
      throw new HttpError(400, "Every attachment part needs an X-Experience-API-Hash header");
    }
    if ((part.headers["content-transfer-encoding"] ?? "").toLowerCase() !== "binary") {
      throw new HttpError(
        400,
        "Attachment parts must be sent with Content-Transfer-Encoding: binary",
      );
    }
    return {
      sha2,
      contentType: part.headers["content-type"] ?? "application/octet-stream",
      body: part.body,
    };
  });
  return { body, attachments };
}
