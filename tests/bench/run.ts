/**
 * `deno task bench`: measures Progress Sync beside the raw limit it is bounded by, in one run on this
 * machine, and prints each figure with its limit, the ratio and the target. Writes `.bench/results.json`.
 *
 * Env: `BENCH_SECONDS` (default 10) is the measured window of each throughput comparison (split
 * into two rounds per server), scales the number of latency samples, and sets the soak and the
 * 1,000-user run to six windows (60 s by default); `BENCH_ONLY` picks parts
 * (`single,batch,live,soak,summary,replay,users,roundtrips,worker,kvcost`); `BENCH_KV_QUEUES=off`
 * runs the real server without KV queues (to see their cost; the reference run leaves them on);
 * `BENCH_KEEP=1` keeps the temporary KV files; `BENCH_PROFILE=<dir>` has the real servers write
 * V8 CPU profiles there.
 */

import {
  bareServer,
  type Figure,
  fmt,
  log,
  LONG_RUN_MS,
  REAL_KV_QUEUES,
  realServer,
  ROOT,
  SECONDS,
  USERS,
  WARMUP_MS,
  WINDOW_MS,
  type Workspace,
} from "./bench_env.ts";
import { seedUsers } from "./seed.ts";
import {
  compareProcessing,
  compareThroughput,
  type Comparison,
  type ProcessingComparison,
  type Round,
} from "./throughput.ts";
import { measureRoundTrips, roundTripFigures } from "./round_trips.ts";
import { describeKvCost, kvCostFigures, measureKvCost } from "./kv_op_cost.ts";
import { type LatencyRun, liveLatency } from "./live_latency.ts";
import { describeSoak, soak, soakFigures, type SoakRun } from "./soak.ts";
import { summaryFigures, summaryReads, type SummaryRun } from "./summary_reads.ts";
import { replay, replayFigures, type ReplayRun } from "./replay.ts";
import { thousandUsers, usersFigures, type UsersRun } from "./users.ts";
import { formatTable, ratio } from "./stats.ts";

const SINGLE_CONNECTIONS = 50;
const BATCH_CONNECTIONS = 10;
const BATCH_SIZE = 100;
const SSE_SAMPLES = Math.min(300, Math.max(50, Math.round(30 * SECONDS)));
const SSE_WARMUP_SAMPLES = 20;
const SSE_RATE_PER_SECOND = 25;
const PARTS = [
  "single",
  "batch",
  "live",
  "soak",
  "summary",
  "replay",
  "users",
  "roundtrips",
  "worker",
  "kvcost",
];
/** `BENCH_ONLY=single,batch,…,kvcost` (any subset of `PARTS`) runs only those parts. */
const ONLY = new Set(
  (Deno.env.get("BENCH_ONLY") ?? PARTS.join(",")).split(",").map((s) => s.trim()),
);
/** Posting connections the 1,000-user part may open, on top of the 1,000 streams (both ends count). */
const USERS_POSTING_CONNECTIONS = 500;

// ---------------------------------------------------------------------------------------------
// Machine and report

/** What the bench ran on (CPUs, memory, Deno, open-file limit, load average). */
async function machine() {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const limits = await Deno.readTextFile("/proc/self/limits").catch(() => "");
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? NaN);
  return {
    nproc: navigator.hardwareConcurrency,
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    memoryGiB: Math.round((memKb / 1024 / 1024) * 10) / 10,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    openFilesSoftLimit: /Max open files\s+(\S+)/.exec(limits)?.[1] ?? "unknown",
    loadAverageAtStart: await loadAverage(),
  };
}

/** The 1, 5 and 15-minute load averages from /proc/loadavg (other work on a shared machine shows here). */
async function loadAverage(): Promise<string> {
  const text = await Deno.readTextFile("/proc/loadavg").catch(() => "");
  return text.split(" ").slice(0, 3).join(" ") || "unknown";
}

