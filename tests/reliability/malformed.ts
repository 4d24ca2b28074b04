/**
 * Seeded generator of malformed requests against every write route and the reads that take ids,
 * cursors or filters. Each request is built to be invalid however the dice fall, so the only right
 * answer is a 4xx.
 */
import fc from "fast-check";
import { newEventId, videoEvent } from "./fixtures.ts";

/** Who sends a request. */
export type Caller = "student" | "admin" | "cookie" | "anonymous";

/** One generated request. */
export interface MalformedRequest {
  kind: string;
  method: string;
  /** Path and query, already percent-encoded (may be deliberately ill-encoded). */
  path: string;
  caller: Caller;
  contentType?: string;
  /** A string body, raw bytes, or a stream (sent chunked, without a length). */
  body?: BodyInit;
  /** Event ids of valid events inside the body: none of them may be stored. */
  hiddenValidIds?: string[];
}

/** A write route with a valid body to break, and the fields every valid body needs. */
interface WriteTarget {
  method: string;
  path: string;
  caller: Caller;
  valid: () => Record<string, unknown>;
  required: string[];
}

/** Largest body the server accepts (1 MiB); bigger ones must be refused with 413. */
const LIMIT = 1024 * 1024;

const WRITE_TARGETS: WriteTarget[] = [
  {
    method: "POST",
    path: "/api/progress-sync/events",
    caller: "student",
    valid: () => videoEvent(newEventId(), "bad-input-activity"),
    required: ["eventType", "sourceSystem", "eventData"],
  },
  {
    method: "PUT",
    path: "/api/progress-sync/activities/bad-input-activity",
    caller: "admin",
    valid: () => ({ title: "A title", activityType: "video" }),
    required: ["title", "activityType"],
  },
  {
    method: "PUT",
    path: "/api/progress-sync/paths/bad-input-path",
    caller: "admin",
    valid: () => ({ title: "A path", steps: [{ stepId: "s1", activityId: "bad-input-activity" }] }),
    required: ["title", "steps"],
  },
  {
    method: "PUT",
    path: "/api/progress-sync/items/bad-input-item",
    caller: "student",
    valid: () => ({
      system: "todo_manager",
      kind: "todo",
      title: "A todo",
      activityIds: ["bad-input-activity"],
    }),
    required: ["system", "kind", "title", "activityIds"],
  },
  {
    method: "POST",
    path: "/api/tokens",
    caller: "cookie",
    valid: () => ({ name: "bad input", scopes: ["progress:read"] }),
    required: ["name", "scopes"],
  },
  {
    method: "PUT",
    path: "/api/profile",
    caller: "student",
    valid: () => ({ timeZone: "Europe/Berlin" }),
    required: ["timeZone"],
  },
  {
    method: "PUT",
    path: "/api/v1/learning/progress",
    caller: "student",
    valid: () => ({ clientUpdatedAt: new Date().toISOString(), events: [] }),
    required: ["clientUpdatedAt", "events"],
  },
  {
    method: "PUT",
    path: "/api/progress-sync/achievements/first-completion/public",
    caller: "student",
    valid: () => ({ public: true }),
    required: ["public"],
  },
  {
    method: "POST",
    path: "/api/progress-sync/conflicts/cf_unknown/resolve",
    caller: "student",
    valid: () => ({ resolutionType: "use_latest" }),
    required: ["resolutionType"],
  },
  {
    method: "POST",
    path: "/api/auth/register",
    caller: "anonymous",
    valid: () => ({ username: `u${crypto.randomUUID().slice(0, 8)}`, password: "long enough pw" }),
    required: ["username", "password"],
  },
  {
    method: "POST",
    path: "/api/auth/login",
    caller: "anonymous",
    valid: () => ({ username: "nobody", password: "whatever password" }),
    required: ["username", "password"],
  },
  {
    method: "POST",
    path: "/api/webhooks",
    caller: "admin",
    valid: () => ({
      url: "http://127.0.0.1:9/hook",
      eventTypes: ["progress_update"],
      description: "x",
    }),
    required: ["url", "eventTypes"],
  },
  {
    method: "POST",
    path: "/api/webhooks/inbound/video_player",
    caller: "anonymous",
    valid: () => ({ type: "progress_event", data: videoEvent(newEventId(), "inbound") }),
    required: ["type", "data"],
  },
];

