/** Open-loop load: requests go out on a fixed schedule whatever the server's pace (bounded by count and connections). */

import type { ParsedResponse } from "./http_parse.ts";
import { HttpConnection } from "./load.ts";

/** What a paced run is told to do. */
export interface PacedOptions {
  hostname?: string;
  port: number;
  ratePerSecond: number;
  /** Requests sent in total. */
  count: number;
  /** Keep-alive connections opened up front (one request in flight on each). */
  connections: number;
  /** When every connection is busy the sender opens another, up to this many; past it the request is skipped. */
  maxConnections: number;
  /** The bytes of request number `n`. */
  request(n: number): Uint8Array;
  /** Called just before request `n` is written. */
  onSent?(n: number, sentAt: number): void;
  /** Sees each response with when it arrived. */
  onResponse?(n: number, response: ParsedResponse, receivedAt: number): void;
  /** How long the last responses may take before the connections are cut. */
  graceMs?: number;
}

/** What a paced run did. */
export interface PacedResult {
  sent: number;
  /** Requests whose connection failed or was cut before a response. */
  failed: number;
  /** Requests not sent because every connection (up to the cap) was busy. */
  skipped: number;
  connectionsOpened: number;
  /** Most the sender fell behind its schedule, ms. */
  maxLagMs: number;
  /** From the first scheduled send to the last response, ms. */
  durationMs: number;
}

/** Sends `count` requests at `ratePerSecond`, each on a free connection, and waits for their responses. */
export async function runPaced(options: PacedOptions): Promise<PacedResult> {
  const hostname = options.hostname ?? "127.0.0.1";
  const open = () => HttpConnection.open(hostname, options.port);
  const all = await Promise.all(Array.from({ length: options.connections }, open));
  const free = [...all];
  const interval = 1000 / options.ratePerSecond;
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  let failed = 0;
  let skipped = 0;
  let maxLagMs = 0;
  const begin = performance.now();
  for (let n = 0; n < options.count; n++) {
    const due = begin + n * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    let conn = free.pop();
    if (!conn && all.length < options.maxConnections) {
      conn = await open();
      all.push(conn);
    }
    if (!conn) {
      skipped++;
      continue;
    }
    const request = options.request(n);
    options.onSent?.(n, performance.now());
    sent++;
    const busy = conn;
    inFlight.push(
      busy.send(request).then((response) => {
        options.onResponse?.(n, response, performance.now());
        free.push(busy);
      }, () => {
        failed++;
      }),
    );
  }
  const cut = setTimeout(() => all.forEach((c) => c.close()), options.graceMs ?? 30_000);
  try {
    await Promise.all(inFlight);
  } finally {
    clearTimeout(cut);
    all.forEach((c) => c.close());
  }
  return {
    sent,
    failed,
    skipped,
    connectionsOpened: all.length,
    maxLagMs,
    durationMs: performance.now() - begin,
  };
}
