import { recordAudit } from "../audit/audit_log.ts";
import { recordDeadLetter, recordDeliveryAttempt } from "../telemetry.ts";
import {
  claimDue,
  type ClaimedDelivery,
  deadLetterWithoutAttempt,
  type DeliveryAttempt,
  dropOrphan,
  finishAttempt,
  listDue,
  nextDueAt,
  SNIPPET_LIMIT,
  type WebhookDelivery,
} from "./delivery_store.ts";
import {
  disableEndpoint,
  getEndpoint,
  signingSecrets,
  updateEndpoint,
  type WebhookEndpoint,
} from "./endpoint_store.ts";
import { DEFAULT_RETRY_SCHEDULE_MS, parseRetryAfter } from "./retry_schedule.ts";
import { PLAIN_SECRET_BOX, type SecretBox } from "./secret_box.ts";
import { createUrlPolicy, type UrlPolicy } from "./url_policy.ts";
import { webhookHeaders } from "./signing.ts";
import {
  type AttemptOutcome,
  DISABLE_AFTER_DEAD_LETTERS,
  DISABLE_AFTER_FAILING_MS,
  disableReasonAfter,
  healthAfterAttempt,
  nextAfterAttempt,
} from "./delivery_policy.ts";

/** How long one attempt may take (connect, send, response). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Extra time a claim holds a delivery beyond the attempt's timeout, before another worker may take it. */
const LEASE_MARGIN_MS = 30_000;
/** Longest the worker sleeps between looks at the due queue when nothing wakes it. */
const MAX_SLEEP_MS = 60_000;

/** An endpoint URL the policy refuses at connect time. */
class RefusedUrl extends Error {}

/** Settings of the delivery worker; every default is the documented production value. */
export interface DeliveryWorkerOptions {
  fetch?: typeof fetch;
  /** Checks each endpoint URL right before it is called (default: private addresses refused). */
  urlPolicy?: UrlPolicy;
  /** Clock (epoch ms). */
  now?: () => number;
  timeoutMs?: number;
  schedule?: readonly number[];
  /** Jitter source (0.5 = no jitter). */
  random?: () => number;
  /** Attempts in flight at once. */
  concurrency?: number;
  /** Due entries read per look. */
  batchSize?: number;
  disableAfterFailingMs?: number;
  disableAfterDeadLetters?: number;
  /** Set timers to wake up when the next delivery is due (off in tests that drive `runDue`). */
  autoSchedule?: boolean;
  onError?: (error: unknown) => void;
  /** Opens the endpoints' stored secrets (`SECRETS_KEY`); default: secrets stored plain. */
  secretBox?: SecretBox;
}

/** Figures of this worker since start. */
export interface DeliveryWorkerStats {
  attempts: number;
  succeeded: number;
  failed: number;
  deadLettered: number;
  inFlight: number;
  lastRunAt: string | null;
}

/** Sends due webhook deliveries: claims them, attempts them, records the outcome, schedules retries. */
export interface DeliveryWorker {
  /** Asks for a run soon (runs coalesce). */
  wake(): void;
  /** Attempts every delivery due now; resolves with the number of attempts made. */
  runDue(): Promise<number>;
  stats(): DeliveryWorkerStats;
  /** Resolves when no run is in flight. */
  idle(): Promise<void>;
  /** Stops timers and waits for the current run. */
  close(): Promise<void>;
}

async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < SNIPPET_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, SNIPPET_LIMIT);
}

