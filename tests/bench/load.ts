/** A bounded closed-loop HTTP/1.1 load generator over raw keep-alive TCP connections. */

import { type ParsedResponse, ResponseParser } from "./http_parse.ts";
import { summarize, type Summary } from "./stats.ts";

const encoder = new TextEncoder();

/** Builds the bytes of an HTTP/1.1 request with a JSON body (or none) on a keep-alive connection. */
export function buildRequest(
  method: string,
  path: string,
  options: { host?: string; headers?: Record<string, string>; body?: string } = {},
): Uint8Array {
  const body = options.body === undefined ? undefined : encoder.encode(options.body);
  let head = `${method} ${path} HTTP/1.1\r\nHost: ${options.host ?? "127.0.0.1"}\r\n`;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    head += `${name}: ${value}\r\n`;
  }
  if (body) head += `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`;
  const headBytes = encoder.encode(head + "\r\n");
  if (!body) return headBytes;
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes, 0);
  out.set(body, headBytes.length);
  return out;
}

/** Writes every byte of `bytes`. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

/** One keep-alive connection that sends a request and waits for its response. */
export class HttpConnection {
  #conn: Deno.Conn;
  #parser = new ResponseParser();
  #buf = new Uint8Array(64 * 1024);
  #ready: ParsedResponse[] = [];

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Opens a connection to `hostname:port` with Nagle off. */
  static async open(hostname: string, port: number): Promise<HttpConnection> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return new HttpConnection(conn);
  }

  /** Sends one request and resolves with its response (rejects when the connection closes). */
  async send(request: Uint8Array): Promise<ParsedResponse> {
    await writeAll(this.#conn, request);
    while (this.#ready.length === 0) {
      const n = await this.#conn.read(this.#buf);
      if (n === null) throw new Error("Connection closed by the server");
      this.#ready.push(...this.#parser.feed(this.#buf.subarray(0, n)));
    }
    return this.#ready.shift()!;
  }

  /** Closes the connection (a pending `send` then rejects). */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** What a load run is told to do. */
export interface LoadOptions {
  hostname?: string;
  port: number;
  /** Concurrent keep-alive connections, each with one request in flight. */
  connections: number;
  /** Length of the measured window, after the warm-up. */
  durationMs: number;
  /** Requests sent before the measured window starts (not counted). */
  warmupMs?: number;
  /** Hard cap on requests sent in total, warm-up included. */
  maxRequests?: number;
  /** How long in-flight requests may take to finish after the window before connections are cut. */
  graceMs?: number;
  /** The bytes of request number `sequence` on `connection`. */
  request(connection: number, sequence: number): Uint8Array;
  /** Sees each completed response (e.g. to remember accepted ids); `inWindow` when it counts. */
  onResponse?(
    connection: number,
    sequence: number,
    response: ParsedResponse,
    inWindow: boolean,
  ): void;
}

/** What a load run measured. */
export interface LoadResult {
  /** Responses completed inside the measured window. */
  completed: number;
  /** Of those, responses with a 2xx status. */
  ok: number;
  windowMs: number;
  /** 2xx responses per second inside the window. */
  okPerSecond: number;
  /** Responses by status over the whole run (warm-up included). */
  statuses: Record<string, number>;
  /** Requests that failed at the connection level. */
  errors: number;
  /** Every response over the whole run. */
  totalCompleted: number;
  /** Request latency inside the window, ms. */
  latencyMs: Summary;
}

/** Runs a closed loop of `connections` × one request in flight for warm-up + duration, then stops by itself. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { port, connections, durationMs, warmupMs = 0, graceMs = 10_000 } = options;
  const hostname = options.hostname ?? "127.0.0.1";
  const maxRequests = options.maxRequests ?? Number.MAX_SAFE_INTEGER;
  const conns = await Promise.all(
    Array.from({ length: connections }, () => HttpConnection.open(hostname, port)),
  );
  const t0 = performance.now();
  const startAt = t0 + warmupMs;
  const endAt = startAt + durationMs;
  const cutoff = setTimeout(() => conns.forEach((c) => c.close()), warmupMs + durationMs + graceMs);
  let issued = 0;
  let completed = 0;
  let ok = 0;
  let errors = 0;
  let totalCompleted = 0;
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];

  async function worker(index: number): Promise<void> {
    const conn = conns[index]!;
    for (let sequence = 0; performance.now() < endAt && issued < maxRequests; sequence++) {
      issued++;
      const request = options.request(index, sequence);
      const sent = performance.now();
      let response: ParsedResponse;
      try {
        response = await conn.send(request);
      } catch {
        errors++;
        return;
      }
      const done = performance.now();
      totalCompleted++;
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      const inWindow = done >= startAt && done <= endAt;
      options.onResponse?.(index, sequence, response, inWindow);
      if (inWindow) {
        completed++;
        latencies.push(done - sent);
        if (response.status >= 200 && response.status < 300) ok++;
      }
    }
  }

  try {
    await Promise.all(conns.map((_, i) => worker(i)));
  } finally {
    clearTimeout(cutoff);
    conns.forEach((c) => c.close());
  }
  return {
    completed,
    ok,
    windowMs: durationMs,
    okPerSecond: ok / (durationMs / 1000),
    statuses,
    errors,
    totalCompleted,
    latencyMs: summarize(latencies),
  };
}
