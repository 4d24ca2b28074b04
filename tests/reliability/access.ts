/**
 * Access scenario: every route of the matrix × (no credentials, dead credentials, another
 * student's token and session, a token without the scope, a cookie write from a foreign Origin)
 * → the right 401/403/404 (or the sign-in redirect of pages), and nothing of student A's in any
 * response to anyone else. The matrix must list exactly the routes the app registers.
 */
import { createApp } from "../../routes/mod.ts";
import type { AppDeps } from "../../lib/http/app_env.ts";
import { api, type ServerProcess } from "../e2e/harness.ts";
import {
  adminConsoleCookie,
  type DeadCredentials,
  deadCredentials,
  plantData,
} from "./access_plant.ts";
import {
  createStudent,
  getJson,
  newEventId,
  postEvents,
  startSuiteServer,
  type Student,
  videoEvent,
} from "./fixtures.ts";
import type { Report, SuiteConfig } from "./report.ts";
import { type Planted, ROUTE_MATRIX, type RouteRequest, type RouteRow } from "./route_matrix.ts";
import { securityChecks } from "./security_checks.ts";
import { startWebhookReceiver } from "./webhook_receiver.ts";

const SCENARIO = "access";
/** The `Origin` of a cross-site page trying a cookie-authenticated write. */
const FOREIGN_ORIGIN = "https://attacker.example";
/** How long a live stream's answer is read before the client hangs up. */
const STREAM_READ_MS = 700;

/** Who sends a request. */
interface Caller {
  token?: string;
  cookie?: string;
  origin?: string;
}

/** One credential case of the matrix, with the answer each kind of route owes it. */
interface CredentialCase {
  name: string;
  /** The caller for a row, or null when the case does not apply to it. */
  caller(row: RouteRow, method: string): Caller | null;
  /** The answer expected: a status, `2xx`, or `signin` (a 303 to the sign-in page). */
  expected(row: RouteRow, method: string): number | "2xx" | "signin" | null;
  /** Responses to this case are A's own or the admin's (not scanned for A's data). */
  trusted?: boolean;
  /** Changes the row's request for this case (null: skip the row). */
  adapt?(request: RouteRequest): RouteRequest | null;
}

/** An answer as the scenario looks at it. */
interface Answer {
  status: number;
  location: string;
  text: string;
}

/** Sends `request` as `caller` (redirects not followed; a stream read for a moment). */
async function send(
  server: ServerProcess,
  method: string,
  request: RouteRequest,
  caller: Caller,
): Promise<Answer> {
  const headers = new Headers(request.headers);
  if (caller.token) headers.set("authorization", `Bearer ${caller.token}`);
  if (caller.cookie) headers.set("cookie", caller.cookie);
  if (caller.origin) headers.set("origin", caller.origin);
  let body: BodyInit | undefined;
  if (request.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(request.json);
  } else if (request.form !== undefined) {
    body = new URLSearchParams(request.form);
  }
  const response = await fetch(`${server.origin}${request.path}`, {
    method,
    headers,
    redirect: "manual",
    signal: AbortSignal.timeout(15_000),
    ...(body === undefined ? {} : { body }),
  });
  const location = response.headers.get("location") ?? "";
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
    return { status: response.status, location, text: await response.text() };
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + STREAM_READ_MS;
  while (Date.now() < deadline) {
    const timer = new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()));
    const chunk = await Promise.race([reader.read(), timer]);
    if (chunk === null || chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  await reader.cancel();
  return { status: response.status, location, text };
}

/** Whether `answer` is what `expected` asks for. */
function matches(answer: Answer, expected: number | "2xx" | "signin"): boolean {
  if (expected === "2xx") return answer.status >= 200 && answer.status < 300;
  if (expected === "signin") return answer.status === 303 && answer.location.startsWith("/signin");
  return answer.status === expected;
}

const isWrite = (method: string) => method !== "GET";
const isAdminConsoleApi = (row: RouteRow) => row.route.includes(" /admin/api/");

/** The answer a route owes a caller with no (or dead) credentials. */
function refusedAnonymous(row: RouteRow): number | "signin" | null {
  const { access } = row;
  if (access.kind === "public") return access.anonymous;
  if (access.kind === "page") return "signin";
  return access.kind === "middleware" ? null : 401;
}

