/**
 * 1,000 concurrent users: every student holds a live stream while together they post 1,000 events/s
 * (`BENCH_USERS_RATE`; open loop) for the long window. Zero errors, zero lost (each accepted event's frame on its
 * student's stream, each accepted event in the log), POST → frame latency and the server's memory.
 * Raw limit: the same load against the bare in-memory stream server.
 */

import { eventsPrefix } from "../../lib/kv_keys.ts";
import {
  bareServer,
  type Figure,
  fmt,
  kvPathOf,
  log,
  LONG_RUN_MS,
  realServer,
  type Workspace,
} from "./bench_env.ts";
import { type BacklogReading, sampleBacklog } from "./health_probe.ts";
import { type LatencyOptions, type LatencyRun, liveLatency } from "./live_latency.ts";
import { ratio } from "./stats.ts";

/** Events per second the students post together (`BENCH_USERS_RATE`, default 1,000). */
const USERS_RATE = Math.max(1, Number(Deno.env.get("BENCH_USERS_RATE") ?? 1000) || 1000);

/** What the 1,000-user part measured. */
export interface UsersRun {
  ratePerSecond: number;
  durationMs: number;
  real: LatencyRun;
  bare: LatencyRun;
  /** Accepted events (202) of the real server, and how many of them its log lacks. */
  accepted: number;
  missingFromLog: number;
  /** Lines mentioning failures or errors in the real server's stderr. */
  serverErrors: number;
  /** Most events waiting to be processed, and the oldest one's age at its highest (health report, once a second). */
  maxBacklog: number;
  maxLagMs: number;
  /** The server's CPU time over the run's wall time (1 = one core busy throughout). */
  serverCpuShare: number;
}

/** Counts the `accepted` events (`id` → user id) that the KV file at `path` has no log entry for. */
async function missingFromLog(path: string, accepted: Map<string, string>): Promise<number> {
  const kv = await Deno.openKv(path);
  try {
    const logged = new Set<string>();
    for await (const e of kv.list({ prefix: eventsPrefix() }, { batchSize: 1000 })) {
      logged.add(`${e.key[1] as string}\u0000${e.key[2] as string}`);
    }
    let missing = 0;
    for (const [id, userId] of accepted) if (!logged.has(`${userId}\u0000${id}`)) missing++;
    return missing;
  } finally {
    kv.close();
  }
}

/** Runs the load against the bare stream server, then the real one, and checks the real log. */
export async function thousandUsers(ws: Workspace): Promise<UsersRun> {
  const options = (bare: boolean): LatencyOptions => ({
    bare,
    tag: bare ? "bu" : "ru",
    ratePerSecond: USERS_RATE,
    warmup: 0,
    samples: Math.round((USERS_RATE * LONG_RUN_MS) / 1000),
    connections: 20,
    maxConnections: 500,
    frameWaitMs: 30_000,
  });
  const bareProcess = await bareServer(ws, "bare-users", "sse");
  let bare: LatencyRun;
  try {
    bare = (await liveLatency(ws, bareProcess, options(true))).run;
  } finally {
    await bareProcess.stop();
  }
  log(`  bare: 202→frame p99 ${bare.acceptedToFrameMs.p99.toFixed(2)} ms, ${bare.lost} lost`);
  const realProcess = await realServer(ws, "real-users");
  let outcome;
  let serverErrors: number;
  let readings: BacklogReading[];
  let cpuShare: number;
  try {
    const sampler = await sampleBacklog(realProcess.port);
    const cpuBefore = realProcess.cpuSeconds();
    const wallBefore = performance.now();
    try {
      outcome = await liveLatency(ws, realProcess, options(false));
    } finally {
      readings = await sampler.stop();
    }
    const cpuAfter = realProcess.cpuSeconds();
    cpuShare = cpuBefore === null || cpuAfter === null
      ? NaN
      : (cpuAfter - cpuBefore) / ((performance.now() - wallBefore) / 1000);
    serverErrors = realProcess.errorCount(/failed|error/i);
  } finally {
    await realProcess.stop(30_000);
  }
  const missing = await missingFromLog(kvPathOf(ws, "real-users"), outcome.accepted);
  return {
    ratePerSecond: USERS_RATE,
    durationMs: LONG_RUN_MS,
    real: outcome.run,
    bare,
    accepted: outcome.accepted.size,
    missingFromLog: missing,
    serverErrors,
    maxBacklog: Math.max(...readings.map((r) => r.depth)),
    maxLagMs: Math.max(0, ...readings.map((r) => r.oldestAgeMs ?? 0)),
    serverCpuShare: cpuShare,
  };
}

/** Rows: errors, lost events, POST → frame latency and the server's memory, each beside the bare server's. */
export function usersFigures(run: UsersRun): Figure[] {
  const label = `${fmt(run.real.streams)} users at ${run.ratePerSecond}/s`;
  const lost = run.real.lost + run.real.wrongStream + run.missingFromLog;
  const mib = (kib: number | null) => (kib === null ? NaN : kib / 1024);
  const perSecond = (r: LatencyRun) => r.samples / (run.durationMs / 1000);
  const rows: Figure[] = [
    {
      name: `${label}: accepted`,
      unit: "events/s",
      value: perSecond(run.real),
      limit: perSecond(run.bare),
      ratio: ratio(perSecond(run.real), perSecond(run.bare)),
      target: `>= ${run.ratePerSecond}`,
      met: run.real.skippedPosts === 0 && perSecond(run.real) >= run.ratePerSecond * 0.99,
    },
    {
      name: `${label}: errors (failed posts, stderr errors)`,
      unit: "count",
      value: run.real.failedPosts + run.serverErrors,
      limit: run.bare.failedPosts,
      ratio: null,
      target: "0",
      met: run.real.failedPosts + run.serverErrors === 0,
    },
    {
      name: `${label}: lost (no frame, or not in the log)`,
      unit: "count",
      value: lost,
      limit: run.bare.lost + run.bare.wrongStream,
      ratio: null,
      target: "0",
      met: lost === 0 && run.accepted > 0,
    },
  ];
  for (const p of ["p50", "p99"] as const) {
    rows.push({
      name: `${label}: POST sent -> frame ${p}`,
      unit: "ms",
      value: run.real.sentToFrameMs[p],
      limit: run.bare.sentToFrameMs[p],
      ratio: ratio(run.real.sentToFrameMs[p], run.bare.sentToFrameMs[p]),
      target: "-",
      met: null,
    });
  }
  for (
    const [what, key] of [["start", "streamsOpenKiB"], ["peak", "peakKiB"], [
      "end",
      "endKiB",
    ]] as const
  ) {
    rows.push({
      name: `${label}: server RSS ${what}`,
      unit: "MiB",
      value: mib(run.real.memory[key]),
      limit: mib(run.bare.memory[key]),
      ratio: ratio(mib(run.real.memory[key]), mib(run.bare.memory[key])),
      target: "-",
      met: null,
    });
  }
  return rows;
}
