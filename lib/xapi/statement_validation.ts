/**
 * xAPI statement validation (xAPI 1.0.3 §2, with 2.0's context agents and groups): every rule an
 * LRS must enforce before storing, as a pure function that lists each problem with its path.
 *
 * Longer than 400 lines on purpose: it is one specification section (the statement rules),
 * kept together so each rule can be checked against the spec and the conformance suite in order.
 */
import type { FieldIssue } from "../errors.ts";

/** A JSON object as received. */
export type JsonObject = Record<string, unknown>;

/** The verb that voids the statement its `StatementRef` object points at. */
export const VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IRI = /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/i;
const LANGUAGE_TAG = /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/i;
const MBOX = /^mailto:[^@\s]+@[^@\s]+$/;
const SHA1 = /^[0-9a-f]{40}$/i;
const DURATION =
  /^P((?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?|\d+(\.\d+)?W)$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const VERSION = /^(1\.0(\.\d+)?|2\.0(\.\d+)?)$/;
const INTERACTION_TYPES = [
  "true-false",
  "choice",
  "fill-in",
  "long-fill-in",
  "matching",
  "performance",
  "sequencing",
  "likert",
  "numeric",
  "other",
];
/** Which interaction component lists each interaction type may carry. */
const COMPONENTS_BY_TYPE: Record<string, readonly string[]> = {
  choice: ["choices"],
  sequencing: ["choices"],
  likert: ["scale"],
  matching: ["source", "target"],
  performance: ["steps"],
};
const COMPONENT_LISTS = ["choices", "scale", "source", "target", "steps"];
const CONTEXT_ACTIVITY_KINDS = ["parent", "grouping", "category", "other"];

class Checker {
  readonly issues: FieldIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  object(
    value: unknown,
    path: string,
    allowed: readonly string[],
    options: { mayBeEmpty?: boolean } = {},
  ): value is JsonObject {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.add(path, "Must be a JSON object");
      return false;
    }
    const keys = Object.keys(value);
    if (keys.length === 0 && !options.mayBeEmpty) this.add(path, "Must not be empty");
    for (const key of keys) {
      if (!allowed.includes(key)) this.add(`${path}.${key}`, "Is not a property of this object");
      else if ((value as JsonObject)[key] === null) this.add(`${path}.${key}`, "Must not be null");
    }
    return true;
  }

  string(value: unknown, path: string, pattern?: RegExp, what = "a string"): value is string {
    if (typeof value !== "string" || (pattern && !pattern.test(value))) {
      this.add(path, `Must be ${what}`);
      return false;
    }
    return true;
  }

  iri(value: unknown, path: string): value is string {
    return this.string(value, path, IRI, "an absolute IRI");
  }

  uuid(value: unknown, path: string): value is string {
    return this.string(value, path, UUID, "a UUID");
  }

  boolean(value: unknown, path: string): void {
    if (typeof value !== "boolean") this.add(path, "Must be true or false");
  }

  number(value: unknown, path: string): value is number {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.add(path, "Must be a number");
      return false;
    }
    return true;
  }

  timestamp(value: unknown, path: string): void {
    if (!this.string(value, path, TIMESTAMP, "an ISO 8601 date-time")) return;
    if (/-00(:?00)?$/.test(value)) this.add(path, 'Must not use the offset "-00:00"');
    else if (!Number.isFinite(Date.parse(normaliseTimestamp(value)))) {
      this.add(path, "Must be a valid date-time");
    }
  }

  languageMap(value: unknown, path: string): void {
    if (!this.object(value, path, Object.keys(value ?? {}))) return;
    for (const [tag, text] of Object.entries(value)) {
      if (!LANGUAGE_TAG.test(tag)) this.add(`${path}.${tag}`, "Must be keyed by a language tag");
      if (text !== null) this.string(text, `${path}.${tag}`);
    }
  }

  extensions(value: unknown, path: string): void {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.add(path, "Must be a JSON object");
      return;
    }
    for (const key of Object.keys(value)) {
      if (!IRI.test(key)) this.add(`${path}.${key}`, "Extension keys must be absolute IRIs");
    }
  }

  account(value: unknown, path: string): void {
    if (!this.object(value, path, ["homePage", "name"])) return;
    this.iri(value.homePage, `${path}.homePage`);
    this.string(value.name, `${path}.name`);
  }

  /** An Agent or Group; `group` forces (true) or forbids (false) groups. */
  actor(value: unknown, path: string, options: { group?: boolean } = {}): void {
    const kind = (value as JsonObject | null)?.objectType;
    const isGroup = kind === "Group";
    const allowed = ["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"];
    if (!this.object(value, path, isGroup ? [...allowed, "member"] : allowed)) return;
    if (kind !== undefined && kind !== "Agent" && kind !== "Group") {
      this.add(`${path}.objectType`, 'Must be "Agent" or "Group"');
      return;
    }
    if (options.group === true && !isGroup) this.add(`${path}.objectType`, 'Must be "Group"');
    if (options.group === false && isGroup) this.add(`${path}.objectType`, "Must be an Agent");
    if (value.name !== undefined) this.string(value.name, `${path}.name`);
    const ifis = ["mbox", "mbox_sha1sum", "openid", "account"].filter((k) =>
      value[k] !== undefined
    );
    if (value.mbox !== undefined) {
      this.string(value.mbox, `${path}.mbox`, MBOX, 'a "mailto:" email address');
    }
    if (value.mbox_sha1sum !== undefined) {
      this.string(value.mbox_sha1sum, `${path}.mbox_sha1sum`, SHA1, "a hex SHA-1");
    }
    if (value.openid !== undefined) this.iri(value.openid, `${path}.openid`);
    if (value.account !== undefined) this.account(value.account, `${path}.account`);
    if (ifis.length > 1) {
      this.add(path, "Must have exactly one identifier (mbox, mbox_sha1sum, openid or account)");
    }
    if (!isGroup) {
      if (ifis.length === 0) {
        this.add(path, "An Agent needs one identifier (mbox, mbox_sha1sum, openid or account)");
      }
      return;
    }
    if (ifis.length === 0 && value.member === undefined) {
      this.add(`${path}.member`, "An anonymous Group needs its members");
    }
    if (value.member !== undefined) {
      if (!Array.isArray(value.member)) this.add(`${path}.member`, "Must be an array of Agents");
      else {
        if (ifis.length === 0 && value.member.length === 0) {
          this.add(`${path}.member`, "An anonymous Group needs its members");
        }
        value.member.forEach((m, i) => this.actor(m, `${path}.member[${i}]`, { group: false }));
      }
    }
  }

  verb(value: unknown, path: string): void {
    if (!this.object(value, path, ["id", "display"])) return;
    this.iri(value.id, `${path}.id`);
    if (value.display !== undefined) this.languageMap(value.display, `${path}.display`);
  }

  activity(value: unknown, path: string): void {
    if (!this.object(value, path, ["objectType", "id", "definition"])) return;
    if (value.objectType !== undefined && value.objectType !== "Activity") {
      this.add(`${path}.objectType`, 'Must be "Activity"');
    }
    this.iri(value.id, `${path}.id`);
    if (value.definition !== undefined) this.definition(value.definition, `${path}.definition`);
  }

  definition(value: unknown, path: string): void {
    const allowed = [
      "name",
      "description",
      "type",
      "moreInfo",
      "extensions",
      "interactionType",
      "correctResponsesPattern",
      ...COMPONENT_LISTS,
    ];
    if (!this.object(value, path, allowed, { mayBeEmpty: true })) return;
    if (value.name !== undefined) this.languageMap(value.name, `${path}.name`);
    if (value.description !== undefined) this.languageMap(value.description, `${path}.description`);
    if (value.type !== undefined) this.iri(value.type, `${path}.type`);
    if (value.moreInfo !== undefined) this.iri(value.moreInfo, `${path}.moreInfo`);
    if (value.extensions !== undefined) this.extensions(value.extensions, `${path}.extensions`);
    const type = value.interactionType;
    if (type !== undefined && (typeof type !== "string" || !INTERACTION_TYPES.includes(type))) {
      this.add(`${path}.interactionType`, `Must be one of ${INTERACTION_TYPES.join(", ")}`);
    }
    const interaction = ["correctResponsesPattern", ...COMPONENT_LISTS].find((k) =>
      value[k] !== undefined
    );
    if (interaction !== undefined && type === undefined) {
      this.add(`${path}.interactionType`, `Required with ${interaction}`);
    }
    if (value.correctResponsesPattern !== undefined) {
      const pattern = value.correctResponsesPattern;
      if (!Array.isArray(pattern) || pattern.some((p) => typeof p !== "string")) {
        this.add(`${path}.correctResponsesPattern`, "Must be an array of strings");
      }
    }
    for (const list of COMPONENT_LISTS) {
      if (value[list] === undefined) continue;
      if (typeof type !== "string" || !(COMPONENTS_BY_TYPE[type] ?? []).includes(list)) {
        this.add(`${path}.${list}`, `Not allowed for interactionType ${String(type)}`);
      }
      this.components(value[list], `${path}.${list}`);
    }
  }

  components(value: unknown, path: string): void {
    if (!Array.isArray(value)) {
      this.add(path, "Must be an array of interaction components");
      return;
    }
    const ids = new Set<unknown>();
    value.forEach((component, i) => {
      if (!this.object(component, `${path}[${i}]`, ["id", "description"])) return;
      this.string(component.id, `${path}[${i}].id`);
      if (ids.has(component.id)) this.add(`${path}[${i}].id`, "Must be unique in the list");
      ids.add(component.id);
      if (component.description !== undefined) {
        this.languageMap(component.description, `${path}[${i}].description`);
      }
    });
  }

  statementRef(value: unknown, path: string): void {
    if (!this.object(value, path, ["objectType", "id"])) return;
    if (value.objectType !== "StatementRef") {
      this.add(`${path}.objectType`, 'Must be "StatementRef"');
    }
    this.uuid(value.id, `${path}.id`);
  }

  statementObject(value: unknown, path: string, sub: boolean): void {
    const kind = (value as JsonObject | null)?.objectType;
    if (kind === undefined || kind === "Activity") this.activity(value, path);
    else if (kind === "Agent" || kind === "Group") this.actor(value, path);
    else if (kind === "StatementRef") this.statementRef(value, path);
    else if (kind === "SubStatement" && !sub) this.statement(value, path, { sub: true });
    else {this.add(
        `${path}.objectType`,
        sub && kind === "SubStatement"
          ? "A SubStatement must not hold another SubStatement"
          : 'Must be "Activity", "Agent", "Group", "StatementRef" or "SubStatement"',
      );}
  }

  result(value: unknown, path: string): void {
    const allowed = ["score", "success", "completion", "response", "duration", "extensions"];
    if (!this.object(value, path, allowed)) return;
    if (value.success !== undefined) this.boolean(value.success, `${path}.success`);
    if (value.completion !== undefined) this.boolean(value.completion, `${path}.completion`);
    if (value.response !== undefined) this.string(value.response, `${path}.response`);
    if (value.duration !== undefined) {
      this.string(value.duration, `${path}.duration`, DURATION, "an ISO 8601 duration");
    }
    if (value.extensions !== undefined) this.extensions(value.extensions, `${path}.extensions`);
    if (value.score !== undefined) this.score(value.score, `${path}.score`);
  }

  score(value: unknown, path: string): void {
    if (!this.object(value, path, ["scaled", "raw", "min", "max"])) return;
    const n = (key: string) =>
      value[key] !== undefined && this.number(value[key], `${path}.${key}`)
        ? value[key] as number
        : null;
    const [scaled, raw, min, max] = [n("scaled"), n("raw"), n("min"), n("max")];
    if (scaled !== null && (scaled < -1 || scaled > 1)) {
      this.add(`${path}.scaled`, "Must be between -1 and 1");
    }
    if (min !== null && max !== null && min >= max) this.add(`${path}.min`, "Must be below max");
    if (raw !== null && min !== null && raw < min) this.add(`${path}.raw`, "Must not be below min");
    if (raw !== null && max !== null && raw > max) this.add(`${path}.raw`, "Must not be above max");
  }

  context(value: unknown, path: string, objectIsActivity: boolean): void {
    const allowed = [
      "registration",
      "instructor",
      "team",
      "contextActivities",
      "contextAgents",
      "contextGroups",
      "revision",
      "platform",
      "language",
      "statement",
      "extensions",
    ];
    if (!this.object(value, path, allowed)) return;
    if (value.registration !== undefined) this.uuid(value.registration, `${path}.registration`);
    if (value.instructor !== undefined) this.actor(value.instructor, `${path}.instructor`);
    if (value.team !== undefined) this.actor(value.team, `${path}.team`, { group: true });
    for (const key of ["revision", "platform"]) {
      if (value[key] === undefined) continue;
      this.string(value[key], `${path}.${key}`);
      if (!objectIsActivity) {
        this.add(`${path}.${key}`, "Only allowed when the object is an Activity");
      }
    }
    if (value.language !== undefined) {
      this.string(value.language, `${path}.language`, LANGUAGE_TAG, "a language tag");
    }
    if (value.statement !== undefined) this.statementRef(value.statement, `${path}.statement`);
    if (value.extensions !== undefined) this.extensions(value.extensions, `${path}.extensions`);
    if (value.contextActivities !== undefined) {
      const activities = value.contextActivities;
      if (this.object(activities, `${path}.contextActivities`, CONTEXT_ACTIVITY_KINDS)) {
        for (const [kind, list] of Object.entries(activities)) {
          const items = Array.isArray(list) ? list : [list];
          items.forEach((a, i) => this.activity(a, `${path}.contextActivities.${kind}[${i}]`));
        }
      }
    }
    this.contextList(value.contextAgents, `${path}.contextAgents`, "agent", false);
    this.contextList(value.contextGroups, `${path}.contextGroups`, "group", true);
  }

  contextList(value: unknown, path: string, key: string, group: boolean): void {
    if (value === undefined) return;
    if (!Array.isArray(value)) {
      this.add(path, "Must be an array");
      return;
    }
    value.forEach((entry, i) => {
      if (!this.object(entry, `${path}[${i}]`, ["objectType", key, "relevantTypes"])) return;
      if (entry.objectType !== (group ? "contextGroup" : "contextAgent")) {
        this.add(
          `${path}[${i}].objectType`,
          `Must be "${group ? "contextGroup" : "contextAgent"}"`,
        );
      }
      this.actor(entry[key], `${path}[${i}].${key}`, { group });
      if (entry.relevantTypes !== undefined) {
        const types = entry.relevantTypes;
        if (!Array.isArray(types) || types.length === 0) {
          this.add(`${path}[${i}].relevantTypes`, "Must be a non-empty array of IRIs");
        } else types.forEach((t, n) => this.iri(t, `${path}[${i}].relevantTypes[${n}]`));
      }
    });
  }

  /** An Agent, or an OAuth consumer-and-user pair: an anonymous Group of exactly two Agents. */
  authority(value: unknown, path: string): void {
    this.actor(value, path);
    const group = value as JsonObject;
    if (group?.objectType !== "Group") return;
    const ifis = ["mbox", "mbox_sha1sum", "openid", "account"].filter((k) =>
      group[k] !== undefined
    );
    if (ifis.length > 0 || !Array.isArray(group.member) || group.member.length !== 2) {
      this.add(path, "A Group authority must be an anonymous Group of two Agents (OAuth)");
    }
  }

  attachments(value: unknown, path: string): void {
    if (!Array.isArray(value)) {
      this.add(path, "Must be an array of attachments");
      return;
    }
    value.forEach((a, i) => {
      const at = `${path}[${i}]`;
      const allowed = [
        "usageType",
        "display",
        "description",
        "contentType",
        "length",
        "sha2",
        "fileUrl",
      ];
      if (!this.object(a, at, allowed)) return;
      this.iri(a.usageType, `${at}.usageType`);
      this.languageMap(a.display, `${at}.display`);
      if (a.description !== undefined) this.languageMap(a.description, `${at}.description`);
      this.string(a.contentType, `${at}.contentType`, /^[\w.+-]+\/[\w.+-]+/, "a media type");
      if (!Number.isInteger(a.length) || (a.length as number) < 0) {
        this.add(`${at}.length`, "Must be a whole number of bytes");
      }
      this.string(a.sha2, `${at}.sha2`, /^[0-9a-f]{56,128}$/i, "a hex SHA-2 digest");
      if (a.fileUrl !== undefined) this.iri(a.fileUrl, `${at}.fileUrl`);
    });
  }

  statement(value: unknown, path: string, options: { sub?: boolean } = {}): void {
    const own = ["id", "stored", "authority", "version"];
    const allowed = ["actor", "verb", "object", "result", "context", "timestamp", "attachments"];
    const keys = options.sub ? [...allowed, "objectType"] : [...allowed, ...own];
    if (!this.object(value, path, keys)) return;
    const at = (key: string) => path === "" ? key : `${path}.${key}`;
    if (value.id !== undefined) this.uuid(value.id, at("id"));
    for (const key of ["actor", "verb", "object"]) {
      if (value[key] === undefined) this.add(at(key), "Required");
    }
    if (value.actor !== undefined) this.actor(value.actor, at("actor"));
    if (value.verb !== undefined) this.verb(value.verb, at("verb"));
    if (value.object !== undefined) {
      this.statementObject(value.object, at("object"), options.sub ?? false);
    }
    if (value.result !== undefined) this.result(value.result, at("result"));
    if (value.context !== undefined) {
      const kind = (value.object as JsonObject | undefined)?.objectType;
      this.context(value.context, at("context"), kind === undefined || kind === "Activity");
    }
    if (value.timestamp !== undefined) this.timestamp(value.timestamp, at("timestamp"));
    if (value.stored !== undefined) this.timestamp(value.stored, at("stored"));
    if (value.version !== undefined) {
      this.string(
        value.version,
        at("version"),
        VERSION,
        'a supported version ("1.0.x" or "2.0.x")',
      );
    }
    if (value.authority !== undefined) this.authority(value.authority, at("authority"));
    if (value.attachments !== undefined) this.attachments(value.attachments, at("attachments"));
    const verbId = (value.verb as JsonObject | undefined)?.id;
    if (
      verbId === VOIDED_VERB &&
      (value.object as JsonObject | undefined)?.objectType !== "StatementRef"
    ) {
      this.add(at("object"), "A voiding statement's object must be a StatementRef");
    }
  }
}

