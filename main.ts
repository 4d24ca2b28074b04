import { ensureIslandsBuilt } from "./lib/islands/build.ts";
import { readConfig, startupWarnings } from "./lib/config.ts";
import { DEMO_USER } from "./lib/demo/demo_catalog.ts";
import { seedDemo } from "./lib/demo/seed_demo.ts";
import { openKv, startService } from "./lib/server.ts";

const config = readConfig((name) => Deno.env.get(name));
for (const warning of startupWarnings(config, (name) => Deno.env.get(name))) {
  console.warn(`Warning: ${warning}`);
}
const kv = await openKv(config.kvPath);
await ensureIslandsBuilt();
const service = startService(kv, config, {
  signInHint: config.demo
    ? `Demo: sign in as "${DEMO_USER.username}" with password "${DEMO_USER.password}".`
    : null,
  onListen: ({ port }) => console.log(`Progress Sync listening on http://localhost:${port}/`),
});

// On Deno Deploy there are no KV queues: this cron is the crash-recovery trigger there.
Deno.cron("sweep the outbox", "* * * * *", async () => {
  await service.processor.sweep();
  service.deliveries.wake();
  await service.deliveries.idle();
});

if (config.demo) {
  const demo = await seedDemo(kv, service.processor);
  console.log(
    `Demo data ready. Sign in at http://localhost:${config.port}/signin as "${demo.username}" / "${demo.password}"`,
  );
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await service.close();
    Deno.exit(0);
  });
}
