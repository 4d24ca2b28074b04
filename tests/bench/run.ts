/**
 * `deno task bench`: measures Progress Sync beside the raw limit it is bounded by, in one run on this
 * machine, and prints each figure with its limit, the ratio and the target. Writes `.bench/results.json`.
 *
 * Env: `BENCH_SECONDS` (default 10) is the measured window of each throughput comparison (split
 * into two rounds per server) and scales the number of latency samples; `BENCH_ONLY` picks parts
 * (`single,batch,live`); `BENCH_KV_QUEUES=off` runs the real server without KV queues (to see their
 * cost; the reference run leaves them on); `BENCH_KEEP=1` keeps the temporary KV files.
 */

import { fileURLToPath } from "node:url";
import { type BenchUser, copyKvFile, seedUsers } from "./seed.ts";
import { type ParsedResponse } from "./http_parse.ts";
import { buildRequest, HttpConnection, type LoadResult, runLoad } from "./load.ts";
import { type ServerProcess, startServerProcess, waitIdle } from "./server_process.ts";
import { openSseClient, type SseClient } from "./sse_client.ts";
import { formatTable, ratio, summarize, type Summary } from "./stats.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SECONDS = Math.max(1, Number(Deno.env.get("BENCH_SECONDS") ?? 10) || 10);
const WINDOW_MS = SECONDS * 1000;
const WARMUP_MS = Math.min(2000, Math.max(500, WINDOW_MS / 5));
const USERS = 1000;
const SINGLE_CONNECTIONS = 50;
const BATCH_CONNECTIONS = 10;
const BATCH_SIZE = 100;
const SSE_SAMPLES = Math.min(300, Math.max(50, Math.round(30 * SECONDS)));
const SSE_WARMUP_SAMPLES = 20;
const SSE_RATE_PER_SECOND = 25;
/** `BENCH_KV_QUEUES=off` starts the real server with queues off (default: the server's default, on). */
const REAL_KV_QUEUES = Deno.env.get("BENCH_KV_QUEUES");
/** `BENCH_ONLY=single,batch,live` (any subset) runs only those parts. */
const ONLY = new Set(
  (Deno.env.get("BENCH_ONLY") ?? "single,batch,live").split(",").map((s) => s.trim()),
);
const DRAIN_LIMIT_MS = 30_000;
const QUIET_MS = 1000;
const IDLE_LIMIT_MS = 60_000;
const MAX_REQUESTS_PER_ROUND = 500_000;
const ADMIN_TOKEN = `bench-admin-${crypto.randomUUID()}`;
const EVENTS_PATH = "/api/progress-sync/events";
const LIVE_PATH = "/api/progress-sync/live";

/** mulberry32: a small seeded PRNG so runs pick the same users. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function eventJson(id: string, activityId: string, timestamp: string): string {
  return `{"id":"${id}","eventType":"video_completed","sourceSystem":"video_player","eventData":{"activityId":"${activityId}","activityType":"video","completionStatus":"completed","timeSpent":5},"timestamp":"${timestamp}"}`;
}

function postEvents(user: BenchUser, body: string): Uint8Array {
  return buildRequest("POST", `${EVENTS_PATH}?u=${user.userId}`, {
    headers: { Authorization: `Bearer ${user.token}` },
    body,
  });
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Servers

interface Workspace {
  dir: string;
  template: string;
  users: BenchUser[];
}

async function realServer(ws: Workspace, name: string): Promise<ServerProcess> {
  const kvPath = `${ws.dir}/${name}/kv.sqlite`;
  await copyKvFile(ws.template, kvPath);
  return await startServerProcess({
    cwd: ROOT,
    args: ["main.ts"],
    env: {
      KV_PATH: kvPath,
      ADMIN_TOKEN,
      ...(REAL_KV_QUEUES === undefined ? {} : { KV_QUEUES: REAL_KV_QUEUES }),
    },
    readyPattern: /Progress Sync listening on/,
    timeoutMs: 120_000,
  });
}

async function bareServer(
  ws: Workspace,
  name: string,
  mode: "single" | "batch" | "sse",
): Promise<ServerProcess> {
  await Deno.mkdir(`${ws.dir}/${name}`, { recursive: true });
  return await startServerProcess({
    cwd: ROOT,
    args: ["tests/bench/baseline_server.ts", mode],
    env: { KV_PATH: `${ws.dir}/${name}/kv.sqlite` },
    readyPattern: /Baseline listening on/,
    timeoutMs: 60_000,
  });
}

// ---------------------------------------------------------------------------------------------
// Throughput

interface Tracked {
  user: BenchUser;
  id: string;
}

/** One measured round of load against one server. */
interface Round {
  load: LoadResult;
  /** Events accepted per second inside the window. */
  eventsPerSecond: number;
  /** Items whose per-item status was not `accepted`. */
  notAccepted: number;
  /** Real server only: ms after the load until the last tracked events were processed (null = not within the limit). */
  drainMs?: number | null;
  /** Real server only: events accepted in the round / (round + drain) seconds. */
  processedPerSecond?: number | null;
  /** Real server only: ms after the load until the process went idle (null = still busy after the limit). */
  busyAfterLoadMs?: number | null;
}

