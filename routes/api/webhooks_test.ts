import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { TEST_ADMIN_TOKEN, type TestApp, withTestApp } from "../../tests/support/test_app.ts";
import type { ProgressUpdate } from "../../lib/core/project.ts";
import { createDeliveryWorker } from "../../lib/webhooks/delivery_worker.ts";
import { createEndpoint as createEndpointRecord } from "../../lib/webhooks/endpoint_store.ts";
import { addDeliveries, deliveriesFor } from "../../lib/webhooks/fanout.ts";
import { createUrlPolicy } from "../../lib/webhooks/url_policy.ts";
import { PLAIN_SECRET_BOX } from "../../lib/webhooks/secret_box.ts";

/** These tests open servers and KV: leak checks on. */
const leakChecked = { sanitizeOps: true, sanitizeResources: true };

/** A request the local receiver got. */
interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 (port 0) answering with `respond`, recording every request. */
function startReceiver(respond: (n: number, request: Request) => Response | Promise<Response>) {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    received.push({
      id: req.headers.get("webhook-id") ?? "",
      timestamp: req.headers.get("webhook-timestamp") ?? "",
      signature: req.headers.get("webhook-signature") ?? "",
      body,
    });
    return await respond(received.length, req);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    received,
    close: () => server.shutdown(),
  };
}

/** A URL on which nothing listens (connection refused). */
function deadUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return `http://127.0.0.1:${port}/hook`;
}

function video(id: string) {
  return {
    id,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: { activityId: `video-${id}`, activityType: "video", completionStatus: "completed" },
    timestamp: "2026-11-20T10:00:00Z",
  };
}

async function createEndpoint(app: TestApp, url: string, eventTypes = ["progress_update"]) {
  const response = await app.request("/api/webhooks", {
    method: "POST",
    token: TEST_ADMIN_TOKEN,
    json: { url, eventTypes, description: "test receiver" },
  });
  assert.equal(response.status, 201);
  return await response.json() as { id: string; secret: string };
}

async function postEvent(app: TestApp, token: string, id: string) {
  const response = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token,
    json: video(id),
  });
  assert.equal(response.status, 200);
  await app.deliveries.idle();
}

async function deliveries(app: TestApp, endpointId: string, query = "") {
  const response = await app.request(`/api/webhooks/${endpointId}/deliveries${query}`, {
    token: TEST_ADMIN_TOKEN,
  });
  assert.equal(response.status, 200);
  return (await response.json()).deliveries as {
    id: string;
    status: string;
    attempts: number;
    nextAttemptAt: string | null;
    lastError: string | null;
    payload: { type: string; data: Record<string, unknown> };
    attemptLog: { status: number | null; error: string | null; responseSnippet: string }[];
  }[];
}

/** A clock the delivery worker reads; starts a minute ahead so deliveries made now are due. */
function testClock() {
  const clock = { t: Date.now() + 60_000, now: () => clock.t };
  return clock;
}

