import { Hono } from "hono";
import { decodeTime, encodeTime } from "ulid";
import { z } from "zod";
import { actorOf, addAudit, recordAudit } from "../../lib/audit/audit_log.ts";
import { newUlid } from "../../lib/ids.ts";
import { addDeliveries, testDeliveryFor } from "../../lib/webhooks/fanout.ts";
import { isSourceSystem, SOURCE_SYSTEMS } from "../../lib/core/event_schema.ts";
import type { AppEnv } from "../../lib/http/app_env.ts";
import { requireScope } from "../../lib/http/auth_middleware.ts";
import { HttpError } from "../../lib/http/http_error.ts";
import { readJson } from "../../lib/http/read_json.ts";
import { parseOr400 } from "../../lib/http/validation.ts";
import { responseMeta, setLastUpdatedAt } from "../../lib/http/response_timestamps.ts";
import {
  type DeliveryStatus,
  getDelivery,
  getEndpointHealth,
  listAttempts,
  listDeliveries,
  type WebhookDelivery,
} from "../../lib/webhooks/delivery_store.ts";
import { replayDelivery, replaySince } from "../../lib/webhooks/delivery_replay.ts";
import {
  createEndpoint,
  deleteEndpoint,
  endpointView,
  getEndpoint,
  listEndpoints,
  MAX_ENDPOINTS,
  patchEndpoint,
  rotateSecret,
  updateEndpoint,
  WEBHOOK_EVENT_TYPES,
} from "../../lib/webhooks/endpoint_store.ts";
import { listInboundSystems, setInboundSecret } from "../../lib/webhooks/inbound_store.ts";
import { newWebhookSecret } from "../../lib/webhooks/signing.ts";
import { receiveInboundWebhook } from "../../lib/inbound/receive_webhook.ts";
import { maskUrlCredentials } from "../../lib/webhooks/url_policy.ts";

const urlSchema = z.string().trim().max(2048, "Must be at most 2048 characters").pipe(
  z.url({ protocol: /^https?$/, message: "Must be an http or https URL" }),
);
const eventTypesSchema = z.array(z.enum(["*", ...WEBHOOK_EVENT_TYPES]), {
  message: `Must be an array of ${["*", ...WEBHOOK_EVENT_TYPES].map((t) => `"${t}"`).join(", ")}`,
}).min(1, 'Name at least one event type (or "*")');
const descriptionSchema = z.string().trim().max(500, "Must be at most 500 characters");

const createSchema = z.object({
  url: urlSchema,
  eventTypes: eventTypesSchema,
  description: descriptionSchema.default(""),
});

const patchSchema = z.object({
  url: urlSchema.optional(),
  eventTypes: eventTypesSchema.optional(),
  description: descriptionSchema.optional(),
  enabled: z.boolean().optional(),
}).refine((p) => Object.values(p).some((v) => v !== undefined), {
  message: "Change at least one of url, eventTypes, description, enabled",
});

const deliveriesQuerySchema = z.object({
  status: z.enum(["pending", "delivering", "succeeded", "dead"]).optional(),
  cursor: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "Must be a cursor this endpoint returned")
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

const replaySinceSchema = z.object({
  since: z.union([
    z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/),
    z.iso.datetime({ offset: true }),
  ], "Must be a delivery cursor (from a listing) or an ISO 8601 date-time"),
});

/** The API view of a delivery: its record with times as ISO and the body parsed. */
function deliveryView(delivery: WebhookDelivery) {
  const { payload, nextAttemptAt, ...rest } = delivery;
  return {
    ...rest,
    nextAttemptAt: nextAttemptAt === null ? null : new Date(nextAttemptAt).toISOString(),
    payload: JSON.parse(payload) as unknown,
  };
}

async function endpointOr404(c: { get: (k: "deps") => AppEnv["Variables"]["deps"] }, id: string) {
  const endpoint = await getEndpoint(c.get("deps").kv, id);
  if (!endpoint) throw new HttpError(404, "Webhook endpoint not found");
  return endpoint;
}

/** The cursor a `since` value starts after: a delivery cursor as is, a time as the first cursor at it. */
export function sinceCursor(since: string): string {
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(since)) {
    decodeTime(since);
    return since;
  }
  // Every delivery created at or after this time has a seq above this prefix.
  return encodeTime(Date.parse(since), 10);
}

