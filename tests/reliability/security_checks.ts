/**
 * The security review's findings, each replayed against a real server so they stay fixed:
 * streams and console sessions that outlive their credentials, lockouts, refused webhooks
 * degrading health, SSRF, login CSRF, token rules, stream caps, webhook-id length, security
 * headers, and a student's erasure (checked by scanning the server's KV file).
 */
import { api, type ServerProcess, signInViaApi } from "../e2e/harness.ts";
import {
  createStudent,
  createToken,
  newEventId,
  postEvents,
  startSuiteServer,
  type Student,
  STUDENT_PASSWORD,
  videoEvent,
} from "./fixtures.ts";
import type { Report } from "./report.ts";

const SCENARIO = "access";
/** Safety limit for reading a stream that should end (not a timing assertion). */
const STREAM_LIMIT_MS = 20_000;

interface OpenStream {
  /** Reads until the server ends the stream (or the safety limit): what it sent, and whether it ended. */
  rest(): Promise<{ text: string; ended: boolean }>;
  close(): Promise<void>;
}

async function openStream(
  server: ServerProcess,
  auth: { token?: string; cookie?: string },
): Promise<OpenStream | number> {
  const headers = new Headers();
  if (auth.token) headers.set("authorization", `Bearer ${auth.token}`);
  if (auth.cookie) headers.set("cookie", auth.cookie);
  const response = await fetch(`${server.origin}/api/progress-sync/live`, { headers });
  if (response.status !== 200) {
    await response.body?.cancel();
    return response.status;
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(": connected")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return {
    async rest() {
      let rest = "";
      const limit = new Promise<null>((r) => setTimeout(() => r(null), STREAM_LIMIT_MS));
      while (true) {
        const chunk = await Promise.race([reader.read(), limit]);
        if (chunk === null) return { text: rest, ended: false };
        if (chunk.done) return { text: rest, ended: true };
        rest += decoder.decode(chunk.value, { stream: true });
      }
    },
    close: () => reader.cancel().catch(() => {}),
  };
}

async function status(response: Promise<Response>): Promise<number> {
  const r = await response;
  await r.body?.cancel();
  return r.status;
}

function loginFrom(server: ServerProcess, address: string, username: string, password: string) {
  return fetch(`${server.origin}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ username, password }),
  });
}

async function streamEndsWith(
  server: ServerProcess,
  a: Student,
  auth: { token?: string; cookie?: string },
  end: () => Promise<void>,
): Promise<{ ok: boolean; detail: string }> {
  const stream = await openStream(server, auth);
  if (typeof stream === "number") return { ok: false, detail: `the stream answered ${stream}` };
  await end();
  const posted = await postEvents(server, a.token, videoEvent(newEventId(), "after-revocation"));
  await posted.body?.cancel();
  const { text, ended } = await stream.rest();
  await stream.close();
  const leaked = text.includes("after-revocation");
  return {
    ok: ended && !leaked,
    detail: `${ended ? "ended" : "still open"}; ${leaked ? "sent" : "did not send"} the next event`,
  };
}

async function streamChecks(server: ServerProcess, a: Student, report: Report): Promise<void> {
  const doomed = await createToken(server, a.cookie, ["progress:read"]);
  const byToken = await streamEndsWith(server, a, { token: doomed.token }, async () => {
    await status(api(server, `/api/tokens/${doomed.id}`, { cookie: a.cookie, method: "DELETE" }));
  });
  report.check(
    SCENARIO,
    "a live stream ends when its token is revoked",
    byToken.ok,
    byToken.detail,
  );
  const session = await signInViaApi(server, a.username, STUDENT_PASSWORD);
  const bySession = await streamEndsWith(server, a, { cookie: session.cookie }, async () => {
    await status(api(server, "/api/auth/logout", { cookie: session.cookie, json: {} }));
  });
  report.check(
    SCENARIO,
    "a live stream ends when its session signs out",
    bySession.ok,
    bySession.detail,
  );

  const open: OpenStream[] = [];
  let refused = 0;
  for (let i = 0; i < 11; i++) {
    const stream = await openStream(server, { token: a.readToken });
    if (typeof stream === "number") refused = stream;
    else open.push(stream);
  }
  await Promise.all(open.map((s) => s.close()));
  report.check(
    SCENARIO,
    "live streams per student are capped",
    open.length === 10 && refused === 429,
    `${open.length} opened, then ${refused}`,
  );
}

async function consoleCheck(server: ServerProcess, report: Report): Promise<void> {
  const made = await (await api(server, "/api/tokens", {
    token: server.adminToken,
    json: { name: "console check", scopes: ["admin"] },
  })).json();
  const signin = await fetch(`${server.origin}/admin/signin`, {
    method: "POST",
    headers: { origin: server.origin },
    body: new URLSearchParams({ token: made.token }),
    redirect: "manual",
  });
  await signin.body?.cancel();
  const cookie = (signin.headers.get("set-cookie") ?? "").split(";")[0]!;
  const before = await status(fetch(`${server.origin}/admin/api/console`, { headers: { cookie } }));
  await status(
    api(server, `/api/tokens/${made.id}`, { token: server.adminToken, method: "DELETE" }),
  );
  const after = await status(fetch(`${server.origin}/admin/api/console`, { headers: { cookie } }));
  report.check(
    SCENARIO,
    "an admin console session dies with the admin token it was made with",
    before === 200 && after === 401,
    `console ${before} before the revocation, ${after} after`,
  );
}

async function throttleChecks(server: ServerProcess, a: Student, report: Report): Promise<void> {
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    statuses.push(await status(loginFrom(server, "198.51.100.66", a.username, `wrong-${i}`)));
  }
  const owner = await status(loginFrom(server, "192.0.2.77", a.username, STUDENT_PASSWORD));
  report.check(
    SCENARIO,
    "wrong passwords from one address slow it down but never lock the owner out",
    statuses.slice(0, 5).every((s) => s === 401) && statuses[5] === 429 && owner === 200,
    `attacker: ${statuses.join(" ")}; the owner elsewhere: ${owner}`,
  );
  const unknown: number[] = [];
  for (let i = 0; i < 22; i++) {
    unknown.push(await status(loginFrom(server, "198.51.100.67", `nobody-${i}`, "guess")));
  }
  report.check(
    SCENARIO,
    "sign-ins with unknown usernames from one address are slowed",
    unknown.filter((s) => s === 429).length >= 2,
    `${unknown.filter((s) => s === 401).length} × 401, ${
      unknown.filter((s) => s === 429).length
    } × 429`,
  );
  const admin: number[] = [];
  for (let i = 0; i < 6; i++) {
    admin.push(
      await status(fetch(`${server.origin}/admin/signin`, {
        method: "POST",
        headers: { origin: server.origin, "x-forwarded-for": "198.51.100.68" },
        body: new URLSearchParams({ token: `guess-${i}` }),
        redirect: "manual",
      })),
    );
  }
  const realAdmin = await status(fetch(`${server.origin}/admin/signin`, {
    method: "POST",
    headers: { origin: server.origin, "x-forwarded-for": "192.0.2.78" },
    body: new URLSearchParams({ token: server.adminToken }),
    redirect: "manual",
  }));
  report.check(
    SCENARIO,
    "wrong admin tokens from one address never lock out the real admin",
    admin[5] === 429 && realAdmin === 303,
    `guesses: ${admin.join(" ")}; the admin elsewhere: ${realAdmin}`,
  );
}

async function inboundChecks(server: ServerProcess, report: Report): Promise<void> {
  const refused: number[] = [];
  for (let i = 0; i < 5; i++) {
    refused.push(
      await status(fetch(`${server.origin}/api/webhooks/inbound/todo_manager`, {
        method: "POST",
        headers: { "content-type": "application/json", "webhook-id": `msg_${i}` },
        body: "{}",
      })),
    );
  }
  const health = await (await api(server, "/api/progress-sync/health", {
    token: server.adminToken,
  })).json();
  const todo = health.systems.find((s: { system: string }) => s.system === "todo_manager");
  const critical = health.alerts.filter((a: { severity: string }) => a.severity === "critical");
  report.check(
    SCENARIO,
    "anonymous refused inbound webhooks do not degrade a system's health",
    refused.every((s) => s === 401) && todo.status !== "failed" && critical.length === 0,
    `${refused.join(" ")}; todo_manager ${todo.status}, ${critical.length} critical alerts`,
  );
  const longId = await status(fetch(`${server.origin}/api/webhooks/inbound/todo_manager`, {
    method: "POST",
    headers: { "content-type": "application/json", "webhook-id": "x".repeat(5000) },
    body: "{}",
  }));
  report.check(SCENARIO, "a 5,000-character webhook-id is a 400", longId === 400, `${longId}`);
}

async function ssrfAndCsrfChecks(server: ServerProcess, report: Report): Promise<void> {
  const urls = [
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:8000/hook",
    "http://0x7f000001:8000/hook",
    "http://2130706433:8000/hook",
    "http://localhost:8000/hook",
    "https://user:secret@93.184.215.14/hook",
  ];
  const statuses: number[] = [];
  for (const url of urls) {
    statuses.push(
      await status(api(server, "/api/webhooks", {
        token: server.adminToken,
        json: { url, eventTypes: ["*"] },
      })),
    );
  }
  report.check(
    SCENARIO,
    "webhook endpoints on internal addresses or with credentials are refused",
    statuses.every((s) => s === 400),
    statuses.join(" "),
  );
  const csrf = await fetch(`${server.origin}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "text/plain", origin: "https://attacker.example" },
    body: JSON.stringify({ username: "nobody", password: "whatever-1" }),
  });
  await csrf.body?.cancel();
  report.check(
    SCENARIO,
    "a cross-site text/plain sign-in sets no cookie",
    csrf.status >= 400 && csrf.headers.get("set-cookie") === null,
    `${csrf.status}`,
  );
}

