import { Hono } from "hono";
import type { AppEnv } from "../lib/http/app_env.ts";

/** The HTML pages. */
export const pageRoutes = new Hono<AppEnv>();