/**
 * `/api/webhooks`: outbound endpoints (admin), their delivery logs and replays, inbound secrets
 * (admin), and `POST /inbound/:system` where systems push signed progress events.
 */
export const webhookRoutes = new Hono<AppEnv>()
  .post("/inbound/:system", async (c) => {
    const outcome = await receiveInboundWebhook(c.get("deps"), {
      system: c.req.param("system"),
      header: (name) => c.req.header(name),
      body: await c.req.text(),
      now: new Date(),
    });
    if (outcome.duplicate) return c.json({ duplicate: true }, 200);
    return c.json({ results: [{ id: outcome.id, status: outcome.status }] }, 202);
  })
  .get("/inbound", async (c) => {
    requireScope(c, "admin");
    return c.json({ systems: await listInboundSystems(c.get("deps").kv) });
  })
  .put("/inbound/:system/secret", async (c) => {
    const principal = requireScope(c, "admin");
    const system = c.req.param("system");
    if (!isSourceSystem(system)) {
      throw new HttpError(
        404,
        `Unknown system "${system}": use one of ${SOURCE_SYSTEMS.join(", ")}`,
      );
    }
    const { kv, secretBox } = c.get("deps");
    const { secret, previousExpiresAt } = await setInboundSecret(kv, system, {
      box: secretBox,
      audit: { actor: actorOf(principal) },
    });
    return c.json({ system, secret, previousSecretExpiresAt: previousExpiresAt }, 201);
  })
  .post("/", async (c) => {
    const principal = requireScope(c, "admin");
    const input = parseOr400(createSchema, await readJson(c), "webhook endpoint");
    const { kv, secretBox, webhookUrls } = c.get("deps");
    const created = await createEndpoint(kv, secretBox, { ...input, urlPolicy: webhookUrls }, {
      actor: actorOf(principal),
    });
    if (!created) {
      throw new HttpError(409, `Cannot add an endpoint: the limit is ${MAX_ENDPOINTS}`);
    }
    return c.json({ ...endpointView(created.endpoint), secret: created.secret }, 201);
  })
  .get("/", async (c) => {
    requireScope(c, "admin");
    const { kv } = c.get("deps");
    const endpoints = await listEndpoints(kv);
    const healths = await Promise.all(endpoints.map((e) => getEndpointHealth(kv, e.id)));
    return c.json({
      endpoints: endpoints.map((e, i) => {
        const { recent: _recent, ...health } = healths[i]!;
        return { ...endpointView(e), health };
      }),
      meta: responseMeta(),
    });
  })
  .get("/:id", async (c) => {
    requireScope(c, "admin");
    const endpoint = await endpointOr404(c, c.req.param("id"));
    const { recent: _recent, ...health } = await getEndpointHealth(c.get("deps").kv, endpoint.id);
    setLastUpdatedAt(c, endpoint.updatedAt);
    return c.json({ ...endpointView(endpoint), health, meta: responseMeta() });
  })
  .patch("/:id", async (c) => {
    const principal = requireScope(c, "admin");
    const patch = parseOr400(patchSchema, await readJson(c), "webhook endpoint change");
    const now = new Date();
    const updated = await updateEndpoint(c.get("deps").kv, c.req.param("id"), {
      box: c.get("deps").secretBox,
      change: (e) => patchEndpoint(e, patch, now),
      audit: {
        actor: actorOf(principal),
        action: "webhook.updated",
        target: c.req.param("id"),
        details: { ...patch, ...(patch.url ? { url: maskUrlCredentials(patch.url) } : {}) },
      },
      now,
      urlPolicy: c.get("deps").webhookUrls,
    });
    if (!updated) throw new HttpError(404, "Webhook endpoint not found");
    return c.json(endpointView(updated));
  })
  .delete("/:id", async (c) => {
    const principal = requireScope(c, "admin");
    const deleted = await deleteEndpoint(c.get("deps").kv, c.req.param("id"), {
      actor: actorOf(principal),
    });
    if (!deleted) throw new HttpError(404, "Webhook endpoint not found");
    return c.body(null, 204);
  })
  .post("/:id/test", async (c) => {
    const principal = requireScope(c, "admin");
    const endpoint = await endpointOr404(c, c.req.param("id"));
    if (!endpoint.enabled) {
      throw new HttpError(409, "Cannot send a test to a disabled endpoint: enable it first");
    }
    const { kv, deliveries } = c.get("deps");
    const delivery = testDeliveryFor(endpoint, newUlid(), Date.now());
    const op = kv.atomic();
    addDeliveries(op, [delivery]);
    addAudit(op, {
      actor: actorOf(principal),
      action: "webhook.tested",
      target: endpoint.id,
      details: { deliveryId: delivery.id },
    });
    await op.commit();
    deliveries?.wake();
    return c.json({ id: delivery.id, endpointId: endpoint.id, status: "pending" }, 202);
  })
  .post("/:id/rotate", async (c) => {
    const principal = requireScope(c, "admin");
    const secret = newWebhookSecret();
    const now = new Date();
    const id = c.req.param("id");
    const updated = await updateEndpoint(c.get("deps").kv, id, {
      box: c.get("deps").secretBox,
      change: (e) => rotateSecret(e, secret, now),
      audit: { actor: actorOf(principal), action: "webhook.secret_rotated", target: id },
      now,
    });
    if (!updated) throw new HttpError(404, "Webhook endpoint not found");
    const view = endpointView(updated, now.getTime());
    return c.json({ id, secret, rotationEndsAt: view.rotationEndsAt });
  })
  .get("/:id/deliveries", async (c) => {
    requireScope(c, "admin");
    const endpoint = await endpointOr404(c, c.req.param("id"));
    const query = parseOr400(deliveriesQuerySchema, c.req.query(), "query");
    const { kv } = c.get("deps");
    const page = await listDeliveries(kv, endpoint.id, {
      ...(query.status ? { status: query.status as DeliveryStatus } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: query.limit,
    });
    const attempts = await Promise.all(
      page.deliveries.map((d) => listAttempts(kv, endpoint.id, d.id)),
    );
    return c.json({
      deliveries: page.deliveries.map((d, i) => ({ ...deliveryView(d), attemptLog: attempts[i] })),
      cursor: page.cursor,
      meta: responseMeta(),
    });
  })
  .get("/:id/deliveries/:deliveryId", async (c) => {
    requireScope(c, "admin");
    const endpoint = await endpointOr404(c, c.req.param("id"));
    const { kv } = c.get("deps");
    const delivery = await getDelivery(kv, endpoint.id, c.req.param("deliveryId"));
    if (!delivery) throw new HttpError(404, "Delivery not found");
    const attemptLog = await listAttempts(kv, endpoint.id, delivery.id);
    return c.json({ ...deliveryView(delivery), attemptLog });
  })
  .post("/:id/deliveries/:deliveryId/replay", async (c) => {
    const principal = requireScope(c, "admin");
    const endpoint = await endpointOr404(c, c.req.param("id"));
    if (!endpoint.enabled) {
      throw new HttpError(409, "Cannot replay to a disabled endpoint: enable it first");
    }
    const { kv, deliveries } = c.get("deps");
    const deliveryId = c.req.param("deliveryId");
    const outcome = await replayDelivery(kv, endpoint.id, deliveryId, Date.now());
    if (outcome === "not_found") throw new HttpError(404, "Delivery not found");
    if (outcome === "in_flight") {
      throw new HttpError(
        409,
        "Cannot replay a delivery while it is being sent: try again shortly",
      );
    }
    await recordAudit(kv, {
      actor: actorOf(principal),
      action: "webhook.replayed",
      target: endpoint.id,
      details: { deliveryId },
    });
    deliveries?.wake();
    return c.json({ id: deliveryId, status: "pending" }, 202);
  })
  .post("/:id/replay", async (c) => {
    const principal = requireScope(c, "admin");
    const endpoint = await endpointOr404(c, c.req.param("id"));
    if (!endpoint.enabled) {
      throw new HttpError(409, "Cannot replay to a disabled endpoint: enable it first");
    }
    const { since } = parseOr400(replaySinceSchema, await readJson(c), "replay request");
    const { kv, deliveries } = c.get("deps");
    const result = await replaySince(kv, endpoint.id, sinceCursor(since), Date.now());
    await recordAudit(kv, {
      actor: actorOf(principal),
      action: "webhook.replayed",
      target: endpoint.id,
      details: { since, replayed: result.replayed },
    });
    deliveries?.wake();
    return c.json(result, 202);
  });
