import assert from "node:assert/strict";
/** End-to-end harness: the real server as a subprocess, Debian's Chromium, and small API helpers. */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

/** The project root (holds main.ts and deno.json). */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Flags for headless Chromium in containers and CI (no sandbox, no GPU, no background traffic). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const READY_LINE = "Progress Sync listening";

/** A server started from main.ts in a child process, with its own KV file and admin token. */
export interface ServerProcess {
  /** e.g. `http://127.0.0.1:43123`; use it as the `Origin` of cookie-authenticated writes. */
  origin: string;
  port: number;
  adminToken: string;
  /** The KV file it serves from. */
  kvPath: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /**
   * SIGTERM (or `signal`, e.g. SIGKILL for a crash; SIGKILL after a grace period), waits for exit
   * and removes the temp KV directory (never a caller's `kvPath`).
   */
  stop(options?: { signal?: Deno.Signal }): Promise<void>;
}

/** A free loopback port (the child binds it a moment later; the race is harmless in tests). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/**
 * Starts `deno run -A main.ts` with `PORT` on a free port, `KV_PATH` in a fresh temp directory
 * and a random `ADMIN_TOKEN`, and resolves once it prints "Progress Sync listening" (rejects
 * with its output if it exits or is not ready within `timeoutMs`). Pass `port`, `kvPath` and
 * `adminToken` of a stopped server to restart it on the same data (the caller then owns the file).
 */
