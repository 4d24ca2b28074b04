import { Hono } from "hono";
import { z } from "zod";
import { getUser, setUserTimeZone } from "../../lib/auth/account_store.ts";
import { isValidTimeZone } from "../../lib/core/calendar.ts";
import type { AppEnv } from "../../lib/http/app_env.ts";
import { requireScope } from "../../lib/http/auth_middleware.ts";
import { HttpError } from "../../lib/http/http_error.ts";
import { readJson } from "../../lib/http/read_json.ts";
import { parseOr400 } from "../../lib/http/validation.ts";

const profileSchema = z.object({
  timeZone: z.string().max(64).refine(
    isValidTimeZone,
    "Must be an IANA time zone, e.g. Europe/Berlin",
  ),
});

/** `/api/profile`: the caller's profile (its time zone decides which day an event counts for). */
export const profileRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const principal = requireScope(c, "progress:read");
    const user = principal.userId ? await getUser(c.get("deps").kv, principal.userId) : null;
    if (!user) throw new HttpError(404, "No student profile for this caller");
    return c.json({
      userId: user.userId,
      username: user.username,
      timeZone: user.timeZone ?? "UTC",
    });
  })
  .put("/", async (c) => {
    const principal = requireScope(c, "events:write");
    const input = parseOr400(profileSchema, await readJson(c), "profile");
    if (
      !principal.userId ||
      !await setUserTimeZone(c.get("deps").kv, principal.userId, input.timeZone)
    ) {
      throw new HttpError(404, "No student profile for this caller");
    }
    return c.json({ userId: principal.userId, timeZone: input.timeZone });
  });
