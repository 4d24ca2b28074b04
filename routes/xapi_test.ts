import assert from "node:assert/strict";
import { type TestApp, withTestApp } from "../tests/support/test_app.ts";

const V = { "x-experience-api-version": "1.0.3" };
const COMPLETED = {
  id: "http://adlnet.gov/expapi/verbs/completed",
  display: { "en-US": "completed" },
};
const EXPERIENCED = { id: "http://adlnet.gov/expapi/verbs/experienced" };

function statement(options: {
  id?: string;
  name?: string;
  mbox?: string;
  verb?: Record<string, unknown>;
  object?: string;
  result?: Record<string, unknown>;
} = {}): Record<string, unknown> {
  return {
    ...(options.id === undefined ? {} : { id: options.id }),
    actor: options.mbox
      ? { mbox: options.mbox }
      : { account: { homePage: "https://lms.example.org", name: options.name ?? "ada" } },
    verb: options.verb ?? COMPLETED,
    object: { id: options.object ?? "http://example.org/activities/a1" },
    ...(options.result === undefined ? {} : { result: options.result }),
  };
}

function basic(token: string, user = "any-name"): string {
  return `Basic ${btoa(`${user}:${token}`)}`;
}

function xapi(
  app: TestApp,
  path: string,
  init: { token?: string; json?: unknown; method?: string; headers?: Record<string, string> } = {},
) {
  return app.request(`/xapi${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers: {
      ...V,
      ...(init.token === undefined ? {} : { authorization: basic(init.token) }),
      ...init.headers,
    },
    ...(init.json === undefined ? {} : { json: init.json }),
  });
}

async function systemToken(app: TestApp): Promise<string> {
  return await app.adminOwnedToken(["system"]);
}

Deno.test("xAPI about answers without credentials and names the versions", async () => {
  await withTestApp(async (app) => {
    const response = await app.request("/xapi/about");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-experience-api-version"), "1.0.3");
    assert.deepEqual((await response.json()).version, ["1.0.3", "2.0.0"]);
  });
});

Deno.test("xAPI statements need the version header, and credentials (Basic with a token as password, or Bearer)", async () => {
  await withTestApp(async (app) => {
    const token = await systemToken(app);
    const noVersion = await app.request("/xapi/statements", {
      headers: { authorization: basic(token) },
    });
    assert.equal(noVersion.status, 400);
    assert.match((await noVersion.json()).error, /X-Experience-API-Version/);
    assert.equal((await xapi(app, "/statements")).status, 401);
    assert.equal((await xapi(app, "/statements", { token: "ps_wrong" })).status, 401);
    assert.equal((await xapi(app, "/statements", { token })).status, 200);
    const bearer = await app.request("/xapi/statements", { token, headers: V });
    assert.equal(bearer.status, 200);
    assert.ok(bearer.headers.get("x-experience-api-consistent-through"));
  });
});

Deno.test("xAPI POST assigns ids when missing and stores stored, authority, timestamp and version", async () => {
  await withTestApp(async (app) => {
    const token = await systemToken(app);
    const id = crypto.randomUUID();
    const posted = await xapi(app, "/statements", {
      token,
      json: [statement({ id }), statement({ name: "grace" })],
    });
    assert.equal(posted.status, 200);
    const ids = await posted.json();
    assert.equal(ids.length, 2);
    assert.equal(ids[0], id);
    assert.match(ids[1], /^[0-9a-f-]{36}$/);
    const read = await xapi(app, `/statements?statementId=${id}`, { token });
    assert.equal(read.status, 200);
    assert.ok(read.headers.get("last-modified"));
    const stored = await read.json();
    assert.equal(stored.id, id);
    assert.equal(stored.version, "1.0.0");
    assert.equal(stored.timestamp, stored.stored);
    assert.equal(stored.authority.objectType, "Agent");
  });
});

Deno.test("xAPI PUT: same id and content is a 204 no-op, different content a 409; ids must agree", async () => {
  await withTestApp(async (app) => {
    const token = await systemToken(app);
    const id = crypto.randomUUID();
    const put = (body: unknown, statementId = id) =>
      xapi(app, `/statements?statementId=${statementId}`, { token, method: "PUT", json: body });
    assert.equal((await put(statement())).status, 204);
    assert.equal((await put(statement())).status, 204);
    const changed = await put(statement({ verb: EXPERIENCED }));
    assert.equal(changed.status, 409);
    assert.match((await changed.json()).error, /different content/);
    const other = crypto.randomUUID();
    assert.equal((await put({ ...statement(), id: other })).status, 400);
    assert.equal(
      (await xapi(app, "/statements", { token, method: "PUT", json: statement() })).status,
      400,
    );
    const postedAgain = await xapi(app, "/statements", {
      token,
      json: statement({ id, verb: EXPERIENCED }),
    });
    assert.equal(postedAgain.status, 409);
  });
});

Deno.test("xAPI rejects invalid statements with the reason, and stores nothing of that request", async () => {
  await withTestApp(async (app) => {
    const token = await systemToken(app);
    const good = crypto.randomUUID();
    const cases: [unknown, RegExp][] = [
      [{ ...statement(), verb: { id: "not an iri" } }, /verb\.id: Must be an absolute IRI/],
      [{ ...statement(), actor: { mbox: "ada@example.org" } }, /actor\.mbox/],
      [
        { ...statement(), actor: { mbox: "mailto:a@b.c", openid: "http://x.org/a" } },
        /exactly one/,
      ],
      [{ ...statement(), result: { score: { scaled: 1.5 } } }, /scaled: Must be between -1 and 1/],
      [{ ...statement(), result: { duration: "1 hour" } }, /duration/],
      [{ ...statement(), Verb: COMPLETED }, /Verb: Is not a property/],
      [{ ...statement(), timestamp: "yesterday" }, /timestamp/],
      [{ ...statement(), context: { registration: "abc" } }, /registration: Must be a UUID/],
      [{ ...statement(), verb: { id: "http://adlnet.gov/expapi/verbs/voided" } }, /StatementRef/],
    ];
    for (const [body, reason] of cases) {
      const response = await xapi(app, "/statements", {
        token,
        json: [statement({ id: good }), body],
      });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match((await response.json()).error, reason);
    }
    assert.equal((await xapi(app, `/statements?statementId=${good}`, { token })).status, 404);
  });
});

Deno.test("xAPI voiding hides the voided statement from statementId and queries; voidedStatementId finds it", async () => {
  await withTestApp(async (app) => {
    const token = await systemToken(app);
    const target = crypto.randomUUID();
    await xapi(app, "/statements", { token, json: statement({ id: target }) });
    const voiding = await xapi(app, "/statements", {
      token,
      json: {
        actor: { mbox: "mailto:admin@example.org" },
        verb: { id: "http://adlnet.gov/expapi/verbs/voided" },
        object: { objectType: "StatementRef", id: target },
      },
    });
    assert.equal(voiding.status, 200);
    const [voidingId] = await voiding.json();
    assert.equal((await xapi(app, `/statements?statementId=${target}`, { token })).status, 404);
    const voided = await xapi(app, `/statements?voidedStatementId=${target}`, { token });
    assert.equal(voided.status, 200);
    assert.equal((await voided.json()).id, target);
    const list = await (await xapi(app, "/statements", { token })).json();
    assert.deepEqual(list.statements.map((s: { id: string }) => s.id), [voidingId]);
    const byVerb = await xapi(app, `/statements?verb=${encodeURIComponent(COMPLETED.id)}`, {
      token,
    });
    assert.deepEqual((await byVerb.json()).statements.map((s: { id: string }) => s.id), [
      voidingId,
    ]);
  });
});

Deno.test("xAPI filters by agent, verb, activity, since and until, newest first unless ascending", async () => {
  await withTestApp(async (app) => {
    const token = await systemToken(app);
    const ids: string[] = [];
    const times: string[] = [];
    for (
      const [i, s] of [
        statement({ name: "ada" }),
        statement({ mbox: "mailto:grace@example.org", verb: EXPERIENCED }),
        statement({ name: "ada", object: "http://example.org/activities/a2" }),
      ].entries()
    ) {
      const response = await xapi(app, "/statements", { token, json: s });
      ids[i] = (await response.json())[0];
      const read = await (await xapi(app, `/statements?statementId=${ids[i]}`, { token })).json();
      times[i] = read.stored;
      while (new Date().toISOString() === times[i]) await new Promise((r) => setTimeout(r, 1));
    }
    const query = async (q: Record<string, string>) => {
      const response = await xapi(app, `/statements?${new URLSearchParams(q)}`, { token });
      assert.equal(response.status, 200);
      return (await response.json()).statements.map((s: { id: string }) => s.id);
    };
    const ada = JSON.stringify({ account: { homePage: "https://lms.example.org", name: "ada" } });
    assert.deepEqual(await query({}), [ids[2], ids[1], ids[0]]);
    assert.deepEqual(await query({ ascending: "true" }), ids);
    assert.deepEqual(await query({ agent: ada }), [ids[2], ids[0]]);
    assert.deepEqual(await query({ agent: JSON.stringify({ mbox: "mailto:grace@example.org" }) }), [
      ids[1],
    ]);
    assert.deepEqual(await query({ verb: EXPERIENCED.id }), [ids[1]]);
    assert.deepEqual(await query({ activity: "http://example.org/activities/a2" }), [ids[2]]);
    assert.deepEqual(await query({ since: times[0]! }), [ids[2], ids[1]]);
    assert.deepEqual(await query({ until: times[1]! }), [ids[1], ids[0]]);
    const bad = await xapi(app, "/statements?agent=nobody", { token });
    assert.equal(bad.status, 400);
    const unknown = await xapi(app, "/statements?colour=red", { token });
    assert.equal(unknown.status, 400);
    const mixed = await xapi(app, `/statements?statementId=${ids[0]}&verb=${EXPERIENCED.id}`, {
      token,
    });
    assert.equal(mixed.status, 400);
  });
});

Deno.test("xAPI pages with more links that never skip or repeat a statement", async () => {
  await withTestApp(async (app) => {
    const token = await systemToken(app);
    const sent = Array.from({ length: 7 }, () => crypto.randomUUID());
    await xapi(app, "/statements", { token, json: sent.map((id) => statement({ id })) });
    const seen: string[] = [];
    let next = "/xapi/statements?limit=3&ascending=true";
    for (let page = 0; next !== "" && page < 10; page++) {
      const response = await app.request(next, { headers: { ...V, authorization: basic(token) } });
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.ok(body.statements.length <= 3);
      seen.push(...body.statements.map((s: { id: string }) => s.id));
      next = body.more;
    }
    assert.deepEqual(seen, sent);
  });
});

Deno.test("xAPI with a student's token writes and reads only statements about that student", async () => {
  await withTestApp(async (app) => {
    const ada = await app.student("ada");
    const grace = await app.student("grace");
    const system = await systemToken(app);
    assert.equal(
      (await xapi(app, "/statements", { token: ada.token, json: statement({ name: "Ada" }) }))
        .status,
      200,
    );
    const forOther = await xapi(app, "/statements", {
      token: ada.token,
      json: statement({ name: "grace" }),
    });
    assert.equal(forOther.status, 403);
    const byMbox = await xapi(app, "/statements", {
      token: ada.token,
      json: statement({ mbox: "mailto:x@y.z" }),
    });
    assert.equal(byMbox.status, 403);
    const graceId = (await (await xapi(app, "/statements", {
      token: grace.token,
      json: statement({ name: "grace" }),
    })).json())[0];
    assert.equal(
      (await xapi(app, "/statements", { token: system, json: statement({ name: "grace" }) }))
        .status,
      200,
    );
    const adaList = await (await xapi(app, "/statements", { token: ada.token })).json();
    assert.equal(adaList.statements.length, 1);
    assert.equal(adaList.statements[0].actor.account.name, "Ada");
    assert.equal(
      (await xapi(app, `/statements?statementId=${graceId}`, { token: ada.token })).status,
      404,
    );
    const voidGrace = await xapi(app, "/statements", {
      token: ada.token,
      json: {
        actor: { account: { homePage: "https://lms.example.org", name: "ada" } },
        verb: { id: "http://adlnet.gov/expapi/verbs/voided" },
        object: { objectType: "StatementRef", id: graceId },
      },
    });
    assert.equal(voidGrace.status, 403);
    const readOnly = await app.student("reader", ["progress:read"]);
    assert.equal(
      (await xapi(app, "/statements", {
        token: readOnly.token,
        json: statement({ name: "reader" }),
      })).status,
      403,
    );
  });
});

async function putActivity(app: TestApp, id: string, body: Record<string, unknown>): Promise<void> {
  const response = await app.request(`/api/progress-sync/activities/${id}`, {
    method: "PUT",
    token: await app.adminOwnedToken(["system"]),
    json: body,
  });
  assert.ok(response.status === 201 || response.status === 200, await response.text());
}

async function logOf(app: TestApp, token: string) {
  const response = await app.request("/api/progress-sync/events?limit=100", { token });
  assert.equal(response.status, 200);
  return (await response.json()).events as {
    id: string;
    eventType: string;
    sourceSystem: string;
    eventData: Record<string, unknown>;
  }[];
}

Deno.test("a statement about a student's catalog activity becomes one progress event, its id the statement id", async () => {
  await withTestApp(async (app) => {
    const ada = await app.student("ada");
    await putActivity(app, "css-grid", {
      title: "CSS grid",
      activityType: "video",
      expectedMinutes: 20,
    });
    await putActivity(app, "quiz-1", {
      title: "Grid quiz",
      activityType: "quiz",
      iri: "https://h5p.example.org/quiz/1",
    });
    const system = await systemToken(app);
    const completed = crypto.randomUUID();
    const passed = crypto.randomUUID();
    const body = [
      statement({
        id: completed,
        object: "http://localhost/activities/css-grid",
        result: { duration: "PT12M30S" },
      }),
      statement({
        id: passed,
        verb: { id: "http://adlnet.gov/expapi/verbs/passed" },
        object: "https://h5p.example.org/quiz/1",
        result: { score: { scaled: 0.85 } },
      }),
      statement({ object: "http://localhost/activities/unknown" }),
      statement({ verb: EXPERIENCED, object: "http://localhost/activities/css-grid" }),
      statement({ name: "nobody", object: "http://localhost/activities/css-grid" }),
    ];
    assert.equal((await xapi(app, "/statements", { token: system, json: body })).status, 200);
    await app.processor.idle();
    const events = await logOf(app, ada.token);
    assert.deepEqual(events.map((e) => e.id), [completed, passed]);
    assert.equal(events[0]!.eventType, "video_completed");
    assert.equal(events[0]!.sourceSystem, "xapi");
    assert.deepEqual(events[0]!.eventData.completionStatus, "completed");
    assert.equal(events[0]!.eventData.timeSpent, 12.5);
    assert.equal(events[1]!.eventType, "skill_assessed");
    assert.equal(events[1]!.eventData.score, 85);
    assert.equal(events[1]!.eventData.activityId, "quiz-1");
    // Sending the same statements again is idempotent: no second event.
    assert.equal(
      (await xapi(app, "/statements", { token: system, json: body.slice(0, 2) })).status,
      200,
    );
    await app.processor.idle();
    assert.equal((await logOf(app, ada.token)).length, 2);
    const summary = await (await app.request("/api/progress-sync/summary", { token: ada.token }))
      .json();
    assert.ok(
      summary.recentActivities.some((a: { activityId: string }) => a.activityId === "css-grid"),
    );
  });
});

Deno.test("progressed statements report their percent; launched ones start the activity", async () => {
  await withTestApp(async (app) => {
    const ada = await app.student("ada");
    await putActivity(app, "project-1", { title: "Project", activityType: "project" });
    const progressed = crypto.randomUUID();
    const launched = crypto.randomUUID();
    await xapi(app, "/statements", {
      token: ada.token,
      json: [
        statement({
          id: launched,
          verb: { id: "http://adlnet.gov/expapi/verbs/launched" },
          object: "http://localhost/activities/project-1",
        }),
        statement({
          id: progressed,
          verb: { id: "http://adlnet.gov/expapi/verbs/progressed" },
          object: "http://localhost/activities/project-1",
          result: { extensions: { "https://w3id.org/xapi/cmi5/result/extensions/progress": 40 } },
        }),
      ],
    });
    await app.processor.idle();
    const events = await logOf(app, ada.token);
    assert.deepEqual(events.map((e) => e.eventData.completionStatus), ["started", "in_progress"]);
    assert.equal(events[1]!.eventData.percentComplete, 40);
  });
});

Deno.test("a catalog IRI registered on one activity cannot be claimed by another", async () => {
  await withTestApp(async (app) => {
    await putActivity(app, "a", { title: "A", activityType: "video", iri: "https://x.org/a" });
    const response = await app.request("/api/progress-sync/activities/b", {
      method: "PUT",
      token: await app.adminOwnedToken(["system"]),
      json: { title: "B", activityType: "video", iri: "https://x.org/a" },
    });
    assert.equal(response.status, 409);
    await putActivity(app, "a", { title: "A", activityType: "video", iri: "https://x.org/a2" });
    await putActivity(app, "b", { title: "B", activityType: "video", iri: "https://x.org/a" });
  });
});

Deno.test("xAPI takes attachment content as multipart/mixed and gives it back with attachments=true", async () => {
  await withTestApp(async (app) => {
    const token = await systemToken(app);
    const content = "a certificate";
    const sha2 = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(content))),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const id = crypto.randomUUID();
    const withAttachment = {
      ...statement({ id }),
      attachments: [{
        usageType: "http://example.org/usage/certificate",
        display: { "en-US": "Certificate" },
        contentType: "text/plain",
        length: content.length,
        sha2,
      }],
    };
    const multipart = (json: unknown, parts: string[]) =>
      app.request("/xapi/statements", {
        method: "POST",
        headers: {
          ...V,
          authorization: basic(token),
          "content-type": "multipart/mixed; boundary=zz",
        },
        body: `--zz\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(json)}\r\n${
          parts.map((p) => `--zz\r\n${p}\r\n`).join("")
        }--zz--\r\n`,
      });
    const part =
      `Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${sha2}\r\n\r\n${content}`;
    const missing = await xapi(app, "/statements", { token, json: withAttachment });
    assert.equal(missing.status, 400);
    assert.match((await missing.json()).error, /neither a fileUrl nor a content part/);
    const wrongHash = part.replace(`\r\n\r\n${content}`, "\r\n\r\nsomething else");
    assert.equal((await multipart(withAttachment, [wrongHash])).status, 400);
    const posted = await multipart(withAttachment, [part]);
    assert.equal(posted.status, 200);
    assert.deepEqual(await posted.json(), [id]);
    const read = await xapi(app, `/statements?statementId=${id}&attachments=true`, { token });
    assert.equal(read.status, 200);
    assert.match(read.headers.get("content-type") ?? "", /^multipart\/mixed; boundary=/);
    const text = await read.text();
    assert.ok(text.includes(`X-Experience-API-Hash: ${sha2}\r\n\r\n${content}\r\n`));
    assert.ok(text.includes(`"id":"${id}"`));
  });
});