export async function startServer(
  options: {
    env?: Record<string, string>;
    /** Modules `deno run --preload`s before main.ts. */
    preload?: string[];
    timeoutMs?: number;
    port?: number;
    kvPath?: string;
    adminToken?: string;
  } = {},
): Promise<ServerProcess> {
  const { env = {}, timeoutMs = 60_000 } = options;
  const port = options.port ?? freePort();
  const dataDir = options.kvPath === undefined
    ? await Deno.makeTempDir({ prefix: "progress_sync_e2e_" })
    : null;
  const kvPath = options.kvPath ?? join(dataDir!, "progress.sqlite");
  const adminToken = options.adminToken ?? `e2e-admin-${crypto.randomUUID()}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(options.preload ?? []).map((p) => `--preload=${p}`), "main.ts"],
    cwd: PROJECT_ROOT,
    env: {
      PORT: String(port),
      KV_PATH: kvPath,
      ADMIN_TOKEN: adminToken,
      DEMO: "0",
      NO_COLOR: "1",
      // Tests deliver webhooks to receivers on this machine.
      WEBHOOK_ALLOW_PRIVATE: "1",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let output = "";
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => markReady = resolve);
  async function pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const bytes of stream) {
      output += decoder.decode(bytes, { stream: true });
      if (output.includes(READY_LINE)) markReady();
    }
  }
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);

  let stopped: Promise<void> | null = null;
  async function stop(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      child.kill(signal);
      killTimer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    } catch {
      // Already exited.
    }
    await child.status;
    clearTimeout(killTimer);
    await pumps;
    if (dataDir !== null) await Deno.remove(dataDir, { recursive: true });
  }

  let startTimer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    ready.then(() => "ready" as const),
    child.status.then(() => "exited" as const),
    new Promise<"timeout">((resolve) =>
      startTimer = setTimeout(() => resolve("timeout"), timeoutMs)
    ),
  ]);
  clearTimeout(startTimer);
  if (outcome !== "ready") {
    await stop();
    throw new Error(
      `The server did not start (${
        outcome === "exited" ? "it exited" : `not listening after ${timeoutMs} ms`
      }). Its output:\n${output}`,
    );
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    adminToken,
    kvPath,
    output: () => output,
    stop: (stopOptions) => stopped ??= stop(stopOptions?.signal),
  };
}

/**
 * Launches Debian's headless Chromium (`CHROMIUM_PATH`, default `/usr/bin/chromium`); fails with
 * the install command when it is missing, so a machine without it never skips silently.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
  try {
    await Deno.stat(executablePath);
  } catch {
    throw new Error(
      `Chromium not found at ${executablePath}: end-to-end tests need it. Install it with ` +
        "`apt-get install -y --no-install-recommends chromium fonts-liberation` " +
        "(or point CHROMIUM_PATH at a Chromium binary).",
    );
  }
  return await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** Options of `api()`: a bearer token or a session cookie (sent with this site's `Origin`). */
export interface ApiOptions {
  method?: string;
  json?: unknown;
  token?: string;
  cookie?: string;
}

/** Calls the server's HTTP API from Deno and returns the response (status checks are the caller's). */
export function api(server: ServerProcess, path: string, options: ApiOptions = {}) {
  const headers = new Headers();
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  if (options.cookie) {
    headers.set("cookie", options.cookie);
    headers.set("origin", server.origin);
  }
  if (options.json !== undefined) headers.set("content-type", "application/json");
  return fetch(`${server.origin}${path}`, {
    method: options.method ?? (options.json === undefined ? "GET" : "POST"),
    headers,
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
}

/** Signs in through `POST /api/auth/login`; returns the user id and the `ps_session=…` cookie pair. */
export async function signInViaApi(
  server: ServerProcess,
  username: string,
  password: string,
): Promise<{ userId: string; cookie: string; sessionSecret: string }> {
  const response = await api(server, "/api/auth/login", { json: { username, password } });
  if (response.status !== 200) {
    throw new Error(`Sign-in as ${username} failed: ${response.status} ${await response.text()}`);
  }
  const { userId } = await response.json();
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0]!;
  const sessionSecret = cookie.slice(cookie.indexOf("=") + 1);
  if (!cookie.startsWith("ps_session=") || sessionSecret === "") {
    throw new Error(`Sign-in as ${username} set no session cookie`);
  }
  return { userId, cookie, sessionSecret };
}

/** Registers a student through `POST /api/auth/register` and signs them in. */
export async function registerViaApi(
  server: ServerProcess,
  username: string,
  password: string,
): Promise<{ userId: string; cookie: string; sessionSecret: string }> {
  const response = await api(server, "/api/auth/register", { json: { username, password } });
  if (response.status !== 201) {
    throw new Error(`Register ${username} failed: ${response.status} ${await response.text()}`);
  }
  await response.body?.cancel();
  return await signInViaApi(server, username, password);
}

/** Signs the page's browser context in as `student` (their session cookie). */
export async function signInAs(
  page: Page,
  server: ServerProcess,
  student: { sessionSecret: string },
): Promise<void> {
  await page.context().addCookies([{
    name: "ps_session",
    value: student.sessionSecret,
    url: server.origin,
  }]);
}

/** A new API token of the student's own, with the scopes a script posting progress needs. */
export async function scriptToken(
  server: ServerProcess,
  student: { cookie: string },
): Promise<string> {
  const response = await api(server, "/api/tokens", {
    cookie: student.cookie,
    json: { name: "script", scopes: ["events:write", "progress:read"] },
  });
  if (response.status !== 201) {
    throw new Error(`Creating a token failed: ${response.status} ${await response.text()}`);
  }
  return (await response.json()).token;
}

/** Every page a signed-in student has, and a page that does not exist. */
export const STUDENT_PAGES = [
  "/dashboard",
  "/learn",
  "/achievements",
  "/insights",
  "/conflicts",
  "/tokens",
  "/nope",
];

/** A unique, valid username with a readable prefix. */
export function uniqueUsername(prefix = "e2e"): string {
  return `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Waits until the text of `[data-testid=<testId>]` matches `expected`, then returns it; on
 * timeout fails with the last text seen (clearer than a bare waitForFunction timeout).
 */
export async function waitForTestIdText(
  page: Page,
  testId: string,
  expected: string | RegExp,
  timeoutMs = 5_000,
): Promise<string> {
  const locator = page.getByTestId(testId).first();
  const deadline = Date.now() + timeoutMs;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await locator.textContent({ timeout: Math.max(1, deadline - Date.now()) })
      .catch(() => null);
    if (last !== null && (typeof expected === "string" ? last === expected : expected.test(last))) {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `[data-testid=${testId}] did not show ${String(expected)} within ${timeoutMs} ms; ` +
      `last text: ${JSON.stringify(last)}`,
  );
}

/** Saves a full-page screenshot to `$E2E_SCREENSHOT_DIR/<name>.png` when that variable is set; returns the path. */
export async function maybeScreenshot(page: Page, name: string): Promise<string | null> {
  const dir = Deno.env.get("E2E_SCREENSHOT_DIR");
  if (!dir) return null;
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}

/** Starts the server and Chromium, runs `fn` on a fresh page, and always closes both. */
export async function withDashboard(
  fn: (server: ServerProcess, page: Page, errors: string[]) => Promise<void>,
): Promise<void> {
  const server = await startServer();
  let browser: Browser | null = null;
  try {
    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: server.origin });
    const page = await context.newPage();
    const errors: string[] = [];
    // What happened to the live stream's requests, for a failure's message.
    const live: string[] = [];
    const at = () => `${Math.round(performance.now())} ms`;
    page.on("request", (r) => r.url().includes("/live") && live.push(`${at()} sent ${r.url()}`));
    page.on("response", (r) => r.url().includes("/live") && live.push(`${at()} ${r.status()}`));
    page.on("requestfailed", (r) => {
      if (r.url().includes("/live")) live.push(`${at()} failed ${r.failure()?.errorText}`);
    });
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    try {
      await fn(server, page, errors);
    } catch (error) {
      throw new Error(
        `${error instanceof Error ? error.message : error}\nPage errors:\n${
          errors.join("\n")
        }\nLive stream requests:\n${live.join("\n")}\nServer output:\n${server.output()}`,
        {
          cause: error,
        },
      );
    }
  } finally {
    // Close the browser first: its open EventSource would hold the server's graceful shutdown.
    await browser?.close();
    await server.stop();
  }
}

/** Marks the current document so a later check can tell that no reload or navigation happened. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as { __e2eDocument?: string }).__e2eDocument = "still here";
  });
}

/** Fails unless the document marked by `markDocument` is still the one shown. */
export async function assertSameDocument(page: Page): Promise<void> {
  const marker = await page.evaluate(() =>
    (globalThis as { __e2eDocument?: string }).__e2eDocument ?? null
  );
  assert.equal(marker, "still here", "the page updated in place, without a reload");
}

/** Waits until the page's live connection reports open. */
export async function waitForLive(page: Page): Promise<void> {
  await page.locator('[data-testid="live-status"][data-state="open"]').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId("live-status").textContent(), "Live");
}