function logComparison(c: Comparison, unit: string, pick: (r: Round) => number): void {
  const rounds = (rs: Round[]) => rs.map((r) => fmt(pick(r))).join(" / ");
  log(`  bare: rounds ${rounds(c.bare)} ${unit}`);
  log(
    `  real: rounds ${rounds(c.real)} ${unit}; outbox empty ` +
      `${c.real.map((r) => fmt(r.drainMs)).join(" / ")} ms and process idle ` +
      `${c.real.map((r) => fmt(r.busyAfterLoadMs)).join(" / ")} ms after each round`,
  );
}

/** Informational: what the real server accepted per second of load + time to empty its outbox. */
function processedFigure(name: string, c: Comparison): Figure {
  const value = c.realProcessedPerSecond ?? NaN;
  return {
    name,
    unit: "events/s",
    value,
    limit: c.bareEventsPerSecond,
    ratio: ratio(value, c.bareEventsPerSecond),
    target: "-",
    met: null,
  };
}

/** "Worker vs main thread" rows: accepted, and accepted + processed, with the inline figure as the limit. */
function processingFigures(run: ProcessingComparison): Figure[] {
  const row = (what: string, worker: number | null, inline: number | null): Figure => ({
    name: `Worker vs main thread, ${what} (limit column: main thread)`,
    unit: "events/s",
    value: worker ?? NaN,
    limit: inline,
    ratio: ratio(worker ?? NaN, inline ?? NaN),
    target: "-",
    met: null,
  });
  return [
    row(
      `${BATCH_SIZE}-event batches accepted`,
      run.workerEventsPerSecond,
      run.inlineEventsPerSecond,
    ),
    row("accepted + processed", run.workerProcessedPerSecond, run.inlineProcessedPerSecond),
  ];
}

/** One line per long-run part about what the table leaves out. */
function notes(details: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const single = details.single as Comparison | undefined;
  const batch = details.batch as Comparison | undefined;
  for (const [name, c] of [["single-event", single], ["batch", batch]] as const) {
    if (!c) continue;
    lines.push(
      `After the ${name} load (worst round): outbox empty ${fmt(c.realDrainMs)} ms later ` +
        `(accepted and processed: ${fmt(c.realProcessedPerSecond)} events/s), server busy ` +
        `${fmt(c.realBusyAfterLoadMs)} ms; ${c.realServerErrors} lines mentioning failures or ` +
        `errors in the real server's stderr.`,
    );
  }
  const live = details.live as { real: LatencyRun; bare: LatencyRun } | undefined;
  if (live) {
    lines.push(
      `Live: ${live.real.received}/${live.real.samples} frames received, ${live.real.lost} lost, ` +
        `${live.real.failedPosts} failed and ${live.real.skippedPosts} skipped posts; POST p50 ${
          fmt(live.real.postMs.p50, 2)
        } ms (bare ${fmt(live.bare.postMs.p50, 2)} ms). Bare 202 -> frame can be negative: ` +
        `it pushes the frame before answering.`,
    );
  }
  const soakRun = details.soak as SoakRun | undefined;
  if (soakRun) lines.push(`Soak: ${describeSoak(soakRun)}.`);
  const summary = details.summary as SummaryRun | undefined;
  for (const s of summary?.students ?? []) {
    lines.push(
      `Summary, ${s.events} events over ${s.activities} activities: ${s.bodyBytes} bytes, ` +
        `seeded through the API and processed in ${fmt(s.seedMs / 1000, 1)} s.`,
    );
  }
  const replayRun = details.replay as ReplayRun | undefined;
  if (replayRun) {
    lines.push(
      `Replay: ${replayRun.events} events of ${replayRun.students} students, rebuilt ` +
        `${JSON.stringify(replayRun.rebuilt)}; a check afterwards found ` +
        `${replayRun.consistentAfter ? "nothing" : "INCONSISTENCIES"} to fix.`,
    );
  }
  const users = details.users as UsersRun | undefined;
  if (users) {
    const mib = (kib: number | null) => fmt(kib === null ? NaN : kib / 1024, 0);
    const m = users.real.memory;
    lines.push(
      `Users: ${users.accepted} accepted, ${users.real.received}/${users.real.samples} frames, ` +
        `${users.real.wrongStream} on a wrong stream, ${users.missingFromLog} missing from the log, ` +
        `${users.real.failedPosts} failed and ${users.real.skippedPosts} skipped posts, ` +
        `${users.serverErrors} error lines in stderr; POST p50 ${
          fmt(users.real.postMs.p50, 2)
        } ms p99 ${fmt(users.real.postMs.p99, 2)} ms, 202 -> frame p50 ${
          fmt(users.real.acceptedToFrameMs.p50, 2)
        } ms p99 ${fmt(users.real.acceptedToFrameMs.p99, 2)} ms; backlog max ${
          fmt(users.maxBacklog)
        } events, oldest pending at most ${fmt(users.maxLagMs)} ms; server CPU ${
          fmt(users.serverCpuShare * 100)
        } % of a core; sender at most ${
          fmt(users.real.maxSendLagMs, 1)
        } ms behind schedule on ${users.real.postingConnections} connections; server RSS idle ${
          mib(m.idleKiB)
        } MiB, streams open ${mib(m.streamsOpenKiB)}, peak ${mib(m.peakKiB)}, end ${
          mib(m.endKiB)
        } MiB.`,
    );
  }
  return lines;
}

