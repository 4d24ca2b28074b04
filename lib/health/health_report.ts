import { getStoredEvents, type OutboxEntry } from "../events/log_store.ts";
import { SOURCE_SYSTEMS } from "../core/event_schema.ts";
import { keyString, outboxPrefix, webhookDeliveriesDuePrefix } from "../kv_keys.ts";
import { firstEntryPerPart } from "../kv_scan.ts";
import type { Processor, ProcessorStats } from "../processing/processor.ts";
import { getLastConsistencyCheck } from "../repair/consistency.ts";
import { getEndpointHealth } from "../webhooks/delivery_store.ts";
import type { DeliveryWorker, DeliveryWorkerStats } from "../webhooks/delivery_worker.ts";
import { listEndpoints } from "../webhooks/endpoint_store.ts";
import { emptySyncStats, readSyncStats } from "../processing/sync_stats.ts";
import { publishGaugeFigures } from "../telemetry.ts";
import {
  DEFAULT_THRESHOLDS,
  type HealthAlert,
  type HealthThresholds,
  type SystemHealth,
  systemStatusOf,
} from "./health_rules.ts";

/** Delivery figures of one endpoint. */
export interface EndpointHealthView {
  id: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  attempts: number;
  succeeded: number;
  failed: number;
  deadLetters: number;
  pending: number;
  /** Over all attempts; null before the first. */
  successRate: number | null;
  /** Over the latest attempts (at most 50). */
  recentSuccessRate: number | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastLatencyMs: number | null;
}

/** `GET /api/progress-sync/health`. */
export interface HealthReport {
  status: "ok" | "degraded" | "failing";
  generatedAt: string;
  outbox: {
    depth: number;
    /** True when the outbox holds more than could be counted (`depth` is a lower bound). */
    depthCapped: boolean;
    usersWithPending: number;
    oldestPendingAt: string | null;
    oldestPendingAgeMs: number | null;
  };
  processing: ProcessorStats & {
    /** Events processed per minute over the sampling window (this instance). */
    eventsPerMinute: number;
    /** Share of runs that failed over the sampling window (this instance). */
    errorRate: number;
    windowSeconds: number;
  };
  webhooks: {
    endpoints: EndpointHealthView[];
    pendingDeliveries: number;
    deadLetters: number;
    worker: DeliveryWorkerStats | null;
  };
  systems: SystemHealth[];
  dataConsistencyScore: number;
  lastConsistencyCheck: { finishedAt: string; consistencyScore: number; total: number } | null;
  alerts: HealthAlert[];
  thresholds: HealthThresholds;
}

/** Most outbox and due-queue entries counted per report. */
const COUNT_CAP = 10_000;
/** Most users whose oldest pending event is attributed to a system. */
const ATTRIBUTION_CAP = 1_000;
const SAMPLE_WINDOW_MS = 5 * 60_000;

interface Sample {
  t: number;
  processed: number;
  runs: number;
  failed: number;
}

const samplesByProcessor = new WeakMap<Processor, Sample[]>();
const startedAt = Date.now();

function rates(processor: Processor, stats: ProcessorStats, nowMs: number) {
  const samples = samplesByProcessor.get(processor) ?? [];
  samplesByProcessor.set(processor, samples);
  samples.push({
    t: nowMs,
    processed: stats.processedEvents,
    runs: stats.runs,
    failed: stats.failedRuns,
  });
  while (samples.length > 2 && nowMs - samples[1]!.t > SAMPLE_WINDOW_MS) samples.shift();
  const first = samples.length > 1
    ? samples[0]!
    : { t: startedAt, processed: 0, runs: 0, failed: 0 };
  const seconds = Math.max(1, (nowMs - first.t) / 1000);
  const runs = stats.runs - first.runs;
  return {
    eventsPerMinute: Math.round(((stats.processedEvents - first.processed) / seconds) * 60 * 10) /
      10,
    errorRate: runs === 0
      ? 0
      : Math.round(((stats.failedRuns - first.failed) / runs) * 1000) / 1000,
    windowSeconds: Math.round(seconds),
  };
}

