import { Hono } from "hono";
import type { AppEnv } from "../lib/http/app_env.ts";

const SCRIPT = new URL("../static/sw.js", import.meta.url);

/**
 * `/sw.js`: the service worker, served from the site root so its scope is the whole site, never
 * cached by HTTP (the browser checks it for updates on each visit).
 */
export const serviceWorkerRoutes = new Hono<AppEnv>().get("/", async (c) => {
  c.header("content-type", "text/javascript; charset=utf-8");
  c.header("cache-control", "no-cache");
  c.header("service-worker-allowed", "/");
  return c.body(await Deno.readTextFile(SCRIPT));
});
