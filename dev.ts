/**
 * Development entry: builds the islands, runs `main.ts` in a child process, and on every source change
 * rebuilds the islands when needed and restarts the child. Ctrl-C stops both.
 *
 *     deno run -A dev.ts [arguments for main.ts]
 */
import { fileURLToPath } from "node:url";
import { ensureIslandsBuilt } from "./lib/islands/build.ts";

const ROOT = fileURLToPath(new URL(".", import.meta.url));
const WATCHED = [
  "islands",
  "components",
  "lib",
  "routes",
  "static/styles.css",
  "main.ts",
  "server.ts",
];
const DEBOUNCE_MS = 150;
const STOP_TIMEOUT_MS = 3_000;

function log(message: string): void {
  console.error(
    `%c[dev]%c ${message}`,
    "color: #818cf8; font-weight: bold",
    "",
  );
}

function isRelevant(path: string): boolean {
  return /\.(tsx?|css)$/.test(path) && !/_test\.tsx?$/.test(path) &&
    !path.includes("/testdata/");
}

async function existingPaths(paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    try {
      await Deno.stat(`${ROOT}${path}`);
      found.push(`${ROOT}${path}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return found;
}

async function buildIslandsReporting(): Promise<void> {
  const started = performance.now();
  try {
    const manifest = await ensureIslandsBuilt();
    const count = Object.keys(manifest.islands).length;
    const elapsed = Math.round(performance.now() - started);
    log(
      `islands ready (${count} island${count === 1 ? "" : "s"}, ${elapsed} ms)`,
    );
  } catch (error) {
    const elapsed = Math.round(performance.now() - started);
    log(
      `island build failed after ${elapsed} ms; the server restarts with the previous bundles`,
    );
    console.error(error instanceof Error ? error.message : error);
  }
}

const stopping = new WeakSet<Deno.ChildProcess>();

function startServer(args: string[]): Deno.ChildProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  child.status.then((status) => {
    if (!stopping.has(child) && status.signal !== "SIGINT") {
      log(`server exited with code ${status.code}; waiting for changes`);
    }
  });
  return child;
}

async function stopServer(child: Deno.ChildProcess): Promise<void> {
  stopping.add(child);
  try {
    child.kill("SIGTERM");
  } catch {
    // already exited
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
  }, STOP_TIMEOUT_MS);
  await child.status;
  clearTimeout(timer);
}

async function main(args: string[]): Promise<void> {
  await buildIslandsReporting();
  let server = startServer(args);
  const watcher = Deno.watchFs(await existingPaths(WATCHED), {
    recursive: true,
  });

  let shuttingDown = false;
  const shutdown = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    log("stopping");
    watcher.close();
    await stopServer(server);
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let changed = new Set<string>();
  let restarting: Promise<void> = Promise.resolve();

  const restart = () => {
    const paths = [...changed].map((path) => path.slice(ROOT.length));
    changed = new Set();
    restarting = restarting.then(async () => {
      if (shuttingDown) return;
      log(
        `changed: ${paths.slice(0, 3).join(", ")}${
          paths.length > 3 ? ` and ${paths.length - 3} more` : ""
        }`,
      );
      await buildIslandsReporting();
      await stopServer(server);
      if (!shuttingDown) server = startServer(args);
    });
  };

  for await (const event of watcher) {
    if (event.kind === "access" || event.kind === "other") continue;
    const relevant = event.paths.filter(isRelevant);
    if (relevant.length === 0) continue;
    for (const path of relevant) changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(restart, DEBOUNCE_MS);
  }
}

if (import.meta.main) {
  await main(Deno.args);
}
