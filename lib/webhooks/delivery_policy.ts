/**
 * What happens after one webhook delivery attempt (pure): the delivery's next state, the
 * endpoint's figures, and whether the endpoint should be disabled.
 */
import { type EndpointHealth, RECENT_OUTCOMES, type WebhookDelivery } from "./delivery_store.ts";
import { retryDelay } from "./retry_schedule.ts";

/** An endpoint whose every attempt failed for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 24 * 60 * 60 * 1000;
/** An endpoint with this many dead letters in a row (no success between) is disabled. */
export const DISABLE_AFTER_DEAD_LETTERS = 5;
/** What one attempt came to. */
export interface AttemptOutcome {
  status: number | null;
  ok: boolean;
  latencyMs: number;
  snippet: string;
  error: string | null;
  /** From `Retry-After` on a 429 or 503. */
  retryAfterMs: number | null;
}

/**
 * The delivery's next state after an attempt (pure): succeeded on 2xx; dead on 410 or when the
 * schedule is exhausted; otherwise queued again after the schedule's next delay (with jitter), or
 * after `Retry-After` when that is longer.
 */
export function nextAfterAttempt(
  delivery: WebhookDelivery,
  outcome: AttemptOutcome,
  options: { nowMs: number; schedule: readonly number[]; random: () => number },
): WebhookDelivery {
  const at = new Date(options.nowMs).toISOString();
  const base: WebhookDelivery = {
    ...delivery,
    attempts: delivery.attempts + 1,
    lastAttemptAt: at,
    lastStatus: outcome.status,
    lastError: outcome.error,
  };
  if (outcome.ok) {
    return { ...base, status: "succeeded", nextAttemptAt: null, succeededAt: at };
  }
  const delay = outcome.status === 410
    ? null
    : retryDelay(delivery.retry, { schedule: options.schedule, random: options.random });
  if (delay === null) return { ...base, status: "dead", nextAttemptAt: null, deadAt: at };
  const wait = Math.max(delay, outcome.retryAfterMs ?? 0);
  return {
    ...base,
    status: "pending",
    retry: delivery.retry + 1,
    nextAttemptAt: options.nowMs + wait,
  };
}

/** An endpoint's figures after an attempt (pure). */
export function healthAfterAttempt(
  health: EndpointHealth,
  next: WebhookDelivery,
  outcome: AttemptOutcome,
  nowMs: number,
): EndpointHealth {
  const at = new Date(nowMs).toISOString();
  const recent = [...health.recent, outcome.ok].slice(-RECENT_OUTCOMES);
  if (outcome.ok) {
    return {
      ...health,
      attempts: health.attempts + 1,
      succeeded: health.succeeded + 1,
      consecutiveDeadLetters: 0,
      failingSince: null,
      lastSuccessAt: at,
      lastLatencyMs: outcome.latencyMs,
      recent,
    };
  }
  const dead = next.status === "dead";
  return {
    ...health,
    attempts: health.attempts + 1,
    failed: health.failed + 1,
    deadLetters: health.deadLetters + (dead ? 1 : 0),
    consecutiveDeadLetters: health.consecutiveDeadLetters + (dead ? 1 : 0),
    failingSince: health.failingSince ?? at,
    lastFailureAt: at,
    lastLatencyMs: outcome.latencyMs,
    recent,
  };
}

/** Why an endpoint should be disabled after an attempt, or null (pure). */
export function disableReasonAfter(
  health: EndpointHealth,
  outcome: AttemptOutcome,
  options: { nowMs: number; disableAfterFailingMs: number; disableAfterDeadLetters: number },
): string | null {
  if (outcome.status === 410) return "The endpoint answered 410 Gone";
  if (health.consecutiveDeadLetters >= options.disableAfterDeadLetters) {
    return `${health.consecutiveDeadLetters} deliveries in a row became dead letters`;
  }
  if (
    health.failingSince !== null &&
    options.nowMs - Date.parse(health.failingSince) >= options.disableAfterFailingMs
  ) {
    return `Every attempt failed for ${Math.round(options.disableAfterFailingMs / 3_600_000)} h`;
  }
  return null;
}
