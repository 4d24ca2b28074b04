/** What every part of `deno task bench` shares: settings from the environment, servers, requests, figures. */

import { fileURLToPath } from "node:url";
import { type BenchUser, copyKvFile } from "./seed.ts";
import { buildRequest } from "./load.ts";
import { type ServerProcess, startServerProcess } from "./server_process.ts";

/** The repository root (the servers' working directory). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** `BENCH_SECONDS` (default 10): the measured window of a throughput comparison. */
export const SECONDS = Math.max(1, Number(Deno.env.get("BENCH_SECONDS") ?? 10) || 10);
/** The throughput window in ms. */
export const WINDOW_MS = SECONDS * 1000;
/** The soak and the 1,000-user run last six windows (60 s by default). */
export const LONG_RUN_MS = 6 * WINDOW_MS;
/** Load sent before a throughput window starts (not counted). */
export const WARMUP_MS = Math.min(2000, Math.max(500, WINDOW_MS / 5));
/** Students seeded for every part. */
export const USERS = 1000;
/** `BENCH_KV_QUEUES=off` starts the real server with queues off (default: the server's default, on). */
export const REAL_KV_QUEUES = Deno.env.get("BENCH_KV_QUEUES");
/** The deployment admin token the real servers are started with. */
export const ADMIN_TOKEN = `bench-admin-${crypto.randomUUID()}`;
/** The ingest route. */
export const EVENTS_PATH = "/api/progress-sync/events";
/** The live stream route. */
export const LIVE_PATH = "/api/progress-sync/live";

/** The bench's temporary directory, the seeded KV file every real server starts from, and its students. */
export interface Workspace {
  dir: string;
  template: string;
  users: BenchUser[];
}

/** mulberry32: a small seeded PRNG so runs pick the same users. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The JSON of one completed-video event. */
export function eventJson(id: string, activityId: string, timestamp: string): string {
  return `{"id":"${id}","eventType":"video_completed","sourceSystem":"video_player","eventData":{"activityId":"${activityId}","activityType":"video","completionStatus":"completed","timeSpent":5},"timestamp":"${timestamp}"}`;
}

/** The bytes of `POST /events` with `body` as `user`. */
export function postEvents(user: BenchUser, body: string): Uint8Array {
  return buildRequest("POST", `${EVENTS_PATH}?u=${user.userId}`, {
    headers: { Authorization: `Bearer ${user.token}` },
    body,
  });
}

/** Prints a progress line with the time of day. */
export function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
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

/** Where the real server named `name` keeps its KV file. */
export function kvPathOf(ws: Workspace, name: string): string {
  return `${ws.dir}/${name}/kv.sqlite`;
}

/** `BENCH_PROFILE=<dir>`: real servers write V8 CPU profiles there when they stop. */
const PROFILE_DIR = Deno.env.get("BENCH_PROFILE");

/** Starts `main.ts` on a copy of the seeded KV file, with the bench's admin token. */
export async function realServer(
  ws: Workspace,
  name: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const kvPath = kvPathOf(ws, name);
  await copyKvFile(ws.template, kvPath);
  return await startServerProcess({
    cwd: ROOT,
    args: [...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : []), "main.ts"],
    env: {
      KV_PATH: kvPath,
      ADMIN_TOKEN,
      ...(REAL_KV_QUEUES === undefined ? {} : { KV_QUEUES: REAL_KV_QUEUES }),
      ...env,
    },
    readyPattern: /Progress Sync listening on/,
    timeoutMs: 120_000,
  });
}

/** Starts a bare raw-limit server (`baseline_server.ts <mode>`) on its own KV file. */
export async function bareServer(
  ws: Workspace,
  name: string,
  mode: "single" | "batch" | "sse" | "get",
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

/** The resident set size (VmRSS) of process `pid` in KiB, from /proc; null when it cannot be read. */
export function rssKiB(pid: number): number | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
    return Number.isFinite(kib) ? kib : null;
  } catch {
    return null;
  }
}

/** One row of the results table. */
export interface Figure {
  name: string;
  unit: string;
  value: number;
  /** The raw limit measured in the same run (null where there is none). */
  limit: number | null;
  ratio: number | null;
  target: string;
  met: boolean | null;
  /** Decimals shown (default: two for ms, s and x, none otherwise). */
  digits?: number;
}

/** `value` with thousands separators and `digits` decimals, or `n/a`. */
export function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "n/a";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