async function scanOutbox(kv: Deno.Kv, nowMs: number) {
  const prefix = outboxPrefix();
  let depth = 0;
  for await (const _ of kv.list({ prefix }, { limit: COUNT_CAP + 1, batchSize: 1000 })) depth++;
  const firsts: { userId: string; entry: OutboxEntry }[] = [];
  for await (const { part: userId, entry } of firstEntryPerPart<OutboxEntry>(kv, prefix)) {
    firsts.push({ userId, entry: entry.value });
    if (firsts.length >= ATTRIBUTION_CAP) break;
  }
  const events = await getStoredEvents(kv, firsts.map((f) => [f.userId, f.entry.eventId] as const));
  const bySystem = new Map<string, { pending: number; oldest: number }>();
  let oldest: number | null = null;
  firsts.forEach((f, i) => {
    const at = Date.parse(f.entry.acceptedAt);
    oldest = oldest === null ? at : Math.min(oldest, at);
    const system = events[i]?.sourceSystem;
    if (!system) return;
    const current = bySystem.get(system) ?? { pending: 0, oldest: at };
    bySystem.set(system, { pending: current.pending + 1, oldest: Math.min(current.oldest, at) });
  });
  return {
    depth: Math.min(depth, COUNT_CAP),
    depthCapped: depth > COUNT_CAP,
    usersWithPending: firsts.length,
    oldest: oldest as number | null,
    bySystem,
    nowMs,
  };
}

async function countDue(kv: Deno.Kv): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let n = 0;
  for await (
    const entry of kv.list({ prefix: webhookDeliveriesDuePrefix() }, { batchSize: 1000 })
  ) {
    const endpointId = keyString(entry.key, 2);
    out.set(endpointId, (out.get(endpointId) ?? 0) + 1);
    if (++n >= COUNT_CAP) break;
  }
  return out;
}

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

/**
 * Builds the health report: outbox depth and age, processing rate and errors, webhook delivery
 * figures per endpoint, per-system sync status, the consistency score and the alerts that the
 * thresholds raise. Also publishes the figures to the OpenTelemetry gauges.
 */
