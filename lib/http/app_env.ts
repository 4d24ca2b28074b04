import type { Principal } from "../auth/principal.ts";
import type { EventAppender } from "../events/event_appender.ts";
import type { LiveStreamCounter } from "../live/stream_limits.ts";
import type { RejectionCounter } from "../health/rejection_counter.ts";
import type { Processor } from "../processing/processor.ts";
import type { DeliveryWorker } from "../webhooks/delivery_worker.ts";
import type { UrlPolicy } from "../webhooks/url_policy.ts";
import type { SecretBox } from "../webhooks/secret_box.ts";

/** What every route needs, passed in by `createApp` (no module opens KV itself). */
export interface AppDeps {
  kv: Deno.Kv;
  processor: Processor;
  appender: EventAppender;
  adminToken: string | null;
  /** Seals and opens stored webhook secrets (`SECRETS_KEY`; the plain box when unset). */
  secretBox: SecretBox;
  /** Sends webhook deliveries; routes wake it after queueing some (absent: deliveries wait for the next run). */
  deliveries?: DeliveryWorker;
  /** Counts refused inbound webhooks with rate-limited writes (`createApp` makes one when absent). */
  inboundRejections: RejectionCounter;
  /** Each student's open live streams, for the per-student cap (`createApp` makes one when absent). */
  liveStreams: LiveStreamCounter;
  /** A line shown on the sign-in page (e.g. the demo student's credentials). */
  signInHint?: string | null;
  /** Configured public origin for absolute links (`PUBLIC_URL`); absent: the request's own origin. */
  publicUrl?: string | null;
  /** `TRUST_PROXY`: take the client address, scheme and host from `X-Forwarded-*` headers. */
  trustProxy?: boolean;
  /** `WEBHOOK_ALLOW_PRIVATE`: webhook endpoints may point at loopback and private addresses. */
  webhookAllowPrivate?: boolean;
  /** Checks webhook endpoint URLs (`createApp` makes it from `webhookAllowPrivate`). */
  webhookUrls: UrlPolicy;
  /** Aborts when the server shuts down: live streams tell clients to reconnect and end. */
  shutdown?: AbortSignal;
}

/** The deps `createApp` is given: the in-process counters are made when absent. */
export type AppDepsInput =
  & Omit<AppDeps, "inboundRejections" | "liveStreams" | "webhookUrls">
  & Partial<Pick<AppDeps, "inboundRejections" | "liveStreams" | "webhookUrls">>;

/** Hono environment: the deps and the authenticated caller. */
export interface AppEnv {
  Variables: {
    deps: AppDeps;
    principal: Principal | null;
  };
}
