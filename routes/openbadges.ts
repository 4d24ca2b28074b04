import { type Context, Hono } from "hono";
import { readSharedAward } from "../lib/achievements/achievement_sharing.ts";
import { badgeSvg } from "../lib/achievements/badge_image.ts";
import { badgePng } from "../lib/achievements/badge_png.ts";
import { DEFAULT_ACHIEVEMENTS } from "../lib/core/achievement_definitions.ts";
import {
  badgeAssertion,
  badgeClass,
  hashIdentity,
  issuerProfile,
  recipientIri,
  revokedAssertion,
} from "../lib/achievements/open_badges.ts";
import { getUser } from "../lib/auth/account_store.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { HttpError } from "../lib/http/http_error.ts";
import { publicOrigin } from "../lib/http/public_origin.ts";

/**
 * Headers of every Open Badges document: anyone may fetch and embed them (verifiers and
 * displayers run on other origins), and nobody caches them, so a revocation shows at once.
 */
function openBadgesHeaders(c: Context<AppEnv>, contentType: string): void {
  c.header("content-type", contentType);
  c.header("access-control-allow-origin", "*");
  c.header("cross-origin-resource-policy", "cross-origin");
  c.header("cache-control", "no-cache");
}

function jsonLd(c: Context<AppEnv>, body: object, status: 200 | 410 = 200): Response {
  openBadgesHeaders(c, "application/ld+json; charset=utf-8");
  return c.body(JSON.stringify(body), status);
}

function definitionOf(achievementId: string) {
  const definition = DEFAULT_ACHIEVEMENTS.find((d) => d.id === achievementId);
  if (!definition) throw new HttpError(404, "No such badge");
  return definition;
}

/**
 * `/openbadges`: Open Badges 2.0 hosted verification documents — the issuer Profile, a
 * BadgeClass and SVG image per achievement, and the Assertion of each shared achievement
 * (410 Gone with `revoked: true` once its student made it private again).
 */
export const openBadgesRoutes = new Hono<AppEnv>()
  .get("/issuer", (c) => jsonLd(c, issuerProfile(publicOrigin(c))))
  .get(
    "/badges/:achievementId",
    (c) => jsonLd(c, badgeClass(publicOrigin(c), definitionOf(c.req.param("achievementId")))),
  )
  .get("/badges/:achievementId/image.svg", (c) => {
    const svg = badgeSvg(definitionOf(c.req.param("achievementId")));
    openBadgesHeaders(c, "image/svg+xml; charset=utf-8");
    c.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'");
    return c.body(svg);
  })
  .get("/badges/:achievementId/image.png", async (c) => {
    const png = await badgePng(definitionOf(c.req.param("achievementId")));
    openBadgesHeaders(c, "image/png");
    return c.body(png.slice().buffer);
  })
  .get("/assertions/:shareId", async (c) => {
    const { kv } = c.get("deps");
    const origin = publicOrigin(c);
    const shared = await readSharedAward(kv, c.req.param("shareId"));
    if (!shared) throw new HttpError(404, "No such assertion");
    if (shared.status === "revoked") {
      return jsonLd(c, revokedAssertion(origin, shared.share.shareId), 410);
    }
    const user = await getUser(kv, shared.share.userId);
    if (!user) throw new HttpError(404, "No such assertion");
    const recipientHash = await hashIdentity(
      recipientIri(user.username, origin),
      shared.share.salt,
    );
    return jsonLd(c, badgeAssertion(origin, { ...shared, recipientHash }));
  });
