/**
 * POST → live frame latency: every student holds one live stream while events are posted on a
 * fixed schedule for random students; times the 202 and the `progress_update` frame carrying that
 * event id on that student's stream, and samples the server's memory once a second.
 */

import {
  eventJson,
  LIVE_PATH,
  log,
  postEvents,
  random,
  rssKiB,
  sleep,
  withTimeout,
  type Workspace,
} from "./bench_env.ts";
import { runPaced } from "./paced.ts";
import type { ServerProcess } from "./server_process.ts";
import { openSseClient, type SseClient } from "./sse_client.ts";
import { summarize, type Summary } from "./stats.ts";

/** How a latency run posts. */
export interface LatencyOptions {
  /** A bare server (`baseline_server.ts sse`) names the student in the URL instead of the token. */
  bare: boolean;
  tag: string;
  ratePerSecond: number;
  /** Events posted first and left out of every figure. */
  warmup: number;
  /** Events measured after the warm-up. */
  samples: number;
  /** Posting connections opened up front, and the most the sender may open when all are busy. */
  connections: number;
  maxConnections: number;
  /** How long after the last 202 frames may still arrive before they count as lost. */
  frameWaitMs: number;
}

/** The server's resident memory (VmRSS, KiB) over a run. */
export interface MemoryFigures {
  /** Before any stream was opened. */
  idleKiB: number | null;
  /** With every stream open, before posting. */
  streamsOpenKiB: number | null;
  /** Highest once-a-second sample. */
  peakKiB: number | null;
  /** After the last frame arrived (streams still open). */
  endKiB: number | null;
}

/** What a latency run measured. */
export interface LatencyRun {
  streams: number;
  connectMs: number;
  samples: number;
  received: number;
  /** Accepted events whose frame never arrived on their student's stream. */
  lost: number;
  /** Frames that arrived on another student's stream (must be 0). */
  wrongStream: number;
  /** POSTs answered with another status than 202, or whose connection failed. */
  failedPosts: number;
  /** Events not sent because every posting connection was still waiting (the server stalled). */
  skippedPosts: number;
  /** Most the sender fell behind its schedule, ms, and the posting connections it needed. */
  maxSendLagMs: number;
  postingConnections: number;
  /** The five slowest samples: when (ms after the first), POST time and 202 -> frame time. */
  slowest: { atMs: number; postMs: number; acceptedToFrameMs: number }[];
  /** From the 202 arriving at the client to the frame arriving on the user's stream. */
  acceptedToFrameMs: Summary;
  /** From sending the POST to the frame arriving. */
  sentToFrameMs: Summary;
  /** From sending the POST to its 202. */
  postMs: Summary;
  memory: MemoryFigures;
}

interface Sample {
  user: number;
  sent: number;
  accepted?: number;
  frame?: number;
  warmup: boolean;
}

/** Measured figures and the events the server accepted (`id` → user id), to look for in its log. */
export interface LatencyOutcome {
  run: LatencyRun;
  accepted: Map<string, string>;
}