/** Decimals shown for a unit: two for times and ratios, none for counts and rates. */
function digitsOf(unit: string): number {
  return ["ms", "s", "x"].includes(unit) ? 2 : 0;
}

async function main(): Promise<void> {
  const fdLimit = Number(
    /Max open files\s+(\d+)/.exec(await Deno.readTextFile("/proc/self/limits"))?.[1] ?? 0,
  );
  const fdNeeded = 2 * (USERS + USERS_POSTING_CONNECTIONS) + 200;
  if (fdLimit > 0 && fdLimit < fdNeeded) {
    console.error(
      `Open-file limit is ${fdLimit}; the live and users parts need about ${fdNeeded}. Run \`ulimit -n 4096\` first.`,
    );
    Deno.exit(1);
  }
  const info = await machine();
  log(`machine: ${JSON.stringify(info)}`);
  log(`window ${WINDOW_MS} ms (+${WARMUP_MS} ms warm-up), ${SSE_SAMPLES} latency samples`);

  const dir = await Deno.makeTempDir({ prefix: "progress-sync-bench-" });
  const ws: Workspace = { dir, template: `${dir}/template/kv.sqlite`, users: [] };
  const started = performance.now();
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  try {
    log(`seeding ${USERS} users and tokens`);
    ws.users = await seedUsers(ws.template, USERS);

    if (ONLY.has("single")) {
      // 1. Single-event POST throughput.
      log(`1. single-event POST, ${SINGLE_CONNECTIONS} connections, rounds bare/real/real/bare`);
      const single = await compareThroughput(ws, "single", {
        mode: "single",
        connections: SINGLE_CONNECTIONS,
        batchSize: 1,
      });
      logComparison(single, "req/s", (r) => r.load.okPerSecond);
      details.single = single;
      const singleRatio = ratio(single.realRequestsPerSecond, single.bareRequestsPerSecond);
      figures.push({
        name: `Single-event POST (${SINGLE_CONNECTIONS} conns)`,
        unit: "req/s",
        value: single.realRequestsPerSecond,
        limit: single.bareRequestsPerSecond,
        ratio: singleRatio,
        target: ">= 0.8x",
        met: singleRatio >= 0.8,
      });
      figures.push(processedFigure("Single events, accepted + processed", single));
    }

    if (ONLY.has("batch")) {
      // 2. 100-event batch throughput.
      log(
        `2. ${BATCH_SIZE}-event batches, ${BATCH_CONNECTIONS} connections, rounds bare/real/real/bare`,
      );
      const batch = await compareThroughput(ws, "batch", {
        mode: "batch",
        connections: BATCH_CONNECTIONS,
        batchSize: BATCH_SIZE,
      });
      logComparison(batch, "events/s", (r) => r.eventsPerSecond);
      details.batch = batch;
      const batchRatio = ratio(batch.realEventsPerSecond, batch.bareEventsPerSecond);
      figures.push({
        name: `${BATCH_SIZE}-event batches (${BATCH_CONNECTIONS} conns)`,
        unit: "events/s",
        value: batch.realEventsPerSecond,
        limit: batch.bareEventsPerSecond,
        ratio: batchRatio,
        target: ">= 0.7x",
        met: batchRatio >= 0.7,
      });
      figures.push(processedFigure("Batched events, accepted + processed", batch));
    }

    if (ONLY.has("live")) {
      // 3. POST-accepted → SSE-received latency with 1,000 open streams.
      log(
        `3. live latency, ${USERS} SSE streams, ${SSE_SAMPLES} samples at ${SSE_RATE_PER_SECOND}/s`,
      );
      let server = await bareServer(ws, "bare-sse", "sse");
      const liveOptions = (bare: boolean) => ({
        bare,
        tag: bare ? "bl" : "rl",
        ratePerSecond: SSE_RATE_PER_SECOND,
        warmup: SSE_WARMUP_SAMPLES,
        samples: SSE_SAMPLES,
        connections: 8,
        maxConnections: 8,
        frameWaitMs: 5000,
      });
      const bareLive = (await liveLatency(ws, server, liveOptions(true))).run;
      await server.stop();
      log(
        `  bare: 202→frame p50 ${fmt(bareLive.acceptedToFrameMs.p50, 2)} ms, sent→frame p50 ${
          fmt(bareLive.sentToFrameMs.p50, 2)
        } ms`,
      );
      server = await realServer(ws, "real-sse");
      const realLive = (await liveLatency(ws, server, liveOptions(false))).run;
      await server.stop(30_000);
      log(
        `  real: 202→frame p50 ${fmt(realLive.acceptedToFrameMs.p50, 2)} ms p99 ${
          fmt(realLive.acceptedToFrameMs.p99, 2)
        } ms, ` +
          `${realLive.lost} lost`,
      );
      details.live = { bare: bareLive, real: realLive };
      const targets: Record<string, number> = { p50: 15, p99: 100 };
      for (const p of ["p50", "p90", "p99", "max"] as const) {
        figures.push({
          name: `Live latency ${p}, 202 -> frame`,
          unit: "ms",
          value: realLive.acceptedToFrameMs[p],
          limit: bareLive.acceptedToFrameMs[p],
          ratio: null,
          target: targets[p] === undefined ? "-" : `<= ${targets[p]} ms`,
          met: targets[p] === undefined
            ? null
            : realLive.acceptedToFrameMs[p] <= targets[p]! && realLive.lost === 0,
        });
      }
      for (const p of ["p50", "p99"] as const) {
        figures.push({
          name: `Live latency ${p}, POST sent -> frame`,
          unit: "ms",
          value: realLive.sentToFrameMs[p],
          limit: bareLive.sentToFrameMs[p],
          ratio: ratio(realLive.sentToFrameMs[p], bareLive.sentToFrameMs[p]),
          target: "-",
          met: null,
        });
      }
    }

    if (ONLY.has("soak")) {
      // 4. Processing sustained at half the ingest maximum, backlog sampled every second.
      log(`4. soak, ${LONG_RUN_MS / 1000} s at half the single-event ingest maximum`);
      const single = details.single as Comparison | undefined;
      const run = await soak(ws, single?.realRequestsPerSecond ?? null);
      log(`  ${describeSoak(run)}`);
      details.soak = run;
      figures.push(...soakFigures(run));
    }

    if (ONLY.has("summary")) {
      // 5. Summary read latency, 100 vs 10,000 events.
      log(`5. summary reads, students with 100 and 10,000 events seeded through the API`);
      const run = await summaryReads(ws);
      details.summary = run;
      figures.push(...summaryFigures(run));
    }

    if (ONLY.has("replay")) {
      // 6. Replaying 100,000 events into fresh projections.
      log(`6. replay of 100,000 events into fresh projections (in-process, KV file)`);
      const run = await replay(ws);
      log(
        `  replay ${fmt(run.replayMs / 1000, 2)} s, raw list ${fmt(run.rawListMs / 1000, 2)} s, ` +
          `consistent after: ${run.consistentAfter}`,
      );
      details.replay = run;
      figures.push(...replayFigures(run));
    }

    if (ONLY.has("users")) {
      // 7. 1,000 concurrent users with live streams posting 500 events/s.
      log(`7. ${USERS} users with live streams posting together for ${LONG_RUN_MS / 1000} s`);
      const run = await thousandUsers(ws);
      log(
        `  real: sent→frame p50 ${fmt(run.real.sentToFrameMs.p50, 2)} ms p99 ${
          fmt(run.real.sentToFrameMs.p99, 2)
        } ms, ${run.real.lost} lost, ${run.missingFromLog} missing from the log`,
      );
      details.users = run;
      figures.push(...usersFigures(run));
    }

    if (ONLY.has("roundtrips")) {
      // 8. Sequential KV round trips per processing run (in-process, counted).
      log(`8. KV round trips per processing run (counting KV wrapper, demo student)`);
      const cases = await measureRoundTrips();
      for (const c of cases) {
        log(`  ${c.name}: ${c.runs.map((r) => r.sequential).join(", ")} per run`);
      }
      details.roundTrips = cases;
      figures.push(...roundTripFigures(cases));
    }

    if (ONLY.has("worker")) {
      // 9. The same batched load processed in the Worker and in the serving thread.
      log(
        `9. Worker vs main thread: ${BATCH_SIZE}-event batches, rounds worker/inline/inline/worker`,
      );
      const run = await compareProcessing(ws, {
        connections: BATCH_CONNECTIONS,
        batchSize: BATCH_SIZE,
      });
      details.processing = run;
      figures.push(...processingFigures(run));
    }

    if (ONLY.has("kvcost")) {
      // 10. CPU per KV call and per processed event: the floor under the figures above.
      log(`10. CPU per KV call and per processed event (in-process, KV file)`);
      const run = await measureKvCost(dir);
      for (const line of describeKvCost(run)) log(`  ${line}`);
      details.kvCost = run;
      figures.push(...kvCostFigures(run));
    }
  } finally {
    if (Deno.env.get("BENCH_KEEP") !== "1") {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }

  const totalSeconds = (performance.now() - started) / 1000;
  const table = formatTable(
    ["Figure", "Progress Sync", "Raw limit", "Ratio", "Target", "Met"],
    figures.map((f) => [
      `${f.name} [${f.unit}]`,
      fmt(f.value, f.digits ?? digitsOf(f.unit)),
      f.limit === null ? "-" : fmt(f.limit, f.digits ?? digitsOf(f.unit)),
      f.ratio === null ? "-" : `${fmt(f.ratio, 2)}x`,
      f.target,
      f.met === null ? "-" : f.met ? "yes" : "NO",
    ]),
  );
  console.log(`\n${table}\n`);
  const loadAtEnd = await loadAverage();
  console.log(
    [
      ...notes(details),
      `Total bench time ${
        fmt(totalSeconds, 0)
      } s; load average ${info.loadAverageAtStart} at the ` +
      `start, ${loadAtEnd} at the end (1, 5, 15 min; 2 would be both cores busy).`,
    ].join("\n"),
  );
  const results = {
    date: new Date().toISOString(),
    machine: info,
    config: {
      windowMs: WINDOW_MS,
      warmupMs: WARMUP_MS,
      users: USERS,
      singleConnections: SINGLE_CONNECTIONS,
      batchConnections: BATCH_CONNECTIONS,
      batchSize: BATCH_SIZE,
      sseSamples: SSE_SAMPLES,
      sseRatePerSecond: SSE_RATE_PER_SECOND,
      longRunMs: LONG_RUN_MS,
      realKvQueues: REAL_KV_QUEUES ?? "default (on)",
      parts: [...ONLY],
    },
    figures,
    details,
    totalSeconds,
    loadAverageAtEnd: loadAtEnd,
  };
  await Deno.mkdir(`${ROOT}.bench`, { recursive: true });
  await Deno.writeTextFile(`${ROOT}.bench/results.json`, JSON.stringify(results, null, 2) + "\n");
  log(`results written to .bench/results.json`);
}

if (import.meta.main) await main();
