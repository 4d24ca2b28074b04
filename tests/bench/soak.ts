/**
 * Soak: single events posted open-loop at half the real server's ingest maximum for a long window,
 * with the outbox depth (backlog) and the processed count read from the health report every second.
 */

import {
  eventJson,
  type Figure,
  fmt,
  log,
  LONG_RUN_MS,
  postEvents,
  realServer,
  WARMUP_MS,
  WINDOW_MS,
  type Workspace,
} from "./bench_env.ts";
import { type BacklogReading, sampleBacklog, waitOutboxEmpty } from "./health_probe.ts";
import { runLoad } from "./load.ts";
import { runPaced } from "./paced.ts";
import { waitIdle } from "./server_process.ts";
import { linearSlope, ratio, summarize, type Summary } from "./stats.ts";

/** Posting connections the open-loop sender may open when the server answers slowly. */
const MAX_CONNECTIONS = 200;
const DRAIN_LIMIT_MS = 60_000;
/** The backlog "grows" when its fitted slope exceeds this share of the offered rate (processing < 99 % of it). */
const GROWTH_SHARE = 0.01;

/** What the soak measured. */
export interface SoakRun {
  /** Single-event ingest maximum of the real server (req/s) and where it came from. */
  ingestMaxPerSecond: number;
  ingestMaxFrom: "single part" | "measured here";
  offeredPerSecond: number;
  durationMs: number;
  sent: number;
  accepted: number;
  failedPosts: number;
  skippedPosts: number;
  maxSendLagMs: number;
  /** Events processed per second over the window (health report's processed count). */
  processedPerSecond: number;
  backlog: { start: number; end: number; max: number };
  /** Least-squares slope of the backlog over the window, events per second. */
  backlogSlopePerSecond: number;
  /** True when the slope exceeds 1 % of the offered rate or the window ends with over a second of load pending. */
  grows: boolean;
  /** Oldest pending event's age at its highest, ms (the processing lag). */
  maxLagMs: number;
  /** ms after the window until the outbox was empty (null = not within a minute). */
  drainAfterMs: number | null;
  healthRequestMs: Summary;
  readings: BacklogReading[];
}

function singleEvent(n: number, ws: Workspace, tag: string): Uint8Array {
  const user = ws.users[n % ws.users.length]!;
  return postEvents(user, eventJson(`${tag}-${n}`, `a${n % 5}`, new Date().toISOString()));
}

/** Measures the real server's single-event ingest maximum (closed loop, 50 connections). */
async function measureIngestMax(port: number, ws: Workspace): Promise<number> {
  const connections = 50;
  const load = await runLoad({
    port,
    connections,
    durationMs: Math.min(5000, WINDOW_MS / 2),
    warmupMs: WARMUP_MS,
    maxRequests: 200_000,
    request: (conn, seq) => singleEvent(conn + seq * connections, ws, `soakmax-${conn}`),
  });
  return load.okPerSecond;
}

/** Runs the soak on a fresh real server; `ingestMax` from the single part, or measured here when null. */
export async function soak(ws: Workspace, ingestMax: number | null): Promise<SoakRun> {
  const server = await realServer(ws, "real-soak");
  try {
    let ingestMaxPerSecond = ingestMax ?? NaN;
    if (ingestMax === null) {
      ingestMaxPerSecond = await measureIngestMax(server.port, ws);
      log(`  ingest maximum measured here: ${ingestMaxPerSecond.toFixed(0)} req/s`);
      await waitOutboxEmpty(server.port, DRAIN_LIMIT_MS);
      await waitIdle(server, { limitMs: 60_000 });
    }
    const offeredPerSecond = ingestMaxPerSecond / 2;
    const count = Math.round((offeredPerSecond * LONG_RUN_MS) / 1000);
    log(`  posting ${count} events at ${offeredPerSecond.toFixed(0)}/s for ${LONG_RUN_MS} ms`);

    const sampler = await sampleBacklog(server.port);
    let accepted = 0;
    let failedPosts = 0;
    const paced = await runPaced({
      port: server.port,
      ratePerSecond: offeredPerSecond,
      count,
      connections: 10,
      maxConnections: MAX_CONNECTIONS,
      request: (n) => singleEvent(n, ws, "soak"),
      onResponse(_n, response) {
        if (response.status === 202) accepted++;
        else failedPosts++;
      },
    });
    const readings = await sampler.stop();
    const drainAfterMs = await waitOutboxEmpty(server.port, DRAIN_LIMIT_MS);

    const first = readings[0]!;
    const last = readings.at(-1)!;
    const depths = readings.map((r) => r.depth);
    const slope = linearSlope(readings.map((r) => r.atMs / 1000), depths);
    return {
      ingestMaxPerSecond,
      ingestMaxFrom: ingestMax === null ? "measured here" : "single part",
      offeredPerSecond,
      durationMs: paced.durationMs,
      sent: paced.sent,
      accepted,
      failedPosts: failedPosts + paced.failed,
      skippedPosts: paced.skipped,
      maxSendLagMs: paced.maxLagMs,
      processedPerSecond: (last.processedEvents - first.processedEvents) /
        ((last.atMs - first.atMs) / 1000),
      backlog: { start: first.depth, end: last.depth, max: Math.max(...depths) },
      backlogSlopePerSecond: slope,
      grows: !(slope <= GROWTH_SHARE * offeredPerSecond) || last.depth > offeredPerSecond,
      maxLagMs: Math.max(0, ...readings.map((r) => r.oldestAgeMs ?? 0)),
      drainAfterMs,
      healthRequestMs: summarize(readings.map((r) => r.requestMs)),
      readings,
    };
  } finally {
    await server.stop(30_000);
  }
}

/** The soak's backlog as one line for the log. */
export function describeSoak(s: SoakRun): string {
  return `offered ${s.offeredPerSecond.toFixed(0)}/s (half of ${
    s.ingestMaxPerSecond.toFixed(0)
  }, ${s.ingestMaxFrom}), processed ${
    s.processedPerSecond.toFixed(0)
  }/s; backlog start ${s.backlog.start} end ${s.backlog.end} max ${s.backlog.max}, slope ${
    s.backlogSlopePerSecond.toFixed(2)
  } events/s (${
    s.grows ? "GROWS" : "no growth"
  }), lag max ${s.maxLagMs} ms; ${s.accepted}/${s.sent} accepted, ${s.failedPosts} failed, ${s.skippedPosts} skipped`;
}

/** The soak's rows: processed rate against the offered rate, backlog growth and size. */
export function soakFigures(s: SoakRun): Figure[] {
  const seconds = Math.round(s.durationMs / 1000);
  return [
    {
      name: `Soak ${seconds} s at half the ingest max, processed`,
      unit: "events/s",
      value: s.processedPerSecond,
      limit: s.offeredPerSecond,
      ratio: ratio(s.processedPerSecond, s.offeredPerSecond),
      target: ">= 0.99x",
      met: ratio(s.processedPerSecond, s.offeredPerSecond) >= 0.99 && s.failedPosts === 0,
    },
    {
      name: "Soak backlog, fitted slope",
      unit: "events/s",
      digits: 2,
      value: s.backlogSlopePerSecond,
      limit: null,
      ratio: null,
      target: `<= ${fmt(GROWTH_SHARE * s.offeredPerSecond, 1)}`,
      met: !s.grows,
    },
    {
      name: `Soak backlog max (start ${s.backlog.start}, end ${s.backlog.end})`,
      unit: "events",
      value: s.backlog.max,
      limit: null,
      ratio: null,
      target: "-",
      met: null,
    },
  ];
}
