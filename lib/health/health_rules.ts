/**
 * The health report's rules (pure): the thresholds that raise alerts, what an alert and a
 * system's status are, and how a system's status follows from its figures.
 */
import type { SyncStats } from "../processing/sync_stats.ts";

/** When the health report raises alerts. Every figure is documented in docs/operations.md. */
export interface HealthThresholds {
  /** Oldest unprocessed event older than this: warning. */
  oldestPendingWarnMs: number;
  /** Oldest unprocessed event older than this: critical. */
  oldestPendingCriticalMs: number;
  /** More unprocessed events than this: warning. */
  outboxDepthWarn: number;
  /** Share of failed processing runs (over the sampling window) above this: critical. */
  processingErrorRateCritical: number;
  /** An endpoint's success rate over its latest attempts below this: warning. */
  webhookSuccessRateWarn: number;
  /** Attempts an endpoint needs before its success rate can raise an alert. */
  webhookMinAttempts: number;
  /** Deployment-wide consistency score below this: warning. */
  consistencyScoreWarn: number;
  /** A system whose oldest unprocessed event is older than this is `delayed`. */
  systemDelayedAfterMs: number;
  /** A system with a conflict detected within this window is `conflict`. */
  systemConflictWindowMs: number;
}

/** The documented default thresholds. */
export const DEFAULT_THRESHOLDS: HealthThresholds = {
  oldestPendingWarnMs: 30_000,
  oldestPendingCriticalMs: 5 * 60_000,
  outboxDepthWarn: 1_000,
  processingErrorRateCritical: 0.05,
  webhookSuccessRateWarn: 0.9,
  webhookMinAttempts: 10,
  consistencyScoreWarn: 0.99,
  systemDelayedAfterMs: 60_000,
  systemConflictWindowMs: 60 * 60_000,
};

/** Seed 000's `system_sync_status`. */
export type SystemStatus = "healthy" | "delayed" | "conflict";

/** One alert: what passed which threshold. */
export interface HealthAlert {
  severity: "warning" | "critical";
  code: string;
  message: string;
  value: number | string;
  threshold: number | string;
}

/** Sync status of one source system. */
export interface SystemHealth {
  system: string;
  status: SystemStatus;
  reason: string | null;
  lastEventAt: string | null;
  lastProcessedAt: string | null;
  processedEvents: number;
  pendingEvents: number;
  oldestPendingAgeMs: number | null;
  conflicts: number;
  lastConflictAt: string | null;
  inbound: {
    accepted: number;
    rejected: number;
    lastAcceptedAt: string | null;
    lastRejectedAt: string | null;
  };
}

/** The sync status of a system from its figures (pure; see `HealthThresholds`). */
export function systemStatusOf(
  stats: SyncStats,
  pending: { pending: number; oldest: number } | undefined,
  nowMs: number,
  thresholds: HealthThresholds,
): { status: SystemStatus; reason: string | null } {
  if (pending && nowMs - pending.oldest > thresholds.systemDelayedAfterMs) {
    return {
      status: "delayed",
      reason: `An event has waited ${
        Math.round((nowMs - pending.oldest) / 1000)
      } s to be processed`,
    };
  }
  if (
    stats.last_conflict_at > 0 &&
    nowMs - stats.last_conflict_at <= thresholds.systemConflictWindowMs
  ) {
    return { status: "conflict", reason: "A conflict was detected in the last hour" };
  }
  return { status: "healthy", reason: null };
}
