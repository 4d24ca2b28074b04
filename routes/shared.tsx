import { Hono } from "hono";
import { BADGE_PNG_SIZE } from "../lib/achievements/badge_png.ts";
import { Layout, renderPage } from "../components/layout.tsx";
import CopyLink from "../islands/copy_link.tsx";
import { Island } from "../components/island.tsx";
import { readSharedAward } from "../lib/achievements/achievement_sharing.ts";
import { DEFAULT_ACHIEVEMENTS } from "../lib/core/achievement_definitions.ts";
import { criteriaNarrative, ISSUER_NAME, shareUrls } from "../lib/achievements/open_badges.ts";
import { getUser } from "../lib/auth/account_store.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { HttpError } from "../lib/http/http_error.ts";
import { pageUser } from "./_page_session.ts";
import { publicOrigin } from "../lib/http/public_origin.ts";

const EARNED_DATE = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

/**
 * `/shared/:shareId`: the public page of an achievement its student shared — title, description,
 * what earns it, who earned it and when, the badge, a copy-link button and Open Graph tags. No
 * sign-in needed; an unknown, private or revoked share is the same 404, and nothing else about the
 * student (their other achievements, progress, time zone, ids) is shown.
 */
export const sharedAchievementPage = new Hono<AppEnv>().get("/:shareId", async (c) => {
  const { kv } = c.get("deps");
  const shared = await readSharedAward(kv, c.req.param("shareId"));
  const user = shared?.status === "shared" ? await getUser(kv, shared.share.userId) : null;
  if (shared?.status !== "shared" || !user) {
    throw new HttpError(404, "This achievement is not shared, or its student made it private.");
  }
  const { share, award } = shared;
  const urls = shareUrls(publicOrigin(c));
  const pageUrl = urls.sharedPage(share.shareId);
  const imageUrl = urls.badgeImage(share.achievementId);
  const definition = DEFAULT_ACHIEVEMENTS.find((d) => d.id === share.achievementId);
  const headline = `${user.username} earned “${award.title}”`;
  const earnedOn = EARNED_DATE.format(new Date(award.earnedAt));
  const summary = `${award.description} Earned on ${earnedOn} and shared from ${ISSUER_NAME}.`;
  c.header("x-robots-tag", "noindex");
  return c.html(renderPage(
    <Layout
      title={headline}
      user={pageUser(c)}
      description={summary}
      head={
        <>
          <meta name="robots" content="noindex" />
          <link rel="canonical" href={pageUrl} />
          <link rel="alternate" type="application/ld+json" href={urls.assertion(share.shareId)} />
          <meta property="og:type" content="website" />
          <meta property="og:site_name" content={ISSUER_NAME} />
          <meta property="og:title" content={headline} />
          <meta property="og:description" content={summary} />
          <meta property="og:url" content={pageUrl} />
          <meta property="og:image" content={urls.badgePreview(share.achievementId)} />
          <meta property="og:image:type" content="image/png" />
          <meta property="og:image:width" content={String(BADGE_PNG_SIZE)} />
          <meta property="og:image:height" content={String(BADGE_PNG_SIZE)} />
          <meta property="og:image:alt" content={`The “${award.title}” badge`} />
          <meta name="twitter:card" content="summary" />
        </>
      }
    >
      <article class="card shared-achievement" data-testid="shared-achievement">
        <img
          class="shared-achievement-badge"
          src={imageUrl}
          width={192}
          height={192}
          alt={`The “${award.title}” badge`}
        />
        <div class="stack">
          <p class="muted small">Achievement · {ISSUER_NAME}</p>
          <h1 data-testid="shared-title">{award.title}</h1>
          <p class="shared-achievement-description">{award.description}</p>
          <p data-testid="shared-earned-by">
            Earned by <strong>{user.username}</strong> on{" "}
            <time dateTime={award.earnedAt}>{earnedOn}</time>
          </p>
          {definition && (
            <p class="muted small">How it is earned: {criteriaNarrative(definition)}</p>
          )}
          <Island
            name="copy_link"
            component={CopyLink}
            props={{ url: pageUrl, label: "Link to this achievement" }}
          />
          <p class="small muted">
            An{" "}
            <a href={urls.assertion(share.shareId)} data-testid="assertion-link">
              Open Badges 2.0 assertion
            </a>{" "}
            backs this page: badge services can verify it at that address.
          </p>
        </div>
      </article>
      {pageUser(c) === null && (
        <p class="shared-achievement-cta">
          Keep all your learning in one place: <a href="/signup">try {ISSUER_NAME}</a>.
        </p>
      )}
    </Layout>,
  ));
});