export async function buildHealthReport(
  kv: Deno.Kv,
  deps: { processor: Processor; deliveries?: DeliveryWorker | undefined },
  options: { now?: number; thresholds?: HealthThresholds } = {},
): Promise<HealthReport> {
  const nowMs = options.now ?? Date.now();
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const stats = deps.processor.stats();
  const [outbox, syncStats, endpoints, due, lastCheck] = await Promise.all([
    scanOutbox(kv, nowMs),
    readSyncStats(kv),
    listEndpoints(kv),
    countDue(kv),
    getLastConsistencyCheck(kv),
  ]);
  const healths = await Promise.all(endpoints.map((e) => getEndpointHealth(kv, e.id)));
  const alerts: HealthAlert[] = [];

  const oldestAge = outbox.oldest === null ? null : Math.max(0, nowMs - outbox.oldest);
  if (oldestAge !== null && oldestAge > thresholds.oldestPendingWarnMs) {
    const critical = oldestAge > thresholds.oldestPendingCriticalMs;
    alerts.push({
      severity: critical ? "critical" : "warning",
      code: "outbox_lag",
      message: `The oldest unprocessed event has waited ${Math.round(oldestAge / 1000)} s`,
      value: oldestAge,
      threshold: critical ? thresholds.oldestPendingCriticalMs : thresholds.oldestPendingWarnMs,
    });
  }
  if (outbox.depth > thresholds.outboxDepthWarn) {
    alerts.push({
      severity: "warning",
      code: "outbox_depth",
      message: `${outbox.depth}${outbox.depthCapped ? "+" : ""} events wait to be processed`,
      value: outbox.depth,
      threshold: thresholds.outboxDepthWarn,
    });
  }
  const rate = rates(deps.processor, stats, nowMs);
  if (rate.errorRate > thresholds.processingErrorRateCritical) {
    alerts.push({
      severity: "critical",
      code: "processing_errors",
      message: `${Math.round(rate.errorRate * 100)} % of processing runs failed${
        stats.lastError ? `; latest: ${stats.lastError}` : ""
      }`,
      value: rate.errorRate,
      threshold: thresholds.processingErrorRateCritical,
    });
  }

  const endpointViews: EndpointHealthView[] = endpoints.map((endpoint, i) => {
    const h = healths[i]!;
    const recentOk = h.recent.filter(Boolean).length;
    const view: EndpointHealthView = {
      id: endpoint.id,
      url: endpoint.url,
      enabled: endpoint.enabled,
      disabledReason: endpoint.disabledReason,
      attempts: h.attempts,
      succeeded: h.succeeded,
      failed: h.failed,
      deadLetters: h.deadLetters,
      pending: due.get(endpoint.id) ?? 0,
      successRate: h.attempts === 0 ? null : Math.round((h.succeeded / h.attempts) * 1000) / 1000,
      recentSuccessRate: h.recent.length === 0
        ? null
        : Math.round((recentOk / h.recent.length) * 1000) / 1000,
      lastSuccessAt: h.lastSuccessAt,
      lastFailureAt: h.lastFailureAt,
      lastLatencyMs: h.lastLatencyMs,
    };
    if (!endpoint.enabled) {
      alerts.push({
        severity: "warning",
        code: "webhook_endpoint_disabled",
        message: `Webhook endpoint ${endpoint.url} is disabled: ${endpoint.disabledReason ?? ""}`,
        value: endpoint.id,
        threshold: "enabled",
      });
    } else if (
      h.recent.length >= thresholds.webhookMinAttempts &&
      view.recentSuccessRate !== null && view.recentSuccessRate < thresholds.webhookSuccessRateWarn
    ) {
      alerts.push({
        severity: "warning",
        code: "webhook_failures",
        message: `Webhook endpoint ${endpoint.url} succeeds on ${
          Math.round(view.recentSuccessRate * 100)
        } % of its latest attempts`,
        value: view.recentSuccessRate,
        threshold: thresholds.webhookSuccessRateWarn,
      });
    }
    return view;
  });

  const systemNames = [...new Set([...SOURCE_SYSTEMS, ...syncStats.keys()])];
  const systems: SystemHealth[] = systemNames.map((system) => {
    const s = syncStats.get(system) ?? emptySyncStats();
    const pending = outbox.bySystem.get(system);
    const { status, reason } = systemStatusOf(s, pending, nowMs, thresholds);
    if (status === "delayed") {
      alerts.push({
        severity: "warning",
        code: `system_${status}`,
        message: `${system} is ${status}: ${reason}`,
        value: system,
        threshold: status,
      });
    }
    return {
      system,
      status,
      reason,
      lastEventAt: iso(s.last_event_at),
      lastProcessedAt: iso(s.last_processed_at),
      processedEvents: s.processed,
      pendingEvents: pending?.pending ?? 0,
      oldestPendingAgeMs: pending ? Math.max(0, nowMs - pending.oldest) : null,
      conflicts: s.conflicts,
      lastConflictAt: iso(s.last_conflict_at),
      inbound: {
        accepted: s.inbound_accepted,
        rejected: s.inbound_rejected,
        lastAcceptedAt: iso(s.last_inbound_ok_at),
        lastRejectedAt: iso(s.last_inbound_rejected_at),
      },
    };
  });

  const processedTotal = systems.reduce((n, s) => n + s.processedEvents, 0);
  const reflected = processedTotal + outbox.depth === 0
    ? 1
    : processedTotal / (processedTotal + outbox.depth);
  const recentCheck = lastCheck && nowMs - Date.parse(lastCheck.finishedAt) <= 24 * 3_600_000
    ? lastCheck
    : null;
  const dataConsistencyScore = Math.round(reflected * (recentCheck?.consistencyScore ?? 1) * 1000) /
    1000;
  if (dataConsistencyScore < thresholds.consistencyScoreWarn) {
    alerts.push({
      severity: "warning",
      code: "data_consistency",
      message: `The data consistency score is ${dataConsistencyScore}`,
      value: dataConsistencyScore,
      threshold: thresholds.consistencyScoreWarn,
    });
  }

  const deadLetters = healths.reduce((n, h) => n + h.deadLetters, 0);
  const pendingDeliveries = [...due.values()].reduce((a, b) => a + b, 0);
  publishGaugeFigures({
    outboxDepth: outbox.depth,
    oldestPendingAgeMs: oldestAge ?? 0,
    processedEvents: stats.processedEvents,
    failedRuns: stats.failedRuns,
    dataConsistencyScore,
    pendingDeliveries,
    deadLetters,
    systemsNotHealthy: systems.filter((s) => s.status !== "healthy").length,
  });
  return {
    status: alerts.some((a) => a.severity === "critical")
      ? "failing"
      : alerts.length > 0
      ? "degraded"
      : "ok",
    generatedAt: new Date(nowMs).toISOString(),
    outbox: {
      depth: outbox.depth,
      depthCapped: outbox.depthCapped,
      usersWithPending: outbox.usersWithPending,
      oldestPendingAt: outbox.oldest === null ? null : new Date(outbox.oldest).toISOString(),
      oldestPendingAgeMs: oldestAge,
    },
    processing: { ...stats, ...rate },
    webhooks: {
      endpoints: endpointViews,
      pendingDeliveries,
      deadLetters,
      worker: deps.deliveries?.stats() ?? null,
    },
    systems,
    dataConsistencyScore,
    lastConsistencyCheck: lastCheck
      ? {
        finishedAt: lastCheck.finishedAt,
        consistencyScore: lastCheck.consistencyScore,
        total: Object.values(lastCheck.counts).reduce((a, b) => a + b, 0),
      }
      : null,
    alerts,
    thresholds,
  };
}
