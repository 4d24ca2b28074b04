import { createApp } from "./app.ts";
import { createEventAppender } from "./events/event_appender.ts";
import type { Config } from "./config.ts";
import { createProcessor, processMessage, type Processor } from "./processing/processor.ts";
import { recordAudit } from "./audit/audit_log.ts";
import { createDeliveryWorker, type DeliveryWorker } from "./webhooks/delivery_worker.ts";
import { createSecretBox } from "./webhooks/secret_box.ts";
import { createUrlPolicy } from "./webhooks/url_policy.ts";
import { withLockRetry } from "./kv_commit.ts";
import { createWorkerProcessor } from "./processing/worker_processor.ts";

/** How often the local sweeper looks for stranded outbox entries. */
export const SWEEP_INTERVAL_MS = 5000;

/** A running service: its server, KV and processor, and how to stop it. */
export interface RunningService {
  server: Deno.HttpServer<Deno.NetAddr>;
  kv: Deno.Kv;
  processor: Processor;
  /** Sends webhook deliveries. */
  deliveries: DeliveryWorker;
  /** Where processing runs once started (the Worker loads in the background; until then: inline). */
  processing: Promise<"worker" | "inline">;
  /** Stops serving (live streams told to reconnect), lets in-flight work finish, closes KV. */
  close(): Promise<void>;
}

/** How long `close()` lets open requests finish (live streams end at once) before it moves on. */
export const SHUTDOWN_GRACE_MS = 2000;
/** The process exits this long after SIGINT/SIGTERM at the latest (Deno Deploy kills after 5 s). */
export const SHUTDOWN_DEADLINE_MS = 3500;

/** Delays of the KV queue's retries of failed processing. */
export const RETRY_BACKOFF_MS = [1000, 5000, 15000, 60000];

/**
 * The processor as the service runs it: failures are logged and, where KV queues exist, handed
 * to the queue for durable retries with backoff (the sweeper retries everywhere else).
 */
export function createServiceProcessor(
  kv: Deno.Kv,
  config: Pick<Config, "queuesEnabled">,
  options: { deliveries?: Pick<DeliveryWorker, "wake"> } = {},
): Processor {
  return createProcessor(kv, {
    onError: (userIds, error) => reportProcessingFailure(kv, userIds, error),
    ...(options.deliveries ? { onDeliveriesQueued: () => options.deliveries!.wake() } : {}),
    ...(config.queuesEnabled
      ? {
        retry: async (userIds: readonly string[]) => {
          await kv.enqueue(processMessage(userIds), {
            delay: RETRY_BACKOFF_MS[0],
            backoffSchedule: RETRY_BACKOFF_MS,
          });
        },
      }
      : {}),
  });
}

/** Logs a failed processing run and records it in the audit log (it will be retried). */
export function reportProcessingFailure(
  kv: Deno.Kv,
  userIds: readonly string[],
  error: unknown,
): void {
  console.error(`Processing for ${userIds.join(", ")} failed; will retry:`, error);
  recordAudit(kv, {
    actor: "system",
    action: "sync.processing_failed",
    details: {
      users: userIds.slice(0, 20),
      error: error instanceof Error ? error.message : String(error),
    },
  }).catch(() => {});
}

/**
 * Opens KV at `kvPath` (creating its directory), `:memory:`, or the platform default when null;
 * every write through it retries `database is locked` (`withLockRetry`).
 */
export async function openKv(kvPath: string | null): Promise<Deno.Kv> {
  if (kvPath === null) return withLockRetry(await Deno.openKv());
  if (kvPath !== ":memory:") {
    const dir = kvPath.replace(/[^/]*$/, "");
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  return withLockRetry(await Deno.openKv(kvPath));
}

/**
 * Starts the service on an open KV: the processor (in a Worker on its own connection to the KV
 * file when `config.processing` is `worker`, else in this thread) with its triggers (right after
 * each commit, `kv.listenQueue` when queues are enabled, a sweeper timer) and the HTTP server.
 */
export function startService(
  kv: Deno.Kv,
  config:
    & Pick<
      Config,
      | "port"
      | "adminToken"
      | "queuesEnabled"
      | "publicUrl"
      | "secretsKey"
      | "trustProxy"
      | "webhookAllowPrivate"
    >
    & Partial<Pick<Config, "kvPath" | "processing">>,
  options: {
    hostname?: string;
    onListen?: (addr: Deno.NetAddr) => void;
    signInHint?: string | null;
  } = {},
): RunningService {
  const secretBox = createSecretBox(config.secretsKey);
  const webhookUrls = createUrlPolicy({ allowPrivate: config.webhookAllowPrivate });
  const deliveries = createDeliveryWorker(kv, { secretBox, urlPolicy: webhookUrls });
  const inline = createServiceProcessor(kv, config, { deliveries });
  const worker = config.processing === "worker" && config.kvPath
    ? createWorkerProcessor(config.kvPath, {
      fallback: inline,
      queuesEnabled: config.queuesEnabled,
      onDeliveriesQueued: () => deliveries.wake(),
    })
    : null;
  const processor = worker ?? inline;
  if (config.queuesEnabled) kv.listenQueue((message) => processor.handleMessage(message));
  const sweeper = setInterval(() => {
    processor.sweep().catch((error) => console.error("Outbox sweep failed:", error));
    deliveries.wake();
  }, SWEEP_INTERVAL_MS);
  deliveries.wake();
  const shutdown = new AbortController();
  const app = createApp({
    kv,
    processor,
    appender: createEventAppender(kv),
    deliveries,
    adminToken: config.adminToken,
    secretBox,
    signInHint: options.signInHint ?? null,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy,
    webhookUrls,
    shutdown: shutdown.signal,
  });
  const server = Deno.serve({
    port: config.port,
    hostname: options.hostname ?? "0.0.0.0",
    onListen: options.onListen ?? (() => {}),
  }, app.fetch);
  return {
    server,
    kv,
    processor,
    deliveries,
    processing: worker?.started ?? Promise.resolve("inline"),
    async close() {
      clearInterval(sweeper);
      // Live streams send `retry:` and end; requests in flight (and their commits) finish.
      shutdown.abort();
      let grace: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        server.shutdown(),
        new Promise((resolve) => grace = setTimeout(resolve, SHUTDOWN_GRACE_MS)),
      ]);
      clearTimeout(grace);
      await processor.idle();
      worker?.close();
      await deliveries.close();
      kv.close();
    },
  };
}
