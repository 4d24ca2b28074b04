import { islandsAtStartup } from "./lib/islands/build.ts";
import { onDeployOf, readConfig, startupWarnings } from "./lib/config.ts";
import { DEMO_USER } from "./lib/demo/demo_catalog.ts";
import { seedDemo } from "./lib/demo/seed_demo.ts";
import { openKv } from "./lib/kv_open.ts";
import { type RunningService, SHUTDOWN_DEADLINE_MS, startService } from "./server.ts";

const env = (name: string) => Deno.env.get(name);
const config = readConfig(env);
for (const warning of startupWarnings(config, env)) {
  console.warn(`Warning: ${warning}`);
}

// Deno Deploy accepts crons only before the server starts, so this one is registered first and
// sweeps once the service runs. There are no KV queues on Deploy: it is the crash-recovery trigger.
let service: RunningService | null = null;
Deno.cron("sweep the outbox", "* * * * *", async () => {
  if (!service) return;
  await service.processor.sweep();
  service.deliveries.wake();
  await service.deliveries.idle();
});

const kv = await openKv(config.kvPath);
await islandsAtStartup({ onDeploy: onDeployOf(env) });
const running = startService(kv, config, {
  signInHint: config.demo
    ? `Demo: sign in as "${DEMO_USER.username}" with password "${DEMO_USER.password}".`
    : null,
  onListen: ({ port }) => console.log(`Progress Sync listening on http://localhost:${port}/`),
});
service = running;
running.processing.then((where) =>
  console.log(
    where === "worker"
      ? "Processing in a Worker on its own KV connection (PROCESSING=inline to turn it off)"
      : "Processing in the serving thread",
  )
);

// SIGINT/SIGTERM (Deno Deploy: SIGINT, SIGKILL 5 s later): live streams are told to reconnect,
// work in flight finishes, and the process exits within SHUTDOWN_DEADLINE_MS whatever hangs.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => Deno.exit(0), SHUTDOWN_DEADLINE_MS);
    running.close().catch((error) => console.error("Shutdown failed:", error)).finally(() =>
      Deno.exit(0)
    );
  });
}

if (config.demo) {
  const demo = await seedDemo(kv, running.processor);
  console.log(
    `Demo data ready. Sign in at http://localhost:${config.port}/signin as "${demo.username}" / "${demo.password}"`,
  );
}
