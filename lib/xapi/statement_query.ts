/**
 * The statement resource's query (xAPI 1.0.3 §2.1.3): parameters, filters and formats, as pure
 * functions over stored statements.
 */
import type { FieldIssue } from "../errors.ts";
import {
  agentIssues,
  isIri,
  isTimestamp,
  isUuid,
  type JsonObject,
  normaliseTimestamp,
} from "./statement_validation.ts";

/** Most statements one page of `GET /xapi/statements` holds (also what `limit=0` means). */
export const MAX_PAGE_SIZE = 100;

/** Parameters of a filtered query (everything but `statementId` and `voidedStatementId`). */
export interface StatementFilter {
  agent?: JsonObject;
  verb?: string;
  activity?: string;
  registration?: string;
  relatedActivities: boolean;
  relatedAgents: boolean;
  /** Epoch ms, exclusive. */
  since?: number;
  /** Epoch ms, inclusive. */
  until?: number;
  limit: number;
  ascending: boolean;
}

/** How statements are shown: as stored, ids only, or with one language per map. */
export type StatementFormat = "exact" | "ids" | "canonical";

/** A parsed `GET /xapi/statements` query. */
export type StatementQuery =
  | {
    kind: "single";
    statementId: string;
    voided: boolean;
    format: StatementFormat;
    attachments: boolean;
  }
  | { kind: "filter"; filter: StatementFilter; format: StatementFormat; attachments: boolean };

const FILTER_PARAMS = [
  "agent",
  "verb",
  "activity",
  "registration",
  "related_activities",
  "related_agents",
  "since",
  "until",
  "limit",
  "ascending",
];
const COMMON_PARAMS = ["format", "attachments"];

/** Parses the query parameters of `GET /xapi/statements`; every problem is listed. */
export function parseStatementQuery(
  params: Record<string, string>,
): { query: StatementQuery } | { issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const bad = (path: string, message: string) => issues.push({ path, message });
  const single = ["statementId", "voidedStatementId"].filter((k) => params[k] !== undefined);
  const known = [...FILTER_PARAMS, ...COMMON_PARAMS, "statementId", "voidedStatementId"];
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) bad(key, "Is not a parameter of the statement resource");
  }
  const bool = (key: string): boolean => {
    const value = params[key];
    if (value === undefined) return false;
    if (value !== "true" && value !== "false") bad(key, 'Must be "true" or "false"');
    return value === "true";
  };
  const format = (params.format ?? "exact") as StatementFormat;
  if (!["exact", "ids", "canonical"].includes(format)) {
    bad("format", 'Must be "exact", "ids" or "canonical"');
  }
  const attachments = bool("attachments");
  if (single.length > 0) {
    if (single.length > 1) bad(single[1]!, "Use statementId or voidedStatementId, not both");
    for (const key of FILTER_PARAMS) {
      if (params[key] !== undefined) bad(key, `Not allowed with ${single[0]}`);
    }
    const id = params[single[0]!]!;
    if (!isUuid(id)) bad(single[0]!, "Must be a UUID");
    if (issues.length > 0) return { issues };
    return {
      query: {
        kind: "single",
        statementId: id.toLowerCase(),
        voided: single[0] === "voidedStatementId",
        format,
        attachments,
      },
    };
  }
  const filter: StatementFilter = {
    relatedActivities: bool("related_activities"),
    relatedAgents: bool("related_agents"),
    ascending: bool("ascending"),
    limit: MAX_PAGE_SIZE,
  };
  if (params.agent !== undefined) {
    let agent: unknown = null;
    try {
      agent = JSON.parse(params.agent);
    } catch {
      bad("agent", "Must be a JSON Agent or Group");
    }
    if (agent !== null) {
      const problems = agentIssues(agent);
      if (problems.length > 0) issues.push(...problems);
      else filter.agent = agent as JsonObject;
    }
  }
  if (params.verb !== undefined) {
    if (isIri(params.verb)) filter.verb = params.verb;
    else bad("verb", "Must be an IRI");
  }
  if (params.activity !== undefined) {
    if (isIri(params.activity)) filter.activity = params.activity;
    else bad("activity", "Must be an IRI");
  }
  if (params.registration !== undefined) {
    if (isUuid(params.registration)) filter.registration = params.registration.toLowerCase();
    else bad("registration", "Must be a UUID");
  }
  for (const key of ["since", "until"] as const) {
    const value = params[key];
    if (value === undefined) continue;
    if (isTimestamp(value)) filter[key] = Date.parse(normaliseTimestamp(value));
    else bad(key, "Must be an ISO 8601 date-time");
  }
  if (params.limit !== undefined) {
    const limit = Number(params.limit);
    if (!/^\d+$/.test(params.limit) || !Number.isSafeInteger(limit)) {
      bad("limit", "Must be a whole number (0 for the server's maximum)");
    } else filter.limit = limit === 0 ? MAX_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE);
  }
  if (issues.length > 0) return { issues };
  return { query: { kind: "filter", filter, format, attachments } };
}