interface RoundOptions {
  connections: number;
  batchSize: number;
  windowMs: number;
  tag: string;
  trackDrain: boolean;
}

async function runRound(
  ws: Workspace,
  server: ServerProcess,
  options: RoundOptions,
): Promise<Round> {
  const { connections, batchSize, tag, windowMs } = options;
  const last = new Map<number, Tracked>();
  const inFlight = new Map<number, Tracked>();
  let accepted = 0;
  let acceptedInWindow = 0;
  let notAccepted = 0;
  const t0 = performance.now();
  const load = await runLoad({
    port: server.port,
    connections,
    durationMs: windowMs,
    warmupMs: WARMUP_MS,
    maxRequests: MAX_REQUESTS_PER_ROUND,
    request(conn, seq) {
      const user = ws.users[(conn + seq * connections) % ws.users.length]!;
      const timestamp = new Date().toISOString();
      let body: string;
      let lastId: string;
      if (batchSize === 1) {
        lastId = `${tag}-${conn}-${seq}`;
        body = eventJson(lastId, `a${seq % 5}`, timestamp);
      } else {
        const items: string[] = [];
        lastId = "";
        for (let i = 0; i < batchSize; i++) {
          lastId = `${tag}-${conn}-${seq}-${String(i).padStart(3, "0")}`;
          // A realistic flush: each event completes a different activity (identical completions
          // would be duplicates, which conflict detection rightly merges).
          items.push(eventJson(lastId, `a-${lastId}`, timestamp));
        }
        body = `{"events":[${items.join(",")}]}`;
      }
      inFlight.set(conn, { user, id: lastId });
      return postEvents(user, body);
    },
    onResponse(conn, _seq, response: ParsedResponse, inWindow) {
      if (response.status !== 202) return;
      const { results } = JSON.parse(new TextDecoder().decode(response.body)) as {
        results: { status: string }[];
      };
      const ok = results.filter((r) => r.status === "accepted").length;
      accepted += ok;
      notAccepted += results.length - ok;
      if (inWindow) acceptedInWindow += ok;
      const tracked = inFlight.get(conn);
      if (tracked) last.set(conn, tracked);
    },
  });
  const loadEnd = performance.now();
  const round: Round = {
    load,
    eventsPerSecond: acceptedInWindow / (windowMs / 1000),
    notAccepted,
  };
  if (options.trackDrain) {
    const drainMs = await waitProcessed(server.port, [...last.values()], loadEnd);
    round.drainMs = drainMs;
    round.processedPerSecond = drainMs === null
      ? null
      : accepted / ((loadEnd - t0 + drainMs) / 1000);
    // The queue delivers one (by now redundant) message per commit after a delay: wait until the
    // server is idle so that tail does not slow the next round, and report how long it was.
    const idleMs = await waitIdle(server, { quietMs: QUIET_MS, limitMs: IDLE_LIMIT_MS });
    round.busyAfterLoadMs = idleMs === null ? null : performance.now() - loadEnd - QUIET_MS;
  }
  return round;
}

