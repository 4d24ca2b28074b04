import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AttemptOutcome,
  DISABLE_AFTER_DEAD_LETTERS,
  DISABLE_AFTER_FAILING_MS,
  disableReasonAfter,
  healthAfterAttempt,
  nextAfterAttempt,
} from "./delivery_policy.ts";
import { emptyHealth, RECENT_OUTCOMES, type WebhookDelivery } from "./delivery_store.ts";

const SCHEDULE = [1_000, 10_000, 60_000] as const;

function delivery(retry: number): WebhookDelivery {
  return {
    id: "msg_1",
    endpointId: "ep_1",
    seq: "01",
    userId: "u1",
    type: "progress.updated",
    payload: "{}",
    status: "delivering",
    attempts: retry,
    retry,
    nextAttemptAt: null,
    createdAt: "2026-12-01T00:00:00.000Z",
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    succeededAt: null,
    deadAt: null,
    replays: 0,
  };
}

const outcomeArb: fc.Arbitrary<AttemptOutcome> = fc.record({
  status: fc.option(fc.constantFrom(200, 204, 400, 410, 429, 500, 503), { nil: null }),
  latencyMs: fc.nat(10_000),
  snippet: fc.constant(""),
  error: fc.constant(null),
  retryAfterMs: fc.option(fc.nat(3_600_000), { nil: null }),
}).map((o) => ({ ...o, ok: o.status !== null && o.status < 300 }));

Deno.test("after an attempt: 2xx succeeds, 410 or an exhausted schedule is dead, else it waits at least Retry-After", () => {
  fc.assert(
    fc.property(fc.nat(SCHEDULE.length), outcomeArb, fc.nat(1e12), (retry, outcome, nowMs) => {
      const next = nextAfterAttempt(delivery(retry), outcome, {
        nowMs,
        schedule: SCHEDULE,
        random: () => 0.5,
      });
      assert.equal(next.attempts, retry + 1);
      assert.equal(next.lastStatus, outcome.status);
      if (outcome.ok) return assert.equal(next.status, "succeeded");
      if (outcome.status === 410 || retry >= SCHEDULE.length) {
        return assert.equal(next.status, "dead");
      }
      assert.equal(next.status, "pending");
      assert.equal(next.retry, retry + 1);
      assert.ok(next.nextAttemptAt! >= nowMs + (outcome.retryAfterMs ?? 0));
    }),
  );
});

Deno.test("an endpoint's figures count every attempt, keep the latest outcomes and reset on success", () => {
  fc.assert(fc.property(fc.array(outcomeArb, { maxLength: 80 }), (outcomes) => {
    let health = emptyHealth();
    outcomes.forEach((outcome, i) => {
      const next = nextAfterAttempt(delivery(SCHEDULE.length), outcome, {
        nowMs: i * 1000,
        schedule: SCHEDULE,
        random: () => 0.5,
      });
      health = healthAfterAttempt(health, next, outcome, i * 1000);
    });
    assert.equal(health.attempts, outcomes.length);
    assert.equal(health.succeeded + health.failed, outcomes.length);
    assert.deepEqual(health.recent, outcomes.map((o) => o.ok).slice(-RECENT_OUTCOMES));
    const lastOk = outcomes.findLastIndex((o) => o.ok);
    assert.equal(health.consecutiveDeadLetters, outcomes.length - 1 - lastOk);
  }));
});

Deno.test("an endpoint is disabled on 410, after dead letters in a row, or after failing for a day", () => {
  const options = {
    nowMs: Date.parse("2026-12-02T00:00:00Z"),
    disableAfterFailingMs: DISABLE_AFTER_FAILING_MS,
    disableAfterDeadLetters: DISABLE_AFTER_DEAD_LETTERS,
  };
  const failed: AttemptOutcome = {
    status: 500,
    ok: false,
    latencyMs: 5,
    snippet: "",
    error: null,
    retryAfterMs: null,
  };
  assert.equal(disableReasonAfter(emptyHealth(), failed, options), null);
  assert.match(
    disableReasonAfter(emptyHealth(), { ...failed, status: 410 }, options)!,
    /410 Gone/,
  );
  assert.match(
    disableReasonAfter(
      { ...emptyHealth(), consecutiveDeadLetters: DISABLE_AFTER_DEAD_LETTERS },
      failed,
      options,
    )!,
    /in a row/,
  );
  assert.match(
    disableReasonAfter(
      { ...emptyHealth(), failingSince: "2026-12-01T00:00:00Z" },
      failed,
      options,
    )!,
    /Every attempt failed for 24 h/,
  );
});
