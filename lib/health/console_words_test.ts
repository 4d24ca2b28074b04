import assert from "node:assert/strict";
import type { SystemHealth } from "./health_rules.ts";
import { alertAction, consoleSystemStatus, SYSTEM_STATUS_MEANINGS } from "./console_words.ts";

function system(overrides: Partial<SystemHealth> = {}): SystemHealth {
  return {
    system: "ai_journey",
    status: "healthy",
    reason: null,
    lastEventAt: null,
    lastProcessedAt: null,
    processedEvents: 0,
    pendingEvents: 0,
    oldestPendingAgeMs: null,
    conflicts: 0,
    lastConflictAt: null,
    inbound: { accepted: 0, rejected: 0, lastAcceptedAt: null, lastRejectedAt: null },
    ...overrides,
  };
}

Deno.test("consoleSystemStatus tells a system that never sent anything from a healthy one", () => {
  assert.equal(consoleSystemStatus(system()), "no_events");
  assert.equal(
    consoleSystemStatus(system({ processedEvents: 3, lastEventAt: "2026-12-01T10:00:00Z" })),
    "healthy",
  );
  assert.equal(consoleSystemStatus(system({ pendingEvents: 1 })), "healthy");
  for (const status of ["healthy", "delayed", "conflict", "no_events"] as const) {
    assert.ok(SYSTEM_STATUS_MEANINGS[status].length > 10, `${status} has a meaning`);
  }
});

Deno.test("alertAction names what to do for every alert the health report raises", () => {
  const codes = [
    "outbox_lag",
    "outbox_depth",
    "processing_errors",
    "webhook_endpoint_disabled",
    "webhook_failures",
    "system_delayed",
    "data_consistency",
  ];
  const fallback = alertAction({ code: "something_new" });
  for (const code of codes) assert.notEqual(alertAction({ code }), fallback, code);
});
