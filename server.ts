import { createApp } from "./routes/mod.ts";
import { createEventAppender } from "./lib/events/event_appender.ts";
import type { Config } from "./lib/config.ts";
import type { Processor } from "./lib/processing/processor.ts";
import { createServiceProcessor } from "./lib/processing/service_processor.ts";
import { createDeliveryWorker, type DeliveryWorker } from "./lib/webhooks/delivery_worker.ts";
import { createSecretBox } from "./lib/webhooks/secret_box.ts";
import { createUrlPolicy } from "./lib/webhooks/url_policy.ts";
import { createWorkerProcessor } from "./lib/processing/worker_processor.ts";

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