/** Read routes and what to garble in each: `{}` marks where a bad id, cursor or filter goes. */
const READ_TARGETS: { path: string; caller: Caller }[] = [
  { path: "/api/progress-sync/events?since={}", caller: "student" },
  { path: "/api/progress-sync/events?limit={}", caller: "student" },
  { path: "/api/progress-sync/events/{}", caller: "student" },
  { path: "/api/progress-sync/summary?userId={}", caller: "student" },
  { path: "/api/progress-sync/conflicts?status={}", caller: "student" },
  { path: "/api/progress-sync/conflicts?limit={}", caller: "student" },
  { path: "/api/progress-sync/conflicts/{}", caller: "student" },
  { path: "/api/progress-sync/items?system={}", caller: "student" },
  { path: "/api/progress-sync/paths/{}", caller: "student" },
  { path: "/api/progress-sync/achievements?userId={}", caller: "student" },
  { path: "/api/progress-sync/insights?from={}", caller: "student" },
  { path: "/api/v1/learning/progress?since={}", caller: "student" },
  { path: "/api/webhooks/{}", caller: "admin" },
  { path: "/api/webhooks/{}/deliveries", caller: "admin" },
  { path: "/api/audit?cursor={}", caller: "admin" },
  { path: "/api/audit?limit={}", caller: "admin" },
  { path: "/api/progress-sync/events/{}?userId={}", caller: "admin" },
];

/** Percent-encoded garbage for ids, cursors and filters (some of it deliberately ill-encoded). */
const BAD_TOKENS = [
  "%ED%A0%80", // a UTF-16 surrogate as UTF-8 (invalid)
  "%FF%FE",
  "%E0%A4%A",
  "%",
  "%00",
  "-1",
  "0",
  "1e309",
  "NaN",
  "x".repeat(5000),
  "%7B%22__proto__%22%3A1%7D",
  "..%2F..%2Fetc%2Fpasswd",
  "%5B%5D",
  "constructor",
  "__proto__",
  "2026-02-30T00%3A00%3A00Z",
];

/** Date-times that are not valid instants. */
const BAD_DATES: unknown[] = [
  "2026-13-01T00:00:00Z",
  "2026-00-10T00:00:00Z",
  "2026-01-32T00:00:00Z",
  "2026-02-30T10:00:00Z",
  "2026-01-01T25:00:00Z",
  "2026-01-01T10:61:00Z",
  "2026-01-01",
  "yesterday",
  "",
  -1,
  8.64e15 + 1,
  1.5,
  "+275760-09-13T00:00:01Z",
  true,
  [],
];

/** Strings that are not well-formed Unicode, written as JSON escapes. */
const BAD_UNICODE_JSON = ['"\\ud800"', '"a\\udfffb"', '"\\udc00\\ud800"', '"x\\ud83d"'];

