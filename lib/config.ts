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
  /** `PROCESSING`: in a Worker on its own connection to the KV file, or in the serving thread. */
  processing: "worker" | "inline";
}

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
    demo: ["1", "true", "on"].includes(env("DEMO")?.toLowerCase() ?? ""),
    publicUrl: publicOrigin(env("PUBLIC_URL")),
    secretsKey: env("SECRETS_KEY") ? parseSecretsKey(env("SECRETS_KEY")!) : null,
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

/** Warnings to log once at startup: no `ADMIN_TOKEN`; webhook secrets stored plain on Deno Deploy. */
export function startupWarnings(
  config: Pick<Config, "secretsKey" | "adminToken">,
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