/** The identifying part of an Agent or Group (its IFI), as a comparable string; null when anonymous. */
export function agentIdentity(agent: unknown): string | null {
  if (agent === null || typeof agent !== "object") return null;
  const a = agent as JsonObject;
  if (typeof a.mbox === "string") return `mbox:${a.mbox.toLowerCase()}`;
  if (typeof a.mbox_sha1sum === "string") return `sha1:${a.mbox_sha1sum.toLowerCase()}`;
  if (typeof a.openid === "string") return `openid:${a.openid}`;
  const account = a.account as JsonObject | undefined;
  if (account && typeof account.homePage === "string" && typeof account.name === "string") {
    return `account:${account.homePage}\u0000${account.name}`;
  }
  return null;
}

function objectOf(statement: JsonObject): JsonObject {
  return (statement.object ?? {}) as JsonObject;
}

function isActor(value: JsonObject): boolean {
  return value.objectType === "Agent" || value.objectType === "Group";
}

function agentsOf(statement: JsonObject, related: boolean): unknown[] {
  const object = objectOf(statement);
  const agents: unknown[] = [statement.actor];
  if (isActor(object)) agents.push(object);
  if (!related) return agents;
  const context = (statement.context ?? {}) as JsonObject;
  agents.push(statement.authority, context.instructor, context.team);
  for (const list of [context.contextAgents, context.contextGroups]) {
    if (Array.isArray(list)) { for (const e of list) agents.push(e?.agent ?? e?.group); }
  }
  if (object.objectType === "SubStatement") agents.push(...agentsOf(object, true));
  return agents.flatMap((a) => {
    const members = (a as JsonObject | undefined)?.member;
    return Array.isArray(members) ? [a, ...members] : [a];
  });
}

function activitiesOf(statement: JsonObject, related: boolean): string[] {
  const object = objectOf(statement);
  const ids: string[] = [];
  if ((object.objectType ?? "Activity") === "Activity" && typeof object.id === "string") {
    ids.push(object.id);
  }
  if (!related) return ids;
  const contextActivities = ((statement.context ?? {}) as JsonObject).contextActivities;
  if (contextActivities && typeof contextActivities === "object") {
    for (const list of Object.values(contextActivities as JsonObject)) {
      for (const a of Array.isArray(list) ? list : [list]) {
        if (typeof a?.id === "string") ids.push(a.id);
      }
    }
  }
  if (object.objectType === "SubStatement") ids.push(...activitiesOf(object, true));
  return ids;
}

/** True when the statement itself matches the filter's agent, verb, activity and registration. */
export function matchesFilter(statement: JsonObject, filter: StatementFilter): boolean {
  if (filter.verb !== undefined && (statement.verb as JsonObject).id !== filter.verb) return false;
  if (filter.registration !== undefined) {
    const registration = ((statement.context ?? {}) as JsonObject).registration;
    if (typeof registration !== "string" || registration.toLowerCase() !== filter.registration) {
      return false;
    }
  }
  if (filter.activity !== undefined) {
    if (!activitiesOf(statement, filter.relatedActivities).includes(filter.activity)) return false;
  }
  if (filter.agent !== undefined) {
    const wanted = agentIdentity(filter.agent);
    const found = agentsOf(statement, filter.relatedAgents).some((a) =>
      agentIdentity(a) === wanted
    );
    if (!found) return false;
  }
  return true;
}

