/** Throughput comparisons: closed-loop rounds against a bare server and the real one, and how long processing trails. */

import {
  bareServer,
  eventJson,
  EVENTS_PATH,
  postEvents,
  realServer,
  sleep,
  WARMUP_MS,
  WINDOW_MS,
  type Workspace,
} from "./bench_env.ts";
import { type ParsedResponse } from "./http_parse.ts";
import { buildRequest, HttpConnection, type LoadResult, runLoad } from "./load.ts";
import { type ServerProcess, waitIdle } from "./server_process.ts";
import type { BenchUser } from "./seed.ts";

const DRAIN_LIMIT_MS = 30_000;
const QUIET_MS = 1000;
const IDLE_LIMIT_MS = 60_000;
const MAX_REQUESTS_PER_ROUND = 500_000;

/** An event whose processing the bench waits for. */
interface Tracked {
  user: BenchUser;
  id: string;
}

/** One measured round of load against one server. */
export interface Round {
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

/** How one round loads a server. */
interface RoundOptions {
  connections: number;
  batchSize: number;
  windowMs: number;
  tag: string;
  trackDrain: boolean;
}

/** Runs one closed-loop round; for the real server, also waits until its backlog is processed and it is idle. */
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
export interface Comparison {
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

/** Runs bare, real, real, bare rounds of the same load and totals them. */
export async function compareThroughput(
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

/** The same load on the real server processing in its Worker and in its serving thread. */
export interface ProcessingComparison {
  worker: Round[];
  inline: Round[];
  /** Accepted events / (load + drain) seconds, averaged over the rounds (null: a drain timed out). */
  workerProcessedPerSecond: number | null;
  inlineProcessedPerSecond: number | null;
  workerEventsPerSecond: number;
  inlineEventsPerSecond: number;
}

/** Runs worker, inline, inline, worker rounds of the same load (`PROCESSING=worker|inline`). */
export async function compareProcessing(
  ws: Workspace,
  options: { connections: number; batchSize: number },
): Promise<ProcessingComparison> {
  const worker = await realServer(ws, "processing-worker", { PROCESSING: "worker" });
  let inline: ServerProcess | null = null;
  try {
    inline = await realServer(ws, "processing-inline", { PROCESSING: "inline" });
    const windowMs = WINDOW_MS / 2;
    const round = (server: ServerProcess, tag: string) =>
      runRound(ws, server, { ...options, windowMs, tag, trackDrain: true });
    const workerRounds = [await round(worker, "pw1")];
    const inlineRounds = [await round(inline, "pi1"), await round(inline, "pi2")];
    workerRounds.push(await round(worker, "pw2"));
    const mean = (rounds: Round[], pick: (r: Round) => number | null | undefined) => {
      const values = rounds.map(pick);
      return values.some((v) => v === null || v === undefined)
        ? null
        : (values as number[]).reduce((a, b) => a + b, 0) / values.length;
    };
    return {
      worker: workerRounds,
      inline: inlineRounds,
      workerProcessedPerSecond: mean(workerRounds, (r) => r.processedPerSecond),
      inlineProcessedPerSecond: mean(inlineRounds, (r) => r.processedPerSecond),
      workerEventsPerSecond: mean(workerRounds, (r) => r.eventsPerSecond)!,
      inlineEventsPerSecond: mean(inlineRounds, (r) => r.eventsPerSecond)!,
    };
  } finally {
    await worker.stop(30_000);
    await inline?.stop(30_000);
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