/** Every problem of a statement as received (empty when valid), each with its path. */
export function statementIssues(value: unknown, path = ""): FieldIssue[] {
  const checker = new Checker();
  checker.statement(value, path);
  return checker.issues.map((i) => ({ ...i, path: i.path === "" ? "(statement)" : i.path }));
}

/** Problems of an Agent or Group used as a query parameter (the `agent` filter). */
export function agentIssues(value: unknown, path = "agent"): FieldIssue[] {
  const checker = new Checker();
  checker.actor(value, path);
  return checker.issues;
}

/** True for a UUID string (statement ids and registrations). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** True for an absolute IRI (verb and activity ids). */
export function isIri(value: string): boolean {
  return IRI.test(value);
}

/** True for an ISO 8601 date-time the statement resource accepts (query bounds). */
export function isTimestamp(value: string): boolean {
  return TIMESTAMP.test(value) && Number.isFinite(Date.parse(normaliseTimestamp(value)));
}

/** A timestamp as `Date.parse` reads it: a missing zone means UTC, `+hhmm` becomes `+hh:mm`. */
export function normaliseTimestamp(value: string): string {
  const withColon = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2").replace(/([+-]\d{2})$/, "$1:00");
  return /(Z|[+-]\d{2}:\d{2})$/i.test(withColon) ? withColon : `${withColon}Z`;
}