/** The credential cases, built from B's and A's credentials. */
function credentialCases(
  a: Student,
  b: Student,
  dead: DeadCredentials,
  admin: { adminToken: string; adminCookie: string },
): CredentialCase[] {
  const { adminToken, adminCookie } = admin;
  const guarded = (row: RouteRow) => row.access.kind !== "public";
  return [
    {
      // A browser on this site: its form posts carry this site's Origin.
      name: "no credentials",
      caller: (_row, method) => isWrite(method) ? { origin: "self" } : {},
      expected: refusedAnonymous,
    },
    {
      name: "a revoked token",
      caller: (row) => guarded(row) ? { token: dead.revokedToken } : null,
      expected: (row) => row.access.kind === "middleware" ? null : 401,
    },
    {
      name: "a signed-out session",
      caller: (row) => guarded(row) ? { cookie: dead.signedOutCookie, origin: "self" } : null,
      expected: refusedAnonymous,
    },
    {
      name: "an expired session",
      caller: (row) => guarded(row) ? { cookie: dead.expiredCookie, origin: "self" } : null,
      expected: refusedAnonymous,
    },
    {
      name: "another student's token",
      caller: (row, method) => guarded(row) || !isWrite(method) ? { token: b.token } : null,
      expected: (row) => {
        const { access } = row;
        // B's token cannot manage tokens at all (no `tokens:manage`).
        if (access.kind === "student" && access.scope === "tokens:manage") return 403;
        if (access.kind === "student") return access.foreign === "own" ? "2xx" : access.foreign;
        if (access.kind === "page") return "signin";
        if (access.kind === "public") return null;
        return access.kind === "middleware" ? null : 403;
      },
    },
    {
      name: "another student's session",
      caller: (row, method) =>
        guarded(row) || !isWrite(method) ? { cookie: b.cookie, origin: "self" } : null,
      expected: (row) => {
        const { access } = row;
        if (access.kind === "student" || access.kind === "page") {
          return access.foreign === "own" ? "2xx" : access.foreign;
        }
        if (access.kind === "admin") return isAdminConsoleApi(row) ? 401 : 403;
        if (access.kind === "public") return null;
        return access.kind === "middleware" ? null : 403;
      },
    },
    {
      name: "another student reading their own data (userId dropped)",
      caller: (row, method) =>
        row.access.kind === "student" && !isWrite(method) ? { token: b.token } : null,
      expected: () => "2xx",
      adapt(request) {
        const url = new URL(request.path, "http://x");
        if (!url.searchParams.has("userId")) return null;
        url.searchParams.delete("userId");
        return { ...request, path: `${url.pathname}${url.search}` };
      },
    },
    {
      name: "a token without the scope",
      caller: (row) => {
        const { access } = row;
        if (access.kind === "admin" || access.kind === "catalog") return { token: b.token };
        if (access.kind !== "student" || access.scope === null) return null;
        return { token: access.scope === "progress:read" ? b.writeToken : b.readToken };
      },
      expected: () => 403,
    },
    {
      name: "a cookie write from a foreign Origin",
      caller: (row, method) =>
        isWrite(method) && row.access.kind !== "middleware"
          ? { cookie: isAdminConsoleApi(row) ? adminCookie : a.cookie, origin: FOREIGN_ORIGIN }
          : null,
      expected: () => 403,
    },
    {
      name: "the owner (control: the same reads succeed)",
      trusted: true,
      caller: (row, method) => {
        if (isWrite(method)) return null;
        const { access } = row;
        if (access.kind === "student" && access.foreign !== "own") return { token: a.token };
        if (access.kind === "page") return { cookie: a.cookie, origin: "self" };
        if (access.kind === "admin") {
          return isAdminConsoleApi(row) ? { cookie: adminCookie } : { token: adminToken };
        }
        return null;
      },
      expected: () => "2xx",
    },
  ];
}

/** The routes the app registers (`METHOD /path`), from Hono's route list. */
function registeredRoutes(): Set<string> {
  const app = createApp({} as AppDeps);
  return new Set(app.routes.map((r) => `${r.method} ${r.path}`));
}

/**
 * What of A's shows in `text`: the marker (once the marked ids the request itself carried are
 * taken out: an id echoed back in an error is no leak), A's user id unless the request named it,
 * and A's secrets.
 */
function leaked(text: string, sent: string, p: Planted, a: Student): string[] {
  let rest = text;
  for (const value of Object.values(p)) {
    if (value.includes(p.marker) && value !== p.marker && sent.includes(value)) {
      rest = rest.replaceAll(value, "");
    }
  }
  const found: string[] = [];
  if (rest.includes(p.marker)) found.push("the marker");
  if (text.includes(p.userId) && !sent.includes(p.userId)) found.push("A's user id");
  const session = a.cookie.slice(a.cookie.indexOf("=") + 1);
  for (const secret of [a.token, a.readToken, a.writeToken, session]) {
    if (text.includes(secret)) found.push("a secret of A's");
  }
  return found;
}

