/** Bad-input scenario: ≥ 1,000 generated malformed requests → only 4xx, no hang, the server up, nothing stored. */
import { api, type ServerProcess } from "../e2e/harness.ts";
import {
  createStudent,
  getJson,
  readSummary,
  readWholeLog,
  seededRandom,
  startSuiteServer,
  type Student,
} from "./fixtures.ts";
import { type MalformedRequest, malformedRequests } from "./malformed.ts";
import type { Report, SuiteConfig } from "./report.ts";

const SCENARIO = "bad input";
/** Requests in flight at once. */
const CONCURRENCY = 8;
/** Longer than this without an answer is a hang. */
const HANG_MS = 15_000;

/** Sends one generated request as its caller; resolves with the status, or a description of the failure. */
async function send(
  server: ServerProcess,
  student: Student,
  request: MalformedRequest,
): Promise<number | string> {
  const headers = new Headers();
  if (request.caller === "student") headers.set("authorization", `Bearer ${student.token}`);
  if (request.caller === "admin") headers.set("authorization", `Bearer ${server.adminToken}`);
  if (request.caller === "cookie") {
    headers.set("cookie", student.cookie);
    headers.set("origin", server.origin);
  }
  if (request.body !== undefined) {
    headers.set("content-type", request.contentType ?? "application/json");
  }
  try {
    const response = await fetch(`${server.origin}${request.path}`, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(HANG_MS),
    });
    await response.body?.cancel();
    return response.status;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

/** Counts of what the student and the admin have stored, to compare before and after. */
async function storedFigures(server: ServerProcess, student: Student) {
  const log = await readWholeLog(server, student.token);
  const summary = await readSummary(server, student.token);
  const tokens = await (await api(server, "/api/tokens", { cookie: student.cookie })).json() as {
    tokens: unknown[];
  };
  const hooks = await getJson<{ endpoints?: unknown[] }>(
    server,
    "/api/webhooks",
    server.adminToken,
  );
  const activities = await getJson<{ activities?: unknown[] }>(
    server,
    "/api/progress-sync/activities",
    server.adminToken,
  );
  return JSON.stringify({
    events: log.length,
    summary,
    tokens: tokens.tokens.length,
    webhooks: hooks.endpoints?.length ?? JSON.stringify(hooks).length,
    activities: activities.activities?.length ?? JSON.stringify(activities).length,
  });
}

/** Fires the generated requests, `CONCURRENCY` at a time, and checks answers and stored data. */
export async function badInputScenario(config: SuiteConfig, report: Report): Promise<void> {
  const server = await startSuiteServer();
  try {
    const student = await createStudent(server, "bad");
    // One real event, so "nothing stored" compares against a non-empty log.
    const before = await storedFigures(server, student);
    const requests = malformedRequests(config.seed, config.malformed, seededRandom(config.seed));
    const byKind = new Map<string, { sent: number; statuses: Map<string, number> }>();
    const wrong: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const outcome = await send(server, student, request);
        const kind = byKind.get(request.kind) ?? { sent: 0, statuses: new Map() };
        kind.sent++;
        const key = String(outcome);
        kind.statuses.set(key, (kind.statuses.get(key) ?? 0) + 1);
        byKind.set(request.kind, kind);
        if (typeof outcome !== "number" || outcome < 400 || outcome > 499) {
          wrong.push(`${request.kind} ${request.method} ${request.path.slice(0, 80)} → ${outcome}`);
        }
      }
    }));
    for (const [kind, figures] of byKind) {
      const bad = [...figures.statuses.keys()].filter((s) => !/^4\d\d$/.test(s));
      report.check(
        SCENARIO,
        `${kind}: only 4xx`,
        bad.length === 0,
        `${figures.sent} sent: ${
          [...figures.statuses].sort().map(([s, n]) => `${n}× ${s.slice(0, 40)}`).join(", ")
        }`,
      );
    }
    if (wrong.length > 0) console.log(`Not 4xx:\n${wrong.slice(0, 40).join("\n")}`);

    const health = await api(server, "/api/progress-sync/health", { token: server.adminToken });
    await health.body?.cancel();
    report.check(
      SCENARIO,
      `${requests.length} malformed requests: the server stays up`,
      health.status === 200 && !server.output().includes("panicked"),
      `health answers ${health.status} afterwards`,
    );
    const after = await storedFigures(server, student);
    const hidden = requests.flatMap((r) => r.hiddenValidIds ?? []);
    let found = 0;
    for (const id of hidden.slice(0, 200)) {
      const response = await api(server, `/api/progress-sync/events/${id}`, {
        token: student.token,
      });
      await response.body?.cancel();
      if (response.status !== 404) found++;
    }
    report.check(
      SCENARIO,
      "nothing partial stored",
      before === after && found === 0,
      `stored figures ${before === after ? "unchanged" : `changed: ${before} → ${after}`}; ` +
        `${
          Math.min(200, hidden.length)
        } valid events of rejected batches looked up, ${found} found`,
    );
  } finally {
    await server.stop();
  }
}
