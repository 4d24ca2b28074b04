import { createApiToken, createUser } from "../../lib/auth/account_store.ts";
import type { Scope } from "../../lib/auth/principal.ts";
import { createApp } from "../../routes/mod.ts";
import { createEventAppender } from "../../lib/events/event_appender.ts";
import type { Processor } from "../../lib/processing/processor.ts";
import { createServiceProcessor } from "../../lib/processing/service_processor.ts";
import {
  createDeliveryWorker,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
} from "../../lib/webhooks/delivery_worker.ts";
import { createSecretBox, type SecretBox } from "../../lib/webhooks/secret_box.ts";
import { createUrlPolicy } from "../../lib/webhooks/url_policy.ts";

/** An in-process app on a fresh `:memory:` KV, for API tests. */
export interface TestApp {
  kv: Deno.Kv;
  processor: Processor;
  /** The webhook delivery worker (no timers: tests drive retries with `runDue` and their clock). */
  deliveries: DeliveryWorker;
  /** Seals and opens stored webhook secrets (with the `secretsKey` option: encrypting). */
  secretBox: SecretBox;
  /** Sends a request to the app in-process. */
  request(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /** Creates a student (without the slow password hash) and a token with `scopes`. */
  student(name?: string, scopes?: Scope[]): Promise<{ userId: string; token: string }>;
  /** Creates an admin-owned token with `scopes`. */
  adminOwnedToken(scopes: Scope[]): Promise<string>;
}

/** The admin bearer token test apps are configured with. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";

/** Runs `fn` against a fresh in-process app and closes everything afterwards. */
export async function withTestApp(
  fn: (app: TestApp) => Promise<void>,
  options: {
    queuesEnabled?: boolean;
    deliveries?: DeliveryWorkerOptions;
    /** `PUBLIC_URL` of the app (default: none, so links use the request's origin). */
    publicUrl?: string;
    /** `SECRETS_KEY` of the app (default: none, so webhook secrets are stored plain). */
    secretsKey?: Uint8Array;
    /** `WEBHOOK_ALLOW_PRIVATE` (default on: tests deliver to local receivers). */
    webhookAllowPrivate?: boolean;
    /** `TRUST_PROXY` (default off). */
    trustProxy?: boolean;
  } = {},
): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const queuesEnabled = options.queuesEnabled ?? false;
  const secretBox = createSecretBox(options.secretsKey ?? null);
  const webhookUrls = createUrlPolicy({ allowPrivate: options.webhookAllowPrivate ?? true });
  const deliveries = createDeliveryWorker(kv, {
    autoSchedule: false,
    secretBox,
    urlPolicy: webhookUrls,
    ...options.deliveries,
  });
  const processor = createServiceProcessor(kv, { queuesEnabled }, { deliveries });
  const app = createApp({
    kv,
    processor,
    appender: createEventAppender(kv),
    deliveries,
    adminToken: TEST_ADMIN_TOKEN,
    secretBox,
    publicUrl: options.publicUrl ?? null,
    webhookUrls,
    trustProxy: options.trustProxy ?? false,
  });
  let counter = 0;
  const testApp: TestApp = {
    kv,
    processor,
    deliveries,
    secretBox,
    request(path, init = {}) {
      const { token, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set("authorization", `Bearer ${token}`);
      if (json !== undefined) headers.set("content-type", "application/json");
      return Promise.resolve(app.request(`http://localhost${path}`, {
        ...rest,
        headers,
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      }));
    },
    async student(name, scopes = ["events:write", "progress:read"]) {
      const user = await createUser(kv, {
        username: name ?? `student${++counter}`,
        passwordHash: "unusable",
      });
      if (!user) throw new Error("Username taken");
      const { secret } = await createApiToken(kv, {
        ownerId: user.userId,
        userId: user.userId,
        name: "test",
        scopes,
      });
      return { userId: user.userId, token: secret };
    },
    async adminOwnedToken(scopes) {
      const { secret } = await createApiToken(kv, {
        ownerId: "admin",
        userId: null,
        name: "test",
        scopes,
      });
      return secret;
    },
  };
  try {
    await fn(testApp);
  } finally {
    await processor.idle();
    await deliveries.close();
    kv.close();
  }
}
