import type { Principal } from "../auth/principal.ts";
import type { EventAppender } from "../events/event_appender.ts";
import type { Processor } from "../processing/processor.ts";
import type { DeliveryWorker } from "../webhooks/delivery_worker.ts";
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
  /** A line shown on the sign-in page (e.g. the demo student's credentials). */
  signInHint?: string | null;
  /** Configured public origin for absolute links (`PUBLIC_URL`); absent: the request's own origin. */
  publicUrl?: string | null;
  /** Aborts when the server shuts down: live streams tell clients to reconnect and end. */
  shutdown?: AbortSignal;
}

/** Hono environment: the deps and the authenticated caller. */
export interface AppEnv {
  Variables: {
    deps: AppDeps;
    principal: Principal | null;
  };
}