/** The statement a `StatementRef` object points at, if any. */
export function referencedStatementId(statement: JsonObject): string | null {
  const object = objectOf(statement);
  return object.objectType === "StatementRef" && typeof object.id === "string"
    ? object.id.toLowerCase()
    : null;
}

function idsOnly(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const v = value as JsonObject;
  if (
    v.objectType === "Agent" || v.objectType === "Group" || "mbox" in v || "account" in v ||
    "openid" in v || "mbox_sha1sum" in v
  ) {
    const out: JsonObject = {};
    for (const key of ["objectType", "mbox", "mbox_sha1sum", "openid", "account"]) {
      if (v[key] !== undefined) out[key] = v[key];
    }
    if (Array.isArray(v.member) && agentIdentity(v) === null) out.member = v.member.map(idsOnly);
    return out;
  }
  return v;
}

function activityIdOnly(value: unknown): unknown {
  const v = value as JsonObject;
  return v.objectType === undefined || v.objectType === "Activity" ? { id: v.id } : v;
}

function mapContextActivities(value: unknown, fn: (a: unknown) => unknown): unknown {
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as JsonObject).map((
      [k, list],
    ) => [k, Array.isArray(list) ? list.map(fn) : fn(list)]),
  );
}

function withIdsOnly(statement: JsonObject): JsonObject {
  const out: JsonObject = {
    ...statement,
    actor: idsOnly(statement.actor),
    verb: { id: (statement.verb as JsonObject).id },
  };
  const object = objectOf(statement);
  out.object = object.objectType === "SubStatement"
    ? withIdsOnly(object)
    : isActor(object)
    ? idsOnly(object)
    : activityIdOnly(object);
  if (statement.authority) out.authority = idsOnly(statement.authority);
  if (statement.context) {
    const context = { ...(statement.context as JsonObject) };
    if (context.instructor) context.instructor = idsOnly(context.instructor);
    if (context.team) context.team = idsOnly(context.team);
    if (context.contextActivities) {
      context.contextActivities = mapContextActivities(context.contextActivities, activityIdOnly);
    }
    out.context = context;
  }
  return out;
}

function pickLanguage(map: JsonObject, languages: readonly string[]): JsonObject {
  const tags = Object.keys(map);
  const tag = languages.map((l) => tags.find((t) => t.toLowerCase() === l.toLowerCase()))
    .find((t) => t !== undefined) ??
    languages.map((l) =>
      tags.find((t) => t.toLowerCase().split("-")[0] === l.toLowerCase().split("-")[0])
    )
      .find((t) => t !== undefined) ??
    tags[0];
  return tag === undefined ? map : { [tag]: map[tag] };
}

const LANGUAGE_MAPS = new Set(["display", "name", "description"]);

function canonical(value: unknown, languages: readonly string[], key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, languages));
  if (value === null || typeof value !== "object") return value;
  if (key === "extensions") return value;
  if (LANGUAGE_MAPS.has(key) && Object.values(value).every((v) => typeof v === "string")) {
    return pickLanguage(value as JsonObject, languages);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v, languages, k)]));
}

/** A stored statement in the requested format (`canonical` keeps one language per map). */
export function formatStatement(
  statement: JsonObject,
  format: StatementFormat,
  languages: readonly string[] = [],
): JsonObject {
  if (format === "ids") return withIdsOnly(statement);
  if (format === "canonical") return canonical(statement, languages) as JsonObject;
  return statement;
}

/** The languages of an `Accept-Language` header, most preferred first. */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header.split(",").map((part) => {
    const [tag, ...rest] = part.trim().split(";");
    const q = rest.find((r) => r.trim().startsWith("q="));
    return { tag: tag!.trim(), q: q ? Number(q.trim().slice(2)) : 1 };
  }).filter((l) => l.tag !== "" && l.tag !== "*" && l.q > 0).sort((a, b) => b.q - a.q)
    .map((l) => l.tag);
}
