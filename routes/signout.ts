import { Hono } from "hono";
import type { AppEnv } from "../lib/http/app_env.ts";
import { endSession } from "./api/auth.ts";

/** `/signout`: ends the session (form post) and returns to the welcome page. */
export const signOutRoutes = new Hono<AppEnv>().post("/", async (c) => {
  await endSession(c);
  return c.redirect("/", 303);
});