Deno.test({
  name:
    "a processed event is delivered once, signed so that the standardwebhooks verifier accepts it",
  ...leakChecked,
  fn: async () => {
    const receiver = startReceiver(() => new Response("thanks", { status: 200 }));
    try {
      await withTestApp(async (app) => {
        const { token, userId } = await app.student();
        const endpoint = await createEndpoint(app, receiver.url);
        assert.match(endpoint.secret, /^whsec_/);
        await postEvent(app, token, "e1");
        assert.equal(receiver.received.length, 1);
        const got = receiver.received[0]!;
        const payload = new Webhook(endpoint.secret).verify(got.body, {
          "webhook-id": got.id,
          "webhook-timestamp": got.timestamp,
          "webhook-signature": got.signature,
        }) as { type: string; timestamp: string; data: Record<string, unknown> };
        assert.equal(payload.type, "progress_update");
        assert.equal(payload.data.eventId, "e1");
        assert.equal(payload.data.userId, userId);
        assert.match(payload.timestamp, /^\d{4}-\d\d-\d\dT/);
        const [log] = await deliveries(app, endpoint.id);
        assert.equal(log!.id, got.id);
        assert.equal(log!.status, "succeeded");
        assert.equal(log!.attemptLog[0]!.status, 200);
        assert.equal(log!.attemptLog[0]!.responseSnippet, "thanks");
        await app.deliveries.runDue();
        assert.equal(receiver.received.length, 1, "nothing is sent twice");
      });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test({
  name: "a receiver that is down is retried on the schedule, then the delivery is a dead letter",
  ...leakChecked,
  fn: async () => {
    const clock = testClock();
    await withTestApp(async (app) => {
      const { token } = await app.student();
      const endpoint = await createEndpoint(app, deadUrl());
      await postEvent(app, token, "e1");
      let [delivery] = await deliveries(app, endpoint.id);
      assert.equal(delivery!.status, "pending");
      assert.equal(delivery!.attempts, 1);
      assert.match(delivery!.attemptLog[0]!.error ?? "", /Connection failed/);
      assert.equal(Date.parse(delivery!.nextAttemptAt!), clock.t + 1000);
      clock.t += 999;
      assert.equal(await app.deliveries.runDue(), 0, "not due before the schedule says");
      clock.t += 1;
      assert.equal(await app.deliveries.runDue(), 1);
      [delivery] = await deliveries(app, endpoint.id);
      assert.equal(Date.parse(delivery!.nextAttemptAt!), clock.t + 2000);
      clock.t += 2000;
      assert.equal(await app.deliveries.runDue(), 1);
      [delivery] = await deliveries(app, endpoint.id);
      assert.equal(delivery!.status, "dead");
      assert.equal(delivery!.attempts, 3);
      assert.equal(delivery!.nextAttemptAt, null);
      const dead = await deliveries(app, endpoint.id, "?status=dead");
      assert.deepEqual(dead.map((d) => d.id), [delivery!.id]);
      const audit = await app.request("/api/audit?action=webhook.dead_lettered", {
        token: TEST_ADMIN_TOKEN,
      });
      assert.equal((await audit.json()).entries.length, 1);
    }, { deliveries: { now: clock.now, random: () => 0.5, schedule: [1000, 2000] } });
  },
});

Deno.test({
  name: "a 500 is retried with the same webhook-id until the receiver acknowledges it",
  ...leakChecked,
  fn: async () => {
    const clock = testClock();
    const receiver = startReceiver((n) =>
      n === 1 ? new Response("boom", { status: 500 }) : new Response(null, { status: 204 })
    );
    try {
      await withTestApp(async (app) => {
        const { token } = await app.student();
        const endpoint = await createEndpoint(app, receiver.url);
        await postEvent(app, token, "e1");
        clock.t += 1000;
        assert.equal(await app.deliveries.runDue(), 1);
        assert.equal(receiver.received.length, 2);
        assert.equal(receiver.received[0]!.id, receiver.received[1]!.id);
        assert.equal(receiver.received[0]!.body, receiver.received[1]!.body);
        const [delivery] = await deliveries(app, endpoint.id);
        assert.equal(delivery!.status, "succeeded");
        assert.deepEqual(delivery!.attemptLog.map((a) => a.status), [500, 204]);
        assert.equal(delivery!.attemptLog[0]!.responseSnippet, "boom");
      }, { deliveries: { now: clock.now, random: () => 0.5 } });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test({
  name: "an attempt that outlasts the timeout fails and is retried",
  ...leakChecked,
  fn: async () => {
    const clock = testClock();
    const release = Promise.withResolvers<void>();
    const receiver = startReceiver(async (n) => {
      if (n === 1) await release.promise;
      return new Response("ok");
    });
    try {
      await withTestApp(async (app) => {
        const { token } = await app.student();
        const endpoint = await createEndpoint(app, receiver.url);
        await postEvent(app, token, "e1");
        let [delivery] = await deliveries(app, endpoint.id);
        assert.equal(delivery!.status, "pending");
        assert.equal(delivery!.attemptLog[0]!.error, "Timed out after 50 ms");
        assert.equal(delivery!.attemptLog[0]!.status, null);
        release.resolve();
        clock.t += 1000;
        await app.deliveries.runDue();
        [delivery] = await deliveries(app, endpoint.id);
        assert.equal(delivery!.status, "succeeded");
      }, { deliveries: { now: clock.now, random: () => 0.5, timeoutMs: 50 } });
    } finally {
      release.resolve();
      await receiver.close();
    }
  },
});

Deno.test({
  name: "a 429 with Retry-After waits as long as the receiver asks",
  ...leakChecked,
  fn: async () => {
    const clock = testClock();
    const receiver = startReceiver((n) =>
      n === 1
        ? new Response("slow down", { status: 429, headers: { "retry-after": "120" } })
        : new Response("ok")
    );
    try {
      await withTestApp(async (app) => {
        const { token } = await app.student();
        const endpoint = await createEndpoint(app, receiver.url);
        await postEvent(app, token, "e1");
        const [delivery] = await deliveries(app, endpoint.id);
        assert.equal(Date.parse(delivery!.nextAttemptAt!), clock.t + 120_000);
        clock.t += 60_000;
        assert.equal(await app.deliveries.runDue(), 0);
        clock.t += 60_000;
        assert.equal(await app.deliveries.runDue(), 1);
        assert.equal(receiver.received.length, 2);
      }, { deliveries: { now: clock.now, random: () => 0.5 } });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test({
  name: "a 410 Gone makes a dead letter at once and disables the endpoint",
  ...leakChecked,
  fn: async () => {
    const receiver = startReceiver(() => new Response("gone", { status: 410 }));
    try {
      await withTestApp(async (app) => {
        const { token } = await app.student();
        const endpoint = await createEndpoint(app, receiver.url);
        await postEvent(app, token, "e1");
        const [delivery] = await deliveries(app, endpoint.id);
        assert.equal(delivery!.status, "dead");
        const view = await (await app.request(`/api/webhooks/${endpoint.id}`, {
          token: TEST_ADMIN_TOKEN,
        })).json();
        assert.equal(view.enabled, false);
        assert.match(view.disabledReason, /410 Gone/);
        await postEvent(app, token, "e2");
        assert.equal(receiver.received.length, 1, "a disabled endpoint gets nothing new");
        assert.equal((await deliveries(app, endpoint.id)).length, 1);
        const audit = await (await app.request("/api/audit?action=webhook.disabled", {
          token: TEST_ADMIN_TOKEN,
        })).json();
        assert.equal(audit.entries[0].actor, "system");
      });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test({
  name: "an endpoint whose deliveries keep dying is disabled after the configured dead letters",
  ...leakChecked,
  fn: async () => {
    await withTestApp(async (app) => {
      const { token } = await app.student();
      const endpoint = await createEndpoint(app, deadUrl());
      await postEvent(app, token, "e1");
      await postEvent(app, token, "e2");
      const view = await (await app.request(`/api/webhooks/${endpoint.id}`, {
        token: TEST_ADMIN_TOKEN,
      })).json();
      assert.equal(view.enabled, false);
      assert.match(view.disabledReason, /2 deliveries in a row became dead letters/);
      assert.equal(view.health.deadLetters, 2);
    }, { deliveries: { schedule: [], disableAfterDeadLetters: 2 } });
  },
});

Deno.test({
  name: "dead letters are replayed one by one or all since a time, with their original webhook-id",
  ...leakChecked,
  fn: async () => {
    const receiver = startReceiver(() => new Response("ok"));
    try {
      await withTestApp(async (app) => {
        const { token } = await app.student();
        const endpoint = await createEndpoint(app, deadUrl());
        const startedAt = new Date(Date.now() - 1000).toISOString();
        await postEvent(app, token, "e1");
        await postEvent(app, token, "e2");
        const dead = await deliveries(app, endpoint.id, "?status=dead");
        assert.equal(dead.length, 2);
        const patched = await app.request(`/api/webhooks/${endpoint.id}`, {
          method: "PATCH",
          token: TEST_ADMIN_TOKEN,
          json: { url: receiver.url },
        });
        assert.equal(patched.status, 200);
        const one = await app.request(
          `/api/webhooks/${endpoint.id}/deliveries/${dead[1]!.id}/replay`,
          { method: "POST", token: TEST_ADMIN_TOKEN },
        );
        assert.equal(one.status, 202);
        await app.deliveries.idle();
        assert.deepEqual(receiver.received.map((r) => r.id), [dead[1]!.id]);
        const all = await app.request(`/api/webhooks/${endpoint.id}/replay`, {
          method: "POST",
          token: TEST_ADMIN_TOKEN,
          json: { since: startedAt },
        });
        assert.equal(all.status, 202);
        assert.equal((await all.json()).replayed, 2);
        await app.deliveries.idle();
        assert.deepEqual(
          receiver.received.map((r) => r.id).sort(),
          [dead[1]!.id, dead[0]!.id, dead[1]!.id].sort(),
        );
        assert.deepEqual(await deliveries(app, endpoint.id, "?status=dead"), []);
        const missing = await app.request(
          `/api/webhooks/${endpoint.id}/deliveries/msg_nope/replay`,
          { method: "POST", token: TEST_ADMIN_TOKEN },
        );
        assert.equal(missing.status, 404);
      }, { deliveries: { schedule: [] } });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test({
  name:
    "after a rotation both the old and the new secret verify deliveries; the secret is never shown again",
  ...leakChecked,
  fn: async () => {
    const receiver = startReceiver(() => new Response("ok"));
    try {
      await withTestApp(async (app) => {
        const { token } = await app.student();
        const endpoint = await createEndpoint(app, receiver.url, ["*"]);
        const rotated = await app.request(`/api/webhooks/${endpoint.id}/rotate`, {
          method: "POST",
          token: TEST_ADMIN_TOKEN,
        });
        assert.equal(rotated.status, 200);
        const { secret, rotationEndsAt } = await rotated.json();
        assert.notEqual(secret, endpoint.secret);
        assert.ok(Date.parse(rotationEndsAt) > Date.now() + 23 * 3_600_000);
        await postEvent(app, token, "e1");
        const got = receiver.received[0]!;
        const headers = {
          "webhook-id": got.id,
          "webhook-timestamp": got.timestamp,
          "webhook-signature": got.signature,
        };
        assert.equal(got.signature.split(" ").length, 2);
        new Webhook(endpoint.secret).verify(got.body, headers);
        new Webhook(secret).verify(got.body, headers);
        for (const path of ["/api/webhooks", `/api/webhooks/${endpoint.id}`]) {
          const text = await (await app.request(path, { token: TEST_ADMIN_TOKEN })).text();
          assert.ok(!text.includes("whsec_"), `${path} shows no secret`);
        }
      });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test({
  name: "two workers never send the same attempt",
  ...leakChecked,
  fn: async () => {
    const receiver = startReceiver(() => new Response("ok"));
    const kv = await Deno.openKv(":memory:");
    try {
      const made = await createEndpointRecord(kv, PLAIN_SECRET_BOX, {
        url: receiver.url,
        description: "",
        eventTypes: ["*"],
        urlPolicy: createUrlPolicy({ allowPrivate: true }),
      }, { actor: "admin" });
      const messages = Array.from({ length: 20 }, (_, i) => ({
        event: "progress_update" as const,
        data: { eventId: `e${i}` } as unknown as ProgressUpdate,
      }));
      const op = kv.atomic();
      addDeliveries(op, deliveriesFor("u1", messages, [made!.endpoint], Date.now()));
      await op.commit();
      const urlPolicy = createUrlPolicy({ allowPrivate: true });
      const a = createDeliveryWorker(kv, { autoSchedule: false, urlPolicy });
      const b = createDeliveryWorker(kv, { autoSchedule: false, urlPolicy });
      const [sentA, sentB] = await Promise.all([a.runDue(), b.runDue()]);
      assert.equal(sentA + sentB, 20);
      assert.equal(receiver.received.length, 20);
      assert.equal(new Set(receiver.received.map((r) => r.id)).size, 20);
      await Promise.all([a.close(), b.close()]);
    } finally {
      kv.close();
      await receiver.close();
    }
  },
});

Deno.test("webhook management needs the admin: 401 without credentials, 403 for students and system tokens", async () => {
  await withTestApp(async (app) => {
    const { token } = await app.student();
    const system = await app.adminOwnedToken(["system"]);
    const calls: [string, string][] = [
      ["GET", "/api/webhooks"],
      ["POST", "/api/webhooks"],
      ["GET", "/api/webhooks/ep_x"],
      ["PATCH", "/api/webhooks/ep_x"],
      ["DELETE", "/api/webhooks/ep_x"],
      ["POST", "/api/webhooks/ep_x/rotate"],
      ["GET", "/api/webhooks/ep_x/deliveries"],
      ["POST", "/api/webhooks/ep_x/replay"],
      ["POST", "/api/webhooks/ep_x/deliveries/msg_x/replay"],
      ["PUT", "/api/webhooks/inbound/todo_manager/secret"],
      ["GET", "/api/audit"],
    ];
    for (const [method, path] of calls) {
      const json = method === "GET" ? undefined : {};
      const anonymous = await app.request(path, { method, json });
      assert.equal(anonymous.status, 401, `${method} ${path} anonymous`);
      for (const caller of [token, system]) {
        const response = await app.request(path, { method, token: caller, json });
        assert.equal(response.status, 403, `${method} ${path}`);
      }
    }
  });
});

Deno.test("endpoint input is validated and the lifecycle is audited", async () => {
  await withTestApp(async (app) => {
    const bad = await app.request("/api/webhooks", {
      method: "POST",
      token: TEST_ADMIN_TOKEN,
      json: { url: "ftp://example.com", eventTypes: ["progress_exploded"] },
    });
    assert.equal(bad.status, 400);
    const paths = (await bad.json()).issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ["eventTypes[0]", "url"]);
    const endpoint = await createEndpoint(app, "http://127.0.0.1:9/hook");
    const patched = await app.request(`/api/webhooks/${endpoint.id}`, {
      method: "PATCH",
      token: TEST_ADMIN_TOKEN,
      json: { enabled: false, description: "paused" },
    });
    assert.equal(patched.status, 200);
    const view = await patched.json();
    assert.equal(view.enabled, false);
    assert.equal(view.description, "paused");
    const empty = await app.request(`/api/webhooks/${endpoint.id}`, {
      method: "PATCH",
      token: TEST_ADMIN_TOKEN,
      json: {},
    });
    assert.equal(empty.status, 400);
    const deleted = await app.request(`/api/webhooks/${endpoint.id}`, {
      method: "DELETE",
      token: TEST_ADMIN_TOKEN,
    });
    assert.equal(deleted.status, 204);
    const gone = await app.request(`/api/webhooks/${endpoint.id}`, { token: TEST_ADMIN_TOKEN });
    assert.equal(gone.status, 404);
    const audit = await (await app.request("/api/audit", { token: TEST_ADMIN_TOKEN })).json();
    assert.deepEqual(audit.entries.map((e: { action: string }) => e.action), [
      "webhook.deleted",
      "webhook.updated",
      "webhook.created",
    ]);
  });
});

Deno.test({
  name:
    "an admin's test message reaches the endpoint signed, is logged and audited; disabled refuses",
  ...leakChecked,
  fn: async () => {
    const receiver = startReceiver(() => new Response("got it", { status: 200 }));
    try {
      await withTestApp(async (app) => {
        const endpoint = await createEndpoint(app, receiver.url, ["achievement_earned"]);
        const sent = await app.request(`/api/webhooks/${endpoint.id}/test`, {
          method: "POST",
          token: TEST_ADMIN_TOKEN,
        });
        assert.equal(sent.status, 202);
        const { id } = await sent.json();
        await app.deliveries.runDue();
        await app.deliveries.idle();
        assert.equal(receiver.received.length, 1, "sent although it subscribes to other types");
        const got = receiver.received[0]!;
        assert.equal(got.id, id);
        const payload = new Webhook(endpoint.secret).verify(got.body, {
          "webhook-id": got.id,
          "webhook-timestamp": got.timestamp,
          "webhook-signature": got.signature,
        }) as { type: string };
        assert.equal(payload.type, "webhook.test");
        const [log] = await deliveries(app, endpoint.id);
        assert.equal(log!.status, "succeeded");
        assert.equal(log!.attemptLog[0]!.responseSnippet, "got it");
        const audit = await (await app.request("/api/audit", { token: TEST_ADMIN_TOKEN })).json();
        assert.ok(
          audit.entries.some((e: { action: string; target: string }) =>
            e.action === "webhook.tested" && e.target === endpoint.id
          ),
        );

        const student = await app.student();
        const refused = await app.request(`/api/webhooks/${endpoint.id}/test`, {
          method: "POST",
          token: student.token,
        });
        assert.equal(refused.status, 403);
        await refused.body?.cancel();
        const disabled = await app.request(`/api/webhooks/${endpoint.id}`, {
          method: "PATCH",
          token: TEST_ADMIN_TOKEN,
          json: { enabled: false },
        });
        assert.equal(disabled.status, 200);
        await disabled.body?.cancel();
        const again = await app.request(`/api/webhooks/${endpoint.id}/test`, {
          method: "POST",
          token: TEST_ADMIN_TOKEN,
        });
        assert.equal(again.status, 409);
        await again.body?.cancel();
      });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test("without WEBHOOK_ALLOW_PRIVATE, endpoints on internal addresses are refused with a 400 that says why", async () => {
  await withTestApp(async (app) => {
    const urls = [
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]:8080/hook",
      "http://0x7f000001:8000/hook",
      "http://2130706433:8000/hook",
      "http://localhost:8000/hook",
      "http://10.0.0.5/hook",
      "http://100.64.1.1/hook",
      "http://[fd00::1]/hook",
      "http://0.0.0.0/hook",
    ];
    for (const base of ["/api/webhooks", "/admin/api/webhooks"]) {
      for (const url of urls) {
        const response = await app.request(base, {
          method: "POST",
          token: TEST_ADMIN_TOKEN,
          json: { url, eventTypes: ["*"] },
        });
        assert.equal(response.status, 400, `${base} ${url}`);
        const body = await response.json();
        assert.match(
          body.error,
          /Webhook URL refused: .*(loopback|private|link-local|CGNAT|unique-local|unspecified)/,
        );
      }
    }
    const withCredentials = await app.request("/api/webhooks", {
      method: "POST",
      token: TEST_ADMIN_TOKEN,
      json: { url: "https://user:pw@93.184.215.14/hook", eventTypes: ["*"] },
    });
    assert.equal(withCredentials.status, 400);
    assert.match((await withCredentials.json()).error, /user name or password/);
    const listed = await (await app.request("/api/webhooks", { token: TEST_ADMIN_TOKEN })).json();
    assert.deepEqual(listed.endpoints, []);

    const publicOne = await app.request("/api/webhooks", {
      method: "POST",
      token: TEST_ADMIN_TOKEN,
      json: { url: "https://93.184.215.14/hook", eventTypes: ["*"] },
    });
    assert.equal(publicOne.status, 201);
    const { id } = await publicOne.json();
    const moved = await app.request(`/api/webhooks/${id}`, {
      method: "PATCH",
      token: TEST_ADMIN_TOKEN,
      json: { url: "http://127.0.0.1:9/hook" },
    });
    assert.equal(moved.status, 400, "changing the URL is checked too");
    await moved.body?.cancel();
  }, { webhookAllowPrivate: false });
});

Deno.test({
  name: "an endpoint whose URL is refused at connect time gets no request; the log says why",
  ...leakChecked,
  fn: async () => {
    const receiver = startReceiver(() => new Response("internal secret", { status: 200 }));
    try {
      await withTestApp(async (app) => {
        const { token } = await app.student();
        // Stored while private addresses were allowed (or a name that now resolves inside).
        const made = await createEndpointRecord(app.kv, app.secretBox, {
          url: receiver.url,
          description: "",
          eventTypes: ["*"],
          urlPolicy: createUrlPolicy({ allowPrivate: true }),
        }, { actor: "admin" });
        await postEvent(app, token, "e1");
        assert.equal(receiver.received.length, 0);
        const [log] = await deliveries(app, made!.endpoint.id);
        assert.match(log!.attemptLog[0]!.error ?? "", /Not sent: the URL is refused: .*loopback/);
        assert.equal(log!.attemptLog[0]!.responseSnippet, "");
      }, { webhookAllowPrivate: false });
    } finally {
      await receiver.close();
    }
  },
});

Deno.test("credentials already stored in an endpoint URL are masked in listings", async () => {
  await withTestApp(async (app) => {
    await createEndpointRecord(app.kv, app.secretBox, {
      url: "https://legacy:hunter2@93.184.215.14/hook",
      description: "",
      eventTypes: ["*"],
      urlPolicy: { refusal: () => Promise.resolve(null) },
    }, { actor: "admin" });
    const text = await (await app.request("/api/webhooks", { token: TEST_ADMIN_TOKEN })).text();
    assert.ok(!text.includes("hunter2"));
    assert.match(text, /https:\/\/\*\*\*@93\.184\.215\.14\/hook/);
  });
});
