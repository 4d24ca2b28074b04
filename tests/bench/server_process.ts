/** Starts a server as a subprocess, waits until it listens, and stops it. */

/** A server running as a child process. */
export interface ServerProcess {
  port: number;
  pid: number;
  /** The last lines the process wrote to stdout/stderr (for diagnostics). */
  output(): string[];
  /** Lines matching `pattern` seen so far on stderr (e.g. processing errors). */
  errorCount(pattern: RegExp): number;
  /** CPU time (user + system) the process has used so far, in seconds; null where /proc is unavailable. */
  cpuSeconds(): number | null;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A free loopback TCP port (there is a small race until the child binds it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Spawns `deno run -A <args>` in `cwd` with `env` plus `PORT`, and resolves once a line of its
 * stdout matches `readyPattern` (rejects after `timeoutMs` or if it exits first).
 */
export async function startServerProcess(options: {
  cwd: string;
  args: string[];
  env?: Record<string, string>;
  readyPattern: RegExp;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...options.args],
    cwd: options.cwd,
    env: { ...options.env, PORT: String(port), NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const errorLines: string[] = [];
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  async function pump(stream: ReadableStream<Uint8Array>, isErr: boolean): Promise<void> {
    let pending = "";
    const decoder = new TextDecoder();
    for await (const bytes of stream) {
      pending += decoder.decode(bytes, { stream: true });
      const parts = pending.split("\n");
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 200) lines.shift();
        if (isErr) errorLines.push(line);
        if (errorLines.length > 10_000) errorLines.shift();
        if (options.readyPattern.test(line)) markReady();
      }
    }
  }
  const pumps = Promise.all([pump(child.stdout, false), pump(child.stderr, true)]).catch(() => {});

  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    ready.then(() => "ready" as const),
    child.status.then(() => "exited" as const),
    new Promise<"timeout">((
      resolve,
    ) => (timer = setTimeout(() => resolve("timeout"), options.timeoutMs ?? 60_000))),
  ]);
  clearTimeout(timer);
  if (outcome !== "ready") {
    if (outcome === "timeout") child.kill("SIGKILL");
    await child.status;
    await pumps;
    throw new Error(
      `Server ${options.args.join(" ")} did not start (${outcome}):\n${lines.join("\n")}`,
    );
  }

  return {
    port,
    pid: child.pid,
    output: () => [...lines],
    errorCount: (pattern) => errorLines.filter((l) => pattern.test(l)).length,
    cpuSeconds: () => processCpuSeconds(child.pid),
    async stop(graceMs = 5000) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        child.status,
        new Promise<void>((resolve) => {
          killTimer = setTimeout(() => {
            try {
              child.kill("SIGKILL");
            } catch {
              // already gone
            }
            resolve();
          }, graceMs);
        }),
      ]);
      clearTimeout(killTimer);
      await child.status;
      await pumps;
    },
  };
}

/** Linux clock ticks per second for /proc times (USER_HZ, 100 on every mainstream kernel build). */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) used by process `pid`, from /proc; null when it cannot be read. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * Waits until `server` has used less than `maxShare` of one core for `quietMs` in a row, so
 * background work (queue deliveries, processing) does not leak into the next measurement.
 * Resolves with the ms waited, or null when it was still busy after `limitMs` (or /proc is missing).
 */
export async function waitIdle(
  server: ServerProcess,
  options: { quietMs?: number; maxShare?: number; limitMs?: number } = {},
): Promise<number | null> {
  const { quietMs = 1000, maxShare = 0.05, limitMs = 30_000 } = options;
  const start = performance.now();
  let last = server.cpuSeconds();
  if (last === null) return null;
  while (performance.now() - start < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = server.cpuSeconds();
    if (now === null) return null;
    const busy = now - last;
    last = now;
    if (busy / (quietMs / 1000) < maxShare) return performance.now() - start - quietMs;
  }
  return null;
}