/** Walks the whole matrix with every credential case; records one check per case, then coverage, leaks and A's data. */
export async function accessScenario(_config: SuiteConfig, report: Report): Promise<void> {
  const receiver = startWebhookReceiver();
  const server = await startSuiteServer();
  try {
    const registered = registeredRoutes();
    const listed = new Set(ROUTE_MATRIX.map((r) => r.route));
    const unlisted = [...registered].filter((r) => !listed.has(r));
    const stale = [...listed].filter((r) => !registered.has(r));
    const kinds = new Map<string, number>();
    for (const row of ROUTE_MATRIX) {
      kinds.set(row.access.kind, (kinds.get(row.access.kind) ?? 0) + 1);
    }
    report.check(
      SCENARIO,
      "the matrix lists exactly the app's registered routes",
      unlisted.length === 0 && stale.length === 0,
      `${registered.size} registered (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")})` +
        (unlisted.length ? `; not in the matrix: ${unlisted.join(", ")}` : "") +
        (stale.length ? `; no longer registered: ${stale.join(", ")}` : ""),
    );

    const [a, b] = await Promise.all([
      createStudent(server, "owner"),
      createStudent(server, "other"),
    ]);
    const marker = `leakmarker${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const planted = await plantData(server, a, marker, receiver.url);
    // B has data of their own, so B's own reads are not trivially empty (no completion: B must
    // not earn the achievement A shared, or B's toggling it would be B's own).
    const own = await postEvents(server, b.token, {
      ...videoEvent(newEventId(), "other-video"),
      eventType: "activity_progressed",
      eventData: { activityId: "other-video", activityType: "video", completionStatus: "started" },
    });
    await own.body?.cancel();
    const dead = await deadCredentials(server, a);
    const adminCookie = await adminConsoleCookie(server);
    const before = await ownerView(server, a, planted);

    let requests = 0;
    let scanned = 0;
    let ownerSeesMarker = 0;
    const leaks: string[] = [];
    for (
      const credentialCase of credentialCases(a, b, dead, {
        adminToken: server.adminToken,
        adminCookie,
      })
    ) {
      let sent = 0;
      const wrong: string[] = [];
      for (const row of ROUTE_MATRIX) {
        if (!row.request) continue;
        const [method] = row.route.split(" ") as [string];
        const caller = credentialCase.caller(row, method === "ALL" ? "GET" : method);
        const expected = credentialCase.expected(row, method === "ALL" ? "GET" : method);
        if (caller === null || expected === null) continue;
        if (caller.origin === "self") caller.origin = server.origin;
        const request = credentialCase.adapt
          ? credentialCase.adapt(row.request(planted))
          : row.request(planted);
        if (request === null) continue;
        const answer = await send(server, method === "ALL" ? "GET" : method, request, caller);
        sent++;
        if (!matches(answer, expected)) {
          wrong.push(`${row.route} → ${answer.status} ${answer.location}, not ${expected}`);
        }
        if (credentialCase.trusted && answer.text.includes(marker)) ownerSeesMarker++;
        if (!credentialCase.trusted) {
          scanned++;
          const found = leaked(answer.text, JSON.stringify(request), planted, a);
          if (found.length) {
            leaks.push(`${credentialCase.name}: ${row.route} shows ${found.join()}`);
          }
        }
      }
      requests += sent;
      report.check(
        SCENARIO,
        `${credentialCase.name}: the right answer on every route`,
        wrong.length === 0,
        `${sent} requests, ${wrong.length} wrong` +
          (wrong.length ? ` (${wrong.slice(0, 4).join("; ")})` : ""),
      );
      if (wrong.length > 4) console.log(`All wrong answers:\n${wrong.join("\n")}`);
    }

    // Public pages included: to anonymous callers and to B they show nothing of A's marked data.
    report.check(
      SCENARIO,
      "no data of A's in any response to anyone else",
      leaks.length === 0 && ownerSeesMarker > 0,
      `${scanned} responses scanned for A's marker, user id and secrets, ${leaks.length} leaks ` +
        `(the scan's control: ${ownerSeesMarker} of the owner's reads show the marker)` +
        (leaks.length ? ` (${leaks.slice(0, 4).join("; ")})` : ""),
    );
    const after = await ownerView(server, a, planted);
    report.check(
      SCENARIO,
      "A's data unchanged by every refused write",
      before === after,
      before === after ? `${requests} requests in all` : `changed: ${before} → ${after}`,
    );
  } finally {
    await server.stop();
    await receiver.stop();
  }
  await securityChecks(report);
}

/** What A sees of their planted data (log, item, tokens, conflict, sharing), to compare before and after. */
async function ownerView(server: ServerProcess, a: Student, p: Planted): Promise<string> {
  const base = "/api/progress-sync";
  const [events, items, tokens, conflict, achievements, shared] = await Promise.all([
    getJson<{ events: { id: string }[] }>(server, `${base}/events`, a.token),
    getJson<{ items: unknown[] }>(server, `${base}/items`, a.token),
    api(server, "/api/tokens", { cookie: a.cookie }).then((r) =>
      r.json() as Promise<{ tokens: { id: string }[] }>
    ),
    getJson<{ status: string }>(server, `${base}/conflicts/${p.conflictId}`, a.token),
    getJson<{ achievements: unknown[] }>(server, `${base}/achievements`, a.token),
    fetch(`${server.origin}/shared/${p.shareId}`).then(async (r) => {
      await r.body?.cancel();
      return r.status;
    }),
  ]);
  return JSON.stringify({
    events: events.events.map((e) => e.id),
    items,
    tokens: tokens.tokens.map((t) => t.id).sort(),
    conflict: conflict.status,
    achievements,
    shared,
  });
}