/** Both servers' rounds (run in ABBA order so drift on a shared machine hits both alike) and their totals. */
interface Comparison {
  bare: Round[];
  real: Round[];
  bareRequestsPerSecond: number;
  realRequestsPerSecond: number;
  bareEventsPerSecond: number;
  realEventsPerSecond: number;
  /** Longest time the real server needed after a round to process its backlog (null = over the limit). */
  realDrainMs: number | null;
  /** Real server: accepted events / (load + drain) seconds over its rounds. */
  realProcessedPerSecond: number | null;
  realServerErrors: number;
  /** Longest time the real server stayed busy after a round (null = over the limit). */
  realBusyAfterLoadMs: number | null;
}

async function compareThroughput(
  ws: Workspace,
  name: string,
  options: { mode: "single" | "batch"; connections: number; batchSize: number },
): Promise<Comparison> {
  const bareServerProcess = await bareServer(ws, `bare-${name}`, options.mode);
  let realServerProcess: ServerProcess | null = null;
  try {
    realServerProcess = await realServer(ws, `real-${name}`);
    const windowMs = WINDOW_MS / 2;
    const round = (server: ServerProcess, tag: string, trackDrain: boolean) =>
      runRound(ws, server, { ...options, windowMs, tag, trackDrain });
    const bare: Round[] = [];
    const real: Round[] = [];
    bare.push(await round(bareServerProcess, `${name}-b1`, false));
    real.push(await round(realServerProcess, `${name}-r1`, true));
    real.push(await round(realServerProcess, `${name}-r2`, true));
    bare.push(await round(bareServerProcess, `${name}-b2`, false));
    const perSecond = (rounds: Round[], pick: (r: Round) => number) =>
      rounds.reduce((sum, r) => sum + pick(r), 0) / rounds.length;
    const drains = real.map((r) => r.drainMs ?? null);
    const processed = real.map((r) => r.processedPerSecond ?? null);
    const busy = real.map((r) => r.busyAfterLoadMs ?? null);
    return {
      bare,
      real,
      bareRequestsPerSecond: perSecond(bare, (r) => r.load.okPerSecond),
      realRequestsPerSecond: perSecond(real, (r) => r.load.okPerSecond),
      bareEventsPerSecond: perSecond(bare, (r) => r.eventsPerSecond),
      realEventsPerSecond: perSecond(real, (r) => r.eventsPerSecond),
      realDrainMs: drains.includes(null) ? null : Math.max(...(drains as number[])),
      realProcessedPerSecond: processed.includes(null)
        ? null
        : (processed as number[]).reduce((a, b) => a + b, 0) / processed.length,
      realServerErrors: realServerProcess.errorCount(/failed|error/i),
      realBusyAfterLoadMs: busy.includes(null) ? null : Math.max(...(busy as number[])),
    };
  } finally {
    await bareServerProcess.stop();
    await realServerProcess?.stop(30_000);
  }
}