async function tokenChecks(server: ServerProcess, a: Student, report: Report): Promise<void> {
  const other = await createToken(server, a.cookie, ["progress:read"]);
  const byReadToken = await status(api(server, `/api/tokens/${other.id}`, {
    token: a.readToken,
    method: "DELETE",
  }));
  const statuses: number[] = [];
  for (let i = 0; i < 50; i++) {
    statuses.push(
      await status(api(server, "/api/tokens", {
        cookie: a.cookie,
        json: { name: `cap ${i}`, scopes: ["progress:read"] },
      })),
    );
  }
  const listed = await api(server, `/api/tokens?userId=${a.userId}`, { token: server.adminToken });
  const count = listed.status === 200 ? (await listed.json()).tokens.length : -1;
  const revoked = await status(api(server, `/api/tokens/${other.id}?userId=${a.userId}`, {
    token: server.adminToken,
    method: "DELETE",
  }));
  report.check(
    SCENARIO,
    "tokens: a read token cannot revoke, a cap holds, the admin lists and revokes any student's",
    byReadToken === 403 && statuses.at(-1) === 409 && count === 50 && revoked === 204,
    `read token DELETE ${byReadToken}; last creation ${
      statuses.at(-1)
    }; admin sees ${count}, revokes ${revoked}`,
  );
}