/** Opens one stream per student, posts on schedule, and waits for every accepted event's frame. */
export async function liveLatency(
  ws: Workspace,
  server: ServerProcess,
  options: LatencyOptions,
): Promise<LatencyOutcome> {
  const samples = new Map<string, Sample>();
  const clients: SseClient[] = [];
  let wrongStream = 0;
  const memory: MemoryFigures = {
    idleKiB: rssKiB(server.pid),
    streamsOpenKiB: null,
    peakKiB: null,
    endKiB: null,
  };
  const sampleMemory = () => {
    const kib = rssKiB(server.pid);
    if (kib !== null) memory.peakKiB = Math.max(memory.peakKiB ?? 0, kib);
    return kib;
  };
  const memoryTimer = setInterval(sampleMemory, 1000);
  const connectStart = performance.now();
  try {
    for (let start = 0; start < ws.users.length; start += 50) {
      const opened = await Promise.all(
        ws.users.slice(start, start + 50).map((user, i) =>
          openSseClient({
            port: server.port,
            path: options.bare ? `${LIVE_PATH}?u=${user.userId}` : LIVE_PATH,
            headers: { Authorization: `Bearer ${user.token}` },
            onItem(item, at) {
              if (item.kind !== "event" || item.event !== "progress_update") return;
              const { eventId } = JSON.parse(item.data) as { eventId?: string };
              const sample = eventId === undefined ? undefined : samples.get(eventId);
              if (!sample || sample.frame !== undefined) return;
              if (sample.user !== start + i) wrongStream++;
              else sample.frame = at;
            },
          })
        ),
      );
      clients.push(...opened);
      await withTimeout(Promise.all(opened.map((c) => c.ready)), 60_000, "SSE streams to go live");
    }
    const connectMs = performance.now() - connectStart;
    memory.streamsOpenKiB = sampleMemory();
    log(`  ${clients.length} SSE streams live after ${connectMs.toFixed(0)} ms`);

    const pick = random(42);
    const ids: string[] = [];
    let failedPosts = 0;
    const paced = await runPaced({
      port: server.port,
      ratePerSecond: options.ratePerSecond,
      count: options.warmup + options.samples,
      connections: options.connections,
      maxConnections: options.maxConnections,
      request(n) {
        const user = Math.floor(pick() * ws.users.length);
        const id = `${options.tag}-${n}`;
        ids[n] = id;
        samples.set(id, { user, sent: 0, warmup: n < options.warmup });
        return postEvents(ws.users[user]!, eventJson(id, `a${n % 5}`, new Date().toISOString()));
      },
      onSent(n, at) {
        samples.get(ids[n]!)!.sent = at;
      },
      onResponse(n, response, at) {
        if (response.status === 202) samples.get(ids[n]!)!.accepted = at;
        else failedPosts++;
      },
    });
    const begin = Math.min(...[...samples.values()].map((s) => s.sent).filter((t) => t > 0));
    const accepted = () => [...samples.values()].filter((s) => s.accepted !== undefined);
    const measured = () => accepted().filter((s) => !s.warmup);
    const deadline = performance.now() + options.frameWaitMs;
    while (performance.now() < deadline && accepted().some((s) => s.frame === undefined)) {
      await sleep(20);
    }
    memory.endKiB = sampleMemory();

    const done = measured().filter((s) => s.frame !== undefined);
    const acceptedIds = new Map<string, string>();
    for (const [id, s] of samples) {
      if (s.accepted !== undefined) acceptedIds.set(id, ws.users[s.user]!.userId);
    }
    const run: LatencyRun = {
      streams: clients.length,
      connectMs,
      samples: measured().length,
      received: done.length,
      lost: measured().length - done.length,
      wrongStream,
      failedPosts: failedPosts + paced.failed,
      skippedPosts: paced.skipped,
      maxSendLagMs: paced.maxLagMs,
      postingConnections: paced.connectionsOpened,
      slowest: [...done].sort((a, b) => (b.frame! - b.sent) - (a.frame! - a.sent)).slice(0, 5)
        .map((s) => ({
          atMs: Math.round(s.sent - begin),
          postMs: Math.round((s.accepted! - s.sent) * 100) / 100,
          acceptedToFrameMs: Math.round((s.frame! - s.accepted!) * 100) / 100,
        })),
      acceptedToFrameMs: summarize(done.map((s) => s.frame! - s.accepted!)),
      sentToFrameMs: summarize(done.map((s) => s.frame! - s.sent)),
      postMs: summarize(measured().map((s) => s.accepted! - s.sent)),
      memory,
    };
    return { run, accepted: acceptedIds };
  } finally {
    clearInterval(memoryTimer);
    clients.forEach((c) => c.close());
    await withTimeout(
      Promise.allSettled(clients.map((c) => c.closed)),
      10_000,
      "SSE streams to close",
    ).catch(() => {});
  }
}