/** Polls `GET /events/:id` until every tracked event is processed; ms it took, or null after the limit. */
async function waitProcessed(
  port: number,
  tracked: Tracked[],
  since: number,
): Promise<number | null> {
  const conn = await HttpConnection.open("127.0.0.1", port);
  // A server that stops answering cannot hang the bench: cut the connection after the limit.
  const cut = setTimeout(() => conn.close(), DRAIN_LIMIT_MS + 5000);
  try {
    let pending = tracked;
    while (pending.length > 0) {
      if (performance.now() - since > DRAIN_LIMIT_MS) return null;
      const still: Tracked[] = [];
      for (const t of pending) {
        const response = await conn.send(buildRequest("GET", `${EVENTS_PATH}/${t.id}`, {
          headers: { Authorization: `Bearer ${t.user.token}` },
        }));
        const body = JSON.parse(new TextDecoder().decode(response.body)) as { processed?: boolean };
        if (response.status !== 200 || body.processed !== true) still.push(t);
      }
      pending = still;
      if (pending.length > 0) await sleep(50);
    }
    return performance.now() - since;
  } finally {
    clearTimeout(cut);
    conn.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Live latency

interface LatencyRun {
  streams: number;
  connectMs: number;
  samples: number;
  received: number;
  lost: number;
  /** POSTs answered with another status than 202, or whose connection failed. */
  failedPosts: number;
  /** Samples not sent because every posting connection was still waiting (the server stalled). */
  skippedPosts: number;
  /** The five slowest samples: when (ms after the first), POST time and 202 -> frame time. */
  slowest: { atMs: number; postMs: number; acceptedToFrameMs: number }[];
  /** From the 202 arriving at the client to the frame arriving on the user's stream. */
  acceptedToFrameMs: Summary;
  /** From sending the POST to the frame arriving. */
  sentToFrameMs: Summary;
  /** From sending the POST to its 202. */
  postMs: Summary;
}

interface Sample {
  user: number;
  sent: number;
  accepted?: number;
  frame?: number;
  warmup: boolean;
}

async function liveLatency(
  ws: Workspace,
  server: ServerProcess,
  options: { bare: boolean; tag: string },
): Promise<LatencyRun> {
  const samples = new Map<string, Sample>();
  const clients: SseClient[] = [];
  const connectStart = performance.now();
  try {
    for (let start = 0; start < ws.users.length; start += 50) {
      const opened = await Promise.all(
        ws.users.slice(start, start + 50).map((user) =>
          openSseClient({
            port: server.port,
            path: options.bare ? `${LIVE_PATH}?u=${user.userId}` : LIVE_PATH,
            headers: { Authorization: `Bearer ${user.token}` },
            onItem(item, at) {
              if (item.kind !== "event" || item.event !== "progress_update") return;
              const { eventId } = JSON.parse(item.data) as { eventId?: string };
              const sample = eventId === undefined ? undefined : samples.get(eventId);
              if (sample && sample.frame === undefined) sample.frame = at;
            },
          })
        ),
      );
      clients.push(...opened);
      await withTimeout(Promise.all(opened.map((c) => c.ready)), 60_000, "SSE streams to go live");
    }
    const connectMs = performance.now() - connectStart;
    log(`  ${clients.length} SSE streams live after ${connectMs.toFixed(0)} ms`);

    const pool = await Promise.all(
      Array.from({ length: 8 }, () => HttpConnection.open("127.0.0.1", server.port)),
    );
    const pick = random(42);
    const total = SSE_WARMUP_SAMPLES + SSE_SAMPLES;
    const interval = 1000 / SSE_RATE_PER_SECOND;
    const posts: Promise<void>[] = [];
    let failedPosts = 0;
    let skippedPosts = 0;
    const begin = performance.now();
    for (let k = 0; k < total; k++) {
      const wait = begin + k * interval - performance.now();
      if (wait > 0) await sleep(wait);
      const conn = pool.pop();
      if (!conn) {
        skippedPosts++;
        continue;
      }
      const user = Math.floor(pick() * ws.users.length);
      const id = `${options.tag}-${k}`;
      const request = postEvents(
        ws.users[user]!,
        eventJson(id, `a${k % 5}`, new Date().toISOString()),
      );
      const sample: Sample = { user, sent: performance.now(), warmup: k < SSE_WARMUP_SAMPLES };
      samples.set(id, sample);
      posts.push(
        conn.send(request).then((response) => {
          if (response.status === 202) sample.accepted = performance.now();
          else failedPosts++;
          pool.push(conn);
        }, () => {
          failedPosts++;
        }),
      );
    }
    await withTimeout(Promise.all(posts), 30_000, "POSTs to finish");
    const deadline = performance.now() + 5000;
    const measured = () =>
      [...samples.values()].filter((s) => !s.warmup && s.accepted !== undefined);
    while (performance.now() < deadline && measured().some((s) => s.frame === undefined)) {
      await sleep(20);
    }
    pool.forEach((c) => c.close());

    const done = measured().filter((s) => s.frame !== undefined);
    return {
      streams: clients.length,
      connectMs,
      samples: measured().length,
      received: done.length,
      lost: measured().length - done.length,
      failedPosts,
      skippedPosts,
      slowest: [...done].sort((a, b) => (b.frame! - b.sent) - (a.frame! - a.sent)).slice(0, 5)
        .map((s) => ({
          atMs: Math.round(s.sent - begin),
          postMs: Math.round((s.accepted! - s.sent) * 100) / 100,
          acceptedToFrameMs: Math.round((s.frame! - s.accepted!) * 100) / 100,
        })),
      acceptedToFrameMs: summarize(done.map((s) => s.frame! - s.accepted!)),
      sentToFrameMs: summarize(done.map((s) => s.frame! - s.sent)),
      postMs: summarize(measured().map((s) => s.accepted! - s.sent)),
    };
  } finally {
    clients.forEach((c) => c.close());
    await withTimeout(
      Promise.allSettled(clients.map((c) => c.closed)),
      10_000,
      "SSE streams to close",
    )
      .catch(() => {});
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Machine and report

async function machine(): Promise<Record<string, unknown>> {
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
  };
}

function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
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

interface Figure {
  name: string;
  unit: string;
  value: number;
  limit: number;
  ratio: number | null;
  target: string;
  met: boolean | null;
}

async function main(): Promise<void> {
  const fdLimit = Number(
    /Max open files\s+(\d+)/.exec(await Deno.readTextFile("/proc/self/limits"))?.[1] ?? 0,
  );
  if (fdLimit > 0 && fdLimit < 2 * USERS + 200) {
    console.error(
      `Open-file limit is ${fdLimit}; the live test needs about ${
        2 * USERS + 200
      }. Run \`ulimit -n 4096\` first.`,
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
      const bareLive = await liveLatency(ws, server, { bare: true, tag: "bl" });
      await server.stop();
      log(
        `  bare: 202→frame p50 ${fmt(bareLive.acceptedToFrameMs.p50, 2)} ms, sent→frame p50 ${
          fmt(bareLive.sentToFrameMs.p50, 2)
        } ms`,
      );
      server = await realServer(ws, "real-sse");
      const realLive = await liveLatency(ws, server, { bare: false, tag: "rl" });
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
      fmt(f.value, f.unit === "ms" ? 2 : 0),
      fmt(f.limit, f.unit === "ms" ? 2 : 0),
      f.ratio === null ? "-" : `${fmt(f.ratio, 2)}x`,
      f.target,
      f.met === null ? "-" : f.met ? "yes" : "NO",
    ]),
  );
  console.log(`\n${table}\n`);
  const live = details.live as { real: LatencyRun; bare: LatencyRun } | undefined;
  const single = details.single as Comparison | undefined;
  const batch = details.batch as Comparison | undefined;
  console.log(
    [
      `After the load (worst round): single-event outbox empty ${
        fmt(single?.realDrainMs)
      } ms later ` +
      `(accepted and processed: ${fmt(single?.realProcessedPerSecond)} events/s), server busy ` +
      `${fmt(single?.realBusyAfterLoadMs)} ms; batch outbox empty ${
        fmt(batch?.realDrainMs)
      } ms later (${fmt(batch?.realProcessedPerSecond)} events/s), server busy ${
        fmt(batch?.realBusyAfterLoadMs)
      } ms.`,
      `Live: ${live?.real.received}/${live?.real.samples} frames received, ${live?.real.lost} lost, ` +
      `${live?.real.failedPosts} failed and ${live?.real.skippedPosts} skipped posts; POST p50 ${
        fmt(live?.real.postMs.p50, 2)
      } ms ` +
      `(bare ${fmt(live?.bare.postMs.p50, 2)} ms). Bare 202 -> frame can be negative: ` +
      `it pushes the frame before answering.`,
      `Lines mentioning failures or errors in the real server's stderr: single ${
        single?.realServerErrors ?? "n/a"
      }, batch ${batch?.realServerErrors ?? "n/a"}.`,
      `Total bench time ${fmt(totalSeconds, 0)} s.`,
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
      realKvQueues: REAL_KV_QUEUES ?? "default (on)",
      parts: [...ONLY],
    },
    figures,
    details,
    totalSeconds,
  };
  await Deno.mkdir(`${ROOT}.bench`, { recursive: true });
  await Deno.writeTextFile(`${ROOT}.bench/results.json`, JSON.stringify(results, null, 2) + "\n");
  log(`results written to .bench/results.json`);
}

if (import.meta.main) await main();
