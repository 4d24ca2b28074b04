/**
 * Preloaded before main.ts by `server_lifecycle_test.ts` (`deno run --preload`): prints a line
 * when a cron is registered and when the server starts, so the test sees their order.
 */
const cron = Deno.cron;
const serve = Deno.serve;
Object.defineProperty(Deno, "cron", {
  value: (...args: Parameters<typeof Deno.cron>) => {
    console.log(`startup-order: cron ${args[0]}`);
    return cron(...args);
  },
});
Object.defineProperty(Deno, "serve", {
  value: (...args: unknown[]) => {
    console.log("startup-order: serve");
    return (serve as (...a: unknown[]) => Deno.HttpServer)(...args);
  },
});