function nest(depth: number, leaf: string, array: boolean): string {
  return array
    ? "[".repeat(depth) + leaf + "]".repeat(depth)
    : '{"a":'.repeat(depth) + leaf + "}".repeat(depth);
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Arrays and objects of arbitrary content: the wrong type for any field that expects the other or a scalar. */
function wrongTypeValues(seed: number, count: number): { array: unknown[]; object: object }[] {
  return fc.sample(
    fc.record({
      array: fc.array(fc.anything({ maxDepth: 2 }), { minLength: 0, maxLength: 5 }),
      object: fc.dictionary(fc.string(), fc.anything({ maxDepth: 2 }), { minKeys: 1, maxKeys: 4 }),
    }),
    { seed, numRuns: count },
  );
}

/** Stream of `size` bytes of JSON-ish text, sent without a content length. */
function chunkedBody(size: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(`{"pad":"${"y".repeat(64 * 1024)}`);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= size) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

/** `count` malformed requests from `seed`, every kind and route taking turns. */
export function malformedRequests(seed: number, count: number, random: () => number) {
  const wrongTypes = wrongTypeValues(seed, count);
  const unicodeJunk = fc.sample(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), {
    seed,
    numRuns: count,
  });
  const kinds: ((n: number) => MalformedRequest)[] = [
    function brokenJson() {
      const t = pick(random, WRITE_TARGETS);
      const text = JSON.stringify(t.valid());
      const broken = pick(random, [
        text.slice(0, Math.max(1, Math.floor(random() * (text.length - 1)))),
        `${text}}`,
        text.replaceAll('"', "'"),
        `${text},${text}`,
        text.replace(/:/, ":NaN,"),
        "{",
        "undefined",
        "\u0000",
      ]);
      return {
        kind: "broken JSON",
        method: t.method,
        path: t.path,
        caller: t.caller,
        body: broken,
      };
    },
    function wrongType(n) {
      const t = pick(random, WRITE_TARGETS);
      const body = t.valid();
      const field = pick(random, t.required);
      const { array, object } = wrongTypes[n % wrongTypes.length]!;
      // An array where anything else belongs, an object where an array belongs.
      body[field] = Array.isArray(body[field]) || random() < 0.5 ? object : array;
      return {
        kind: "wrong types",
        ...route(t),
        body: JSON.stringify(body),
      };
    },
    function missingField() {
      const t = pick(random, WRITE_TARGETS);
      const body = t.valid();
      delete body[pick(random, t.required)];
      return { kind: "missing field", ...route(t), body: JSON.stringify(body) };
    },
    function hugeString() {
      const t = pick(random, WRITE_TARGETS);
      const body = t.valid();
      body[pick(random, t.required)] = "z".repeat(100_000 + Math.floor(random() * 800_000));
      return { kind: "huge strings", ...route(t), body: JSON.stringify(body) };
    },
    function hugeArray() {
      const t = pick(random, WRITE_TARGETS);
      const length = 10_000 + Math.floor(random() * 50_000);
      const body = t.path === "/api/progress-sync/events"
        ? { events: Array.from({ length }, () => 1) }
        : { ...t.valid(), [pick(random, t.required)]: Array.from({ length }, () => "a") };
      return { kind: "huge arrays", ...route(t), body: JSON.stringify(body) };
    },
    function deepNesting() {
      const t = pick(random, WRITE_TARGETS);
      const depth = 1000 + Math.floor(random() * 50_000);
      const body = random() < 0.5
        ? nest(depth, "1", random() < 0.5)
        : JSON.stringify({ ...t.valid(), [pick(random, t.required)]: "@@" })
          .replace('"@@"', nest(Math.min(depth, 10_000), "1", random() < 0.5));
      return { kind: "deep nesting", ...route(t), body };
    },
    function protoKeys() {
      const t = pick(random, WRITE_TARGETS);
      const valid = JSON.stringify(t.valid());
      const body = pick(random, [
        `{"__proto__":${valid}}`,
        `{"constructor":{"prototype":${valid}}}`,
        `{"__proto__":{"__proto__":${valid}},"constructor":null}`,
      ]);
      return { kind: "__proto__ keys", ...route(t), body };
    },
    function invalidDate() {
      const id = newEventId();
      const event = videoEvent(id, "bad-date");
      event.timestamp = pick(random, BAD_DATES);
      return {
        kind: "invalid dates",
        method: "POST",
        path: "/api/progress-sync/events",
        caller: "student",
        body: JSON.stringify(event),
        hiddenValidIds: [],
      };
    },
    function invalidUnicode() {
      const t = WRITE_TARGETS[0]!;
      const valid = t.valid();
      const text = JSON.stringify(valid);
      const field = pick(random, ['"id":', '"activityId":', '"sourceSystem":']);
      const at = text.indexOf(field) + field.length;
      const end = text.indexOf('"', at + 1) + 1;
      const body = random() < 0.7
        ? text.slice(0, at) + pick(random, BAD_UNICODE_JSON) + text.slice(end)
        : concatBytes(
          new TextEncoder().encode(text.slice(0, at + 1)),
          new Uint8Array([0xff, 0xfe, 0xc3]),
          new TextEncoder().encode(text.slice(end - 1)),
        );
      return { kind: "invalid unicode", ...route(t), body };
    },
    function oversized() {
      const t = pick(random, WRITE_TARGETS);
      const size = LIMIT + 1 + Math.floor(random() * 256 * 1024);
      const chunked = random() < 0.3;
      return {
        kind: "oversized body",
        ...route(t),
        body: chunked ? chunkedBody(size) : JSON.stringify({ ...t.valid(), pad: "p".repeat(size) }),
      };
    },
    function partialBatch() {
      const events = Array.from({ length: 100 }, () => videoEvent(newEventId(), "partial"));
      const bad = Math.floor(random() * events.length);
      const hiddenValidIds = events.filter((_, i) => i !== bad).map((e) => e.id as string);
      events[bad] = { ...events[bad], eventType: pick(random, ["nope", 3, null]) };
      return {
        kind: "batch with one bad event",
        method: "POST",
        path: "/api/progress-sync/events",
        caller: "student",
        body: JSON.stringify({ events }),
        hiddenValidIds,
      };
    },
    function wrongContentType() {
      const t = pick(random, WRITE_TARGETS);
      const [contentType, body] = pick(
        random,
        [
          ["application/x-www-form-urlencoded", "id=1&eventType=video_completed"],
          [
            "multipart/form-data; boundary=x",
            "--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--",
          ],
          ["text/plain", "hello"],
          ["application/xml", "<event/>"],
        ] as const,
      );
      return { kind: "wrong content type", ...route(t), contentType, body };
    },
    function badReadParam(n) {
      const t = pick(random, READ_TARGETS);
      // "0" is the log's start cursor, a valid `since`; everywhere else it is wrong.
      const tokens = t.path.includes("since=") ? BAD_TOKENS.filter((b) => b !== "0") : BAD_TOKENS;
      const token = random() < 0.75
        ? pick(random, tokens)
        : percentEncodeBytes(unicodeJunk[n % unicodeJunk.length]!);
      return {
        kind: "bad cursors and ids",
        method: "GET",
        path: t.path.replaceAll("{}", token),
        caller: t.caller,
      };
    },
    function badWriteId() {
      const t = pick(random, WRITE_TARGETS.filter((w) => /bad-input|cf_unknown/.test(w.path)));
      const token = pick(random, ["i".repeat(129), "i".repeat(300), "i".repeat(5000)]);
      return {
        kind: "bad ids on writes",
        ...route(t),
        path: t.path.replace(/bad-input-\w+|cf_unknown/, token),
        body: JSON.stringify(t.valid()),
      };
    },
  ];
  return Array.from({ length: count }, (_, n) => kinds[n % kinds.length]!(n));
}

function route(t: WriteTarget): Pick<MalformedRequest, "method" | "path" | "caller"> {
  return { method: t.method, path: t.path, caller: t.caller };
}

function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Percent-encodes each UTF-16 code unit's low byte pattern so lone surrogates survive as bytes. */
function percentEncodeBytes(text: string): string {
  let out = "";
  for (const unit of text) {
    const code = unit.codePointAt(0)!;
    out += code < 0x80 && /[A-Za-z0-9_-]/.test(unit)
      ? unit
      : code >= 0xd800 && code <= 0xdfff
      ? `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${
        (0x80 | (code & 0x3f)).toString(16)
      }`
      : encodeURIComponent(unit);
  }
  return out;
}