/** Creates the delivery worker over `kv`. */
export function createDeliveryWorker(
  kv: Deno.Kv,
  options: DeliveryWorkerOptions = {},
): DeliveryWorker {
  const {
    fetch: fetchFn = globalThis.fetch,
    urlPolicy = createUrlPolicy({ allowPrivate: false }),
    now = Date.now,
    timeoutMs = DELIVERY_TIMEOUT_MS,
    schedule = DEFAULT_RETRY_SCHEDULE_MS,
    random = Math.random,
    concurrency = 8,
    batchSize = 50,
    disableAfterFailingMs = DISABLE_AFTER_FAILING_MS,
    disableAfterDeadLetters = DISABLE_AFTER_DEAD_LETTERS,
    autoSchedule = true,
    onError = (error: unknown) => console.error("Webhook delivery failed unexpectedly:", error),
    secretBox = PLAIN_SECRET_BOX,
  } = options;
  const figures: DeliveryWorkerStats = {
    attempts: 0,
    succeeded: 0,
    failed: 0,
    deadLettered: 0,
    inFlight: 0,
    lastRunAt: null,
  };
  let running: Promise<void> | null = null;
  let rerun = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint) {
    const sentAt = now();
    const timestamp = Math.floor(sentAt / 1000);
    const headers = webhookHeaders(
      await signingSecrets(secretBox, endpoint, sentAt),
      delivery.id,
      timestamp,
      delivery.payload,
    );
    const started = performance.now();
    let outcome: AttemptOutcome;
    try {
      // Again at connect time: the name may resolve elsewhere than when it was registered.
      const refusal = await urlPolicy.refusal(endpoint.url);
      if (refusal) throw new RefusedUrl(refusal);
      const response = await fetchFn(endpoint.url, {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "user-agent": "ProgressSync-Webhooks/1",
        },
        body: delivery.payload,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      const snippet = await readSnippet(response);
      const retryAfter = response.status === 429 || response.status === 503
        ? parseRetryAfter(response.headers.get("retry-after"), now())
        : null;
      outcome = {
        status: response.status,
        ok: response.status >= 200 && response.status < 300,
        latencyMs: Math.round(performance.now() - started),
        snippet,
        error: response.ok ? null : `HTTP ${response.status}`,
        retryAfterMs: retryAfter,
      };
    } catch (error) {
      const timedOut = error instanceof DOMException &&
        (error.name === "TimeoutError" || error.name === "AbortError");
      outcome = {
        status: null,
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        snippet: "",
        error: timedOut
          ? `Timed out after ${timeoutMs} ms`
          : error instanceof RefusedUrl
          ? `Not sent: the URL is refused: ${error.message}`
          : `Connection failed: ${error instanceof Error ? error.message : String(error)}`,
        retryAfterMs: null,
      };
    }
    return { outcome, timestamp };
  }

  async function deliver(
    claimed: ClaimedDelivery,
    endpoint: WebhookEndpoint,
    known: Map<string, WebhookEndpoint | null>,
  ): Promise<void> {
    const { delivery } = claimed;
    const { outcome, timestamp } = await attempt(delivery, endpoint);
    const nowMs = now();
    const next = nextAfterAttempt(delivery, outcome, { nowMs, schedule, random });
    const record: DeliveryAttempt = {
      attempt: next.attempts,
      at: new Date(nowMs).toISOString(),
      webhookTimestamp: timestamp,
      status: outcome.status,
      ok: outcome.ok,
      latencyMs: outcome.latencyMs,
      responseSnippet: outcome.snippet,
      error: outcome.error,
      nextAttemptAt: next.nextAttemptAt === null
        ? null
        : new Date(next.nextAttemptAt).toISOString(),
    };
    const health = await finishAttempt(kv, claimed, {
      next,
      attempt: record,
      updateHealth: (h) => healthAfterAttempt(h, next, outcome, nowMs),
    });
    figures.attempts++;
    outcome.ok ? figures.succeeded++ : figures.failed++;
    recordDeliveryAttempt(endpoint.id, outcome.ok ? "succeeded" : "failed", outcome.latencyMs);
    if (next.status === "dead") {
      figures.deadLettered++;
      recordDeadLetter(endpoint.id);
      if (health.consecutiveDeadLetters === 1 || outcome.status === 410) {
        await recordAudit(kv, {
          actor: "system",
          action: "webhook.dead_lettered",
          target: endpoint.id,
          details: { deliveryId: delivery.id, attempts: next.attempts, lastError: next.lastError },
        }, new Date(nowMs));
      }
    }
    const reason = disableReasonAfter(health, outcome, {
      nowMs,
      disableAfterFailingMs,
      disableAfterDeadLetters,
    });
    if (reason !== null && known.get(endpoint.id)?.enabled) {
      const at = new Date(nowMs);
      known.set(endpoint.id, disableEndpoint(endpoint, reason, at));
      await updateEndpoint(kv, endpoint.id, {
        box: secretBox,
        change: (e) => disableEndpoint(e, reason, at),
        audit: {
          actor: "system",
          action: "webhook.disabled",
          target: endpoint.id,
          details: { reason },
        },
        now: at,
      });
    }
  }

  async function handle(
    due: Awaited<ReturnType<typeof listDue>>[number],
    known: Map<string, WebhookEndpoint | null>,
  ): Promise<boolean> {
    const nowMs = now();
    const claim = await claimDue(kv, due, nowMs + timeoutMs + LEASE_MARGIN_MS);
    if (claim.kind !== "claimed") return false;
    if (!known.has(due.endpointId)) {
      known.set(due.endpointId, await getEndpoint(kv, due.endpointId));
    }
    const endpoint = known.get(due.endpointId) ?? null;
    if (endpoint === null) {
      await dropOrphan(kv, claim.claimed);
      return false;
    }
    if (!endpoint.enabled) {
      await deadLetterWithoutAttempt(
        kv,
        claim.claimed,
        `Endpoint disabled: ${endpoint.disabledReason ?? "by an admin"}`,
        nowMs,
      );
      return false;
    }
    figures.inFlight++;
    try {
      await deliver(claim.claimed, endpoint, known);
      return true;
    } finally {
      figures.inFlight--;
    }
  }

  async function runDue(): Promise<number> {
    figures.lastRunAt = new Date(now()).toISOString();
    let attempts = 0;
    for (let round = 0; round < 1000 && !closed; round++) {
      const due = await listDue(kv, now(), batchSize);
      if (due.length === 0) break;
      // Endpoints are read fresh each round (secrets may have been rotated).
      const known = new Map<string, WebhookEndpoint | null>();
      let index = 0;
      const lanes = Array.from({ length: Math.min(concurrency, due.length) }, async () => {
        while (index < due.length) {
          const entry = due[index++]!;
          try {
            if (await handle(entry, known)) attempts++;
          } catch (error) {
            onError(error);
          }
        }
      });
      await Promise.all(lanes);
    }
    return attempts;
  }

  async function scheduleNext(): Promise<void> {
    if (!autoSchedule || closed) return;
    const at = await nextDueAt(kv);
    clearTimeout(timer);
    if (at === null || closed) return;
    const wait = Math.min(Math.max(0, at - now()), MAX_SLEEP_MS);
    timer = setTimeout(wake, wait);
  }

  function wake(): void {
    if (closed) return;
    if (running) {
      rerun = true;
      return;
    }
    running = (async () => {
      do {
        rerun = false;
        try {
          await runDue();
          await scheduleNext();
        } catch (error) {
          onError(error);
        }
      } while (rerun && !closed);
    })().finally(() => {
      running = null;
    });
  }

  return {
    wake,
    runDue,
    stats: () => ({ ...figures }),
    async idle() {
      while (running) await running;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      while (running) await running;
    },
  };
}
