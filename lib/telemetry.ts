/**
 * Custom OpenTelemetry metrics. Through `npm:@opentelemetry/api` they are no-ops unless the
 * runtime exports telemetry (`OTEL_DENO=true`), so recording them costs next to nothing otherwise.
 */
import { type Attributes, metrics, type ObservableResult } from "@opentelemetry/api";

const meter = metrics.getMeter("progress-sync", "1");

const deliveryAttempts = meter.createCounter("progress_sync.webhook.attempts", {
  description: "Outbound webhook delivery attempts, by endpoint and outcome",
});
const deliveryLatency = meter.createHistogram("progress_sync.webhook.latency", {
  description: "Outbound webhook delivery latency",
  unit: "ms",
});
const deadLetters = meter.createCounter("progress_sync.webhook.dead_letters", {
  description: "Outbound webhook deliveries given up after the last retry",
});
const inboundWebhooks = meter.createCounter("progress_sync.inbound.webhooks", {
  description: "Inbound webhooks, by system and outcome",
});

/** Records one outbound delivery attempt. */
export function recordDeliveryAttempt(
  endpointId: string,
  outcome: "succeeded" | "failed",
  latencyMs: number,
): void {
  const attributes: Attributes = { endpoint: endpointId, outcome };
  deliveryAttempts.add(1, attributes);
  deliveryLatency.record(latencyMs, attributes);
}

/** Records a delivery that became a dead letter. */
export function recordDeadLetter(endpointId: string): void {
  deadLetters.add(1, { endpoint: endpointId });
}

/** Records one inbound webhook and what became of it. */
export function recordInbound(system: string, outcome: string): void {
  inboundWebhooks.add(1, { system, outcome });
}

/** The figures the observable gauges report, refreshed by whoever computes health. */
export interface GaugeFigures {
  outboxDepth: number;
  oldestPendingAgeMs: number;
  processedEvents: number;
  failedRuns: number;
  dataConsistencyScore: number;
  pendingDeliveries: number;
  deadLetters: number;
  systemsNotHealthy: number;
}

let latest: GaugeFigures | null = null;

/** Publishes the latest health figures to the observable gauges. */
export function publishGaugeFigures(figures: GaugeFigures): void {
  latest = figures;
}

function gauge(name: string, description: string, pick: (f: GaugeFigures) => number): void {
  meter.createObservableGauge(name, { description }).addCallback(
    (result: ObservableResult) => {
      if (latest) result.observe(pick(latest));
    },
  );
}

gauge(
  "progress_sync.outbox.depth",
  "Accepted events waiting to be processed",
  (f) => f.outboxDepth,
);
gauge(
  "progress_sync.outbox.oldest_age",
  "Age of the oldest event waiting to be processed, in ms",
  (f) => f.oldestPendingAgeMs,
);
gauge("progress_sync.processing.events", "Events processed since start", (f) => f.processedEvents);
gauge(
  "progress_sync.processing.failed_runs",
  "Failed processing runs since start",
  (f) => f.failedRuns,
);
gauge(
  "progress_sync.data_consistency_score",
  "Share of accepted events reflected in the projections (0-1)",
  (f) => f.dataConsistencyScore,
);
gauge(
  "progress_sync.webhook.pending",
  "Outbound webhook deliveries queued",
  (f) => f.pendingDeliveries,
);
gauge(
  "progress_sync.webhook.dead_letters_total",
  "Outbound webhook dead letters",
  (f) => f.deadLetters,
);
gauge(
  "progress_sync.systems.not_healthy",
  "Source systems whose sync status is not healthy",
  (f) => f.systemsNotHealthy,
);
