import { parseSecretsKey } from "./webhooks/secret_box.ts";

/** Settings read from the environment. */
export interface Config {
  port: number;
  /** KV file path, `:memory:`, or null for the platform's default database (Deno Deploy). */
  kvPath: string | null;
  adminToken: string | null;
  /** Whether to use `kv.listenQueue` (off on Deno Deploy, where queues never deliver). */
  queuesEnabled: boolean;
  /** Load the demo catalog and student on start. */
  demo: boolean;
  /** Origin that absolute links (shared pages, Open Badges) are built on; null: the request's own. */
  publicUrl: string | null;
  /** `SECRETS_KEY`: encrypts stored webhook secrets (32 bytes); null stores them plain. */
  secretsKey: Uint8Array | null;
  /** `TRUST_PROXY=1`: trust `X-Forwarded-For`/`-Proto`/`-Host` (only behind a proxy that sets them). */
  trustProxy: boolean;
  /** `WEBHOOK_ALLOW_PRIVATE=1`: allow webhook endpoints on loopback and private addresses (development). */
  webhookAllowPrivate: boolean;
  /** `PROCESSING`: in a Worker on its own connection to the KV file, or in the serving thread. */
  processing: "worker" | "inline";
}

const isOn = (value: string | undefined) =>
  ["1", "true", "on"].includes(value?.toLowerCase() ?? "");

/** True on Deno Deploy. */
export function onDeployOf(env: (name: string) => string | undefined): boolean {
  return env("DENO_DEPLOYMENT_ID") !== undefined;
}

/** Reads the config from environment variables, with the documented defaults. */
export function readConfig(env: (name: string) => string | undefined): Config {
  const onDeploy = onDeployOf(env);
  const queues = env("KV_QUEUES")?.toLowerCase();
  if (onDeploy && env("KV_PATH")) {
    throw new Error(
      "KV_PATH is set, but on Deno Deploy it would give each instance a store of its own that " +
        "no other instance sees: unset KV_PATH and attach a KV database to the app instead",
    );
  }
  const kvPath = env("KV_PATH") || (onDeploy ? null : "./data/progress.sqlite");
  return {
    port: Number(env("PORT") ?? 8000),
    kvPath,
    adminToken: env("ADMIN_TOKEN") || null,
    queuesEnabled: queues === undefined ? !onDeploy : !["off", "false", "0"].includes(queues),
    demo: isOn(env("DEMO")),
    publicUrl: requiredOnDeploy(publicOrigin(env("PUBLIC_URL")), onDeploy),
    secretsKey: env("SECRETS_KEY") ? parseSecretsKey(env("SECRETS_KEY")!) : null,
    trustProxy: isOn(env("TRUST_PROXY")),
    webhookAllowPrivate: isOn(env("WEBHOOK_ALLOW_PRIVATE")),
    processing: processingMode(env("PROCESSING"), kvPath),
  };
}

/**
 * `PROCESSING` (`worker` or `inline`): a Worker needs a KV file it can open too, so `:memory:`
 * and the platform's database (Deno Deploy, where isolates share the load) always process inline.
 */
function processingMode(value: string | undefined, kvPath: string | null): Config["processing"] {
  const mode = value?.toLowerCase() || "worker";
  if (mode !== "worker" && mode !== "inline") {
    throw new Error(`PROCESSING must be "worker" or "inline", not "${value}"`);
  }
  return kvPath === null || kvPath === ":memory:" ? "inline" : mode;
}

/**
 * Warnings to log once at startup: no `ADMIN_TOKEN`; webhook secrets stored plain on Deno Deploy;
 * no `PUBLIC_URL` (links and cookies then follow the request); private webhook addresses allowed.
 */
export function startupWarnings(
  config: Pick<Config, "secretsKey" | "adminToken" | "publicUrl" | "webhookAllowPrivate">,
  env: (name: string) => string | undefined,
): string[] {
  const warnings: string[] = [];
  if (config.adminToken === null) {
    warnings.push(
      "ADMIN_TOKEN is not set: the health report, repair, webhooks and the admin console " +
        "cannot be reached (set it to a long random secret)",
    );
  }
  if (onDeployOf(env) && config.secretsKey === null) {
    warnings.push(
      "SECRETS_KEY is not set: webhook signing secrets are stored in KV unencrypted " +
        "(set it to the base64 of 32 random bytes to encrypt them)",
    );
  }
  if (config.publicUrl === null) {
    warnings.push(
      "PUBLIC_URL is not set: absolute links use the request's Host and cookies are Secure only " +
        "on https requests (set it to the public https origin)",
    );
  }
  if (config.webhookAllowPrivate) {
    warnings.push(
      "WEBHOOK_ALLOW_PRIVATE is on: webhook endpoints may point at loopback and private addresses",
    );
  }
  return warnings;
}

/** `PUBLIC_URL` as an origin (`https://host[:port]`); throws on anything but an http(s) URL. */
function publicOrigin(value: string | undefined): string | null {
  if (!value) return null;
  const url = URL.parse(value);
  if (!url || !["http:", "https:"].includes(url.protocol) || url.pathname.length > 1) {
    throw new Error(
      `PUBLIC_URL must be an http(s) origin like https://progress.example.org, not "${value}"`,
    );
  }
  return url.origin;
}

/** `PUBLIC_URL` is required on Deno Deploy (there the Host header must never make links or cookies). */
function requiredOnDeploy(publicUrl: string | null, onDeploy: boolean): string | null {
  if (publicUrl === null && onDeploy) {
    throw new Error("PUBLIC_URL must be set on Deno Deploy (e.g. https://progress.example.org)");
  }
  return publicUrl;
}
