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
}

/** Reads the config from environment variables, with the documented defaults. */
export function readConfig(env: (name: string) => string | undefined): Config {
  const onDeploy = env("DENO_DEPLOYMENT_ID") !== undefined;
  const queues = env("KV_QUEUES")?.toLowerCase();
  return {
    port: Number(env("PORT") ?? 8000),
    kvPath: env("KV_PATH") || (onDeploy ? null : "./data/progress.sqlite"),
    adminToken: env("ADMIN_TOKEN") || null,
    queuesEnabled: queues === undefined ? !onDeploy : !["off", "false", "0"].includes(queues),
    demo: ["1", "true", "on"].includes(env("DEMO")?.toLowerCase() ?? ""),
  };
}
