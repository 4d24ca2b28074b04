/**
 * Receiving a signed inbound webhook (a use case): a learning system pushes one progress event,
 * signed with the secret the admin set for it. The signature and its time are checked, a
 * redelivery (same `webhook-id`) is answered as a duplicate, and the event enters the log through
 * the one intake path as that system.
 */
import type { Principal } from "../auth/principal.ts";
import { isSourceSystem } from "../core/event_schema.ts";
import {
  ConflictError,
  fieldIssues,
  ForbiddenError,
  invalidInput,
  InvalidInputError,
  NotFoundError,
  UnauthorizedError,
} from "../errors.ts";
import { acceptPostedEvents, type IntakeDeps } from "../events/intake.ts";
import type { RejectionCounter } from "../health/rejection_counter.ts";
import { recordInboundOutcome } from "../processing/sync_stats.ts";
import { recordInbound } from "../telemetry.ts";
import { getInboundSecrets, rememberInboundId, seenInboundId } from "../webhooks/inbound_store.ts";
import type { SecretBox } from "../webhooks/secret_box.ts";
import { verifySignature } from "../webhooks/signing.ts";
import { z } from "zod";

/** Longest `webhook-id` accepted (it becomes part of a KV key and of the event id). */
export const MAX_WEBHOOK_ID_LENGTH = 256;

const inboundBodySchema = z.object({
  type: z.literal("progress_event", 'Must be "progress_event"'),
  data: z.record(z.string(), z.unknown(), "Must be a progress event object"),
});

/** What receiving needs: the intake's dependencies, the secrets' box and the refusal counter. */
export interface InboundDeps extends IntakeDeps {
  secretBox: SecretBox;
  inboundRejections: RejectionCounter;
}

/** One pushed webhook as it arrived. */
export interface InboundWebhook {
  system: string;
  /** Reads a request header (the Standard Webhooks `webhook-*` headers). */
  header: (name: string) => string | undefined;
  body: string;
  now: Date;
}

/** The answer to a webhook: a redelivery already seen, or the event it became. */
export type InboundOutcome =
  | { duplicate: true }
  | { duplicate: false; id: string; status: "accepted" | "duplicate" };

function inboundPrincipal(system: string): Principal {
  return { userId: null, ownerId: `inbound:${system}`, scopes: ["system"], via: "token" };
}

/**
 * Checks and accepts one inbound webhook. Refusals: unknown system (not found), an over-long
 * `webhook-id` or a malformed body (invalid), no secret set or a bad signature (unauthorized,
 * counted per system without changing its status), an event of another system (forbidden), an
 * event id reused with other content (conflict).
 */
export async function receiveInboundWebhook(
  deps: InboundDeps,
  webhook: InboundWebhook,
): Promise<InboundOutcome> {
  const { system, now } = webhook;
  const { kv } = deps;
  if (!isSourceSystem(system)) {
    throw new NotFoundError(`Unknown system "${system}"`);
  }
  if ((webhook.header("webhook-id") ?? "").length > MAX_WEBHOOK_ID_LENGTH) {
    throw new InvalidInputError(
      `Webhook refused: webhook-id must be at most ${MAX_WEBHOOK_ID_LENGTH} characters`,
    );
  }
  const secrets = await getInboundSecrets(kv, deps.secretBox, system, now.getTime());
  const reject = async (reason: string) => {
    await deps.inboundRejections.count(kv, system, now.getTime());
    recordInbound(system, reason);
    return new UnauthorizedError(`Webhook refused: ${reason.replaceAll("_", " ")}`);
  };
  if (secrets.length === 0) throw await reject("no_inbound_secret_set");
  const verified = verifySignature({
    secrets,
    headers: { get: (name) => webhook.header(name) },
    body: webhook.body,
    nowSeconds: Math.floor(now.getTime() / 1000),
  });
  if (!verified.ok) throw await reject(verified.reason);
  if (await seenInboundId(kv, system, verified.id)) {
    recordInbound(system, "duplicate");
    return { duplicate: true };
  }
  let json: unknown;
  try {
    json = JSON.parse(webhook.body);
  } catch {
    throw new InvalidInputError("Malformed JSON: the webhook body must be JSON");
  }
  const parsed = inboundBodySchema.safeParse(json);
  if (!parsed.success) throw invalidInput("webhook", fieldIssues(parsed.error));
  const { data } = parsed.data;
  if (data.sourceSystem !== undefined && data.sourceSystem !== system) {
    throw new ForbiddenError(
      `Webhook refused: ${system} cannot post events of source system "${
        String(data.sourceSystem)
      }"`,
    );
  }
  // Defaults that make a redelivery of the same webhook the same event: its id and its time.
  const event = {
    ...data,
    id: data.id ?? `${system}.${verified.id}`.replace(/[^A-Za-z0-9._:~-]/g, "-").slice(0, 128),
    sourceSystem: system,
    timestamp: data.timestamp ?? new Date(verified.timestampSeconds * 1000).toISOString(),
  };
  const { outcomes: [outcome] } = await acceptPostedEvents(deps, event, {
    principal: inboundPrincipal(system),
    now,
    userIdPath: () => "data.userId",
    label: "webhook",
  });
  if (outcome!.status === "conflict") {
    throw new ConflictError(
      `Cannot accept event "${outcome!.id}": id already used with different content`,
    );
  }
  await rememberInboundId(kv, system, verified.id, {
    receivedAt: now.toISOString(),
    eventIds: [outcome!.id],
  });
  await recordInboundOutcome(kv, system, { accepted: true, nowMs: now.getTime() });
  recordInbound(system, outcome!.status);
  return { duplicate: false, id: outcome!.id, status: outcome!.status };
}
