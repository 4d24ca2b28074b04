import { Hono } from "hono";
import { setAwardPublic } from "../lib/achievements/achievement_sharing.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { HttpError } from "../lib/http/http_error.ts";
import { pageUser } from "./_page_session.ts";

/**
 * `POST /achievements/:achievementId/sharing` (form `public=true|false`): the achievements page's
 * "Make public" / "Make private"; back to the page, at the achievement. Session cookie writes are
 * same-origin only (checked by `authenticate`).
 */
export const achievementSharingRoutes = new Hono<AppEnv>().post(
  "/:achievementId/sharing",
  async (c) => {
    const user = pageUser(c);
    if (!user) return c.redirect("/signin?next=%2Fachievements", 303);
    const form = await c.req.parseBody();
    if (form.public !== "true" && form.public !== "false") {
      throw new HttpError(400, "Sharing needs public=true or public=false");
    }
    const achievementId = c.req.param("achievementId");
    const result = await setAwardPublic(c.get("deps").kv, {
      userId: user.userId,
      achievementId,
      isPublic: form.public === "true",
    });
    if (!result) throw new HttpError(404, "Achievement not earned");
    return c.redirect(`/achievements#achievement-${encodeURIComponent(achievementId)}`, 303);
  },
);