async function headerChecks(server: ServerProcess, a: Student, report: Report): Promise<void> {
  const page = await fetch(`${server.origin}/dashboard`, { headers: { cookie: a.cookie } });
  await page.body?.cancel();
  const csp = page.headers.get("content-security-policy") ?? "";
  const ok =
    ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]
      .every((d) => csp.includes(d)) && page.headers.get("cache-control") === "no-store";
  report.check(SCENARIO, "signed-in pages carry the CSP and no-store", ok, csp);
}

async function erasureCheck(server: ServerProcess, report: Report): Promise<void> {
  const c = await createStudent(server, "erased");
  const marker = `erasemarker${crypto.randomUUID().slice(0, 8)}`;
  const posted = await postEvents(server, c.token, videoEvent(`${marker}-1`, `${marker}-video`), {
    wait: true,
  });
  await posted.body?.cancel();
  const exported = await api(server, "/api/account/export", { cookie: c.cookie });
  const hasMarker = (await exported.text()).includes(marker);
  const deleted = await status(api(server, "/api/account", {
    cookie: c.cookie,
    method: "DELETE",
    json: { password: STUDENT_PASSWORD },
  }));
  const kv = await Deno.openKv(server.kvPath);
  const survivors: string[] = [];
  try {
    for await (const entry of kv.list({ prefix: [] })) {
      let text = JSON.stringify(entry.key);
      try {
        text += JSON.stringify(entry.value);
      } catch { /* counters */ }
      if (text.includes(c.userId) || text.includes(marker) || text.includes(c.username)) {
        survivors.push(text.slice(0, 80));
      }
    }
  } finally {
    kv.close();
  }
  report.check(
    SCENARIO,
    "a student's export holds their data; after deleting the account nothing of it is in KV",
    hasMarker && deleted === 200 && survivors.length === 0,
    `export ${
      hasMarker ? "has" : "lacks"
    } the marker; DELETE ${deleted}; ${survivors.length} records left` +
      (survivors.length ? ` (${survivors.slice(0, 3).join("; ")})` : ""),
  );
}

/** Replays every finding of the security review against a server with `TRUST_PROXY=1` and private webhook addresses refused. */
export async function securityChecks(report: Report): Promise<void> {
  const server = await startSuiteServer({
    env: { TRUST_PROXY: "1", WEBHOOK_ALLOW_PRIVATE: "0" },
  });
  try {
    const a = await createStudent(server, "secure");
    await streamChecks(server, a, report);
    await consoleCheck(server, report);
    await throttleChecks(server, a, report);
    await inboundChecks(server, report);
    await ssrfAndCsrfChecks(server, report);
    await tokenChecks(server, a, report);
    await headerChecks(server, a, report);
    await erasureCheck(server, report);
  } finally {
    await server.stop();
  }
}
