import { Hono } from "hono";
import { AchievementShare } from "../components/achievement_share.tsx";
import { AchievementIcon } from "../components/achievement_icon.tsx";
import { Island } from "../components/island.tsx";
import { Layout, renderPage } from "../components/layout.tsx";
import LiveParts from "../islands/live_parts.tsx";
import { factsOf, getFacts, listAwards } from "../lib/achievements/achievement_store.ts";
import { listShareIds } from "../lib/achievements/achievement_sharing.ts";
import { shareUrls } from "../lib/achievements/open_badges.ts";
import { dayOf } from "../lib/core/calendar.ts";
import { DEFAULT_ACHIEVEMENTS } from "../lib/core/achievement_definitions.ts";
import { streakReportOf } from "../lib/core/streaks.ts";
import { StreakPanel } from "../components/streak_panel.tsx";
import { type AchievementStatus, achievementStatuses } from "../lib/core/achievement_progress.ts";
import { getUser } from "../lib/auth/account_store.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { pageUserWithNav, redirectToSignIn } from "./_page_session.ts";
import { publicOrigin } from "../lib/http/public_origin.ts";

function AchievementCard(props: { status: AchievementStatus; shareUrl?: string | null }) {
  const { definition, earned, progress } = props.status;
  const percent = Math.round((progress.current / progress.target) * 100);
  return (
    <li
      id={`achievement-${definition.id}`}
      class={`card achievement${earned ? " achievement-earned" : " achievement-locked"}`}
      data-achievement-id={definition.id}
      data-earned={earned ? "true" : "false"}
    >
      <div class="achievement-icon" aria-hidden="true">
        <AchievementIcon type={definition.type} />
      </div>
      <div class="stack">
        <h3 class="card-title">{definition.title}</h3>
        <p class="muted">{definition.description}</p>
        {earned
          ? (
            <>
              <p class="small">
                Earned <time dateTime={earned.earnedAt}>{earned.earnedAt.slice(0, 10)}</time>
                {earned.public ? " · public" : ""}
              </p>
              <AchievementShare
                achievementId={definition.id}
                title={definition.title}
                shareUrl={props.shareUrl ?? null}
              />
            </>
          )
          : (
            <>
              <div
                class="progress-bar"
                role="progressbar"
                aria-label={`${definition.title}: ${progress.current} of ${progress.target}`}
                aria-valuemin={0}
                aria-valuemax={progress.target}
                aria-valuenow={progress.current}
              >
                <span style={`width:${percent}%`} />
              </div>
              <p class="small muted">{progress.current} of {progress.target}</p>
            </>
          )}
      </div>
    </li>
  );
}

/** `/achievements`: earned achievements, and locked ones with their criteria and how close the student is. */
export const achievementsPage = new Hono<AppEnv>().get("/", async (c) => {
  const user = await pageUserWithNav(c);
  if (!user) return redirectToSignIn(c);
  const { kv } = c.get("deps");
  const [awards, facts, account, shareIds] = await Promise.all([
    listAwards(kv, user.userId),
    getFacts(kv, user.userId),
    getUser(kv, user.userId),
    listShareIds(kv, user.userId),
  ]);
  const urls = shareUrls(publicOrigin(c));
  const shareUrlOf = (id: string) => {
    const shareId = shareIds.get(id);
    return shareId ? urls.sharedPage(shareId) : null;
  };
  const today = dayOf(new Date().toISOString(), account?.timeZone ?? "UTC");
  const statuses = achievementStatuses(DEFAULT_ACHIEVEMENTS, factsOf(facts), awards, today);
  const streaks = streakReportOf(factsOf(facts), today);
  const earned = statuses.filter((s) => s.earned);
  const locked = statuses.filter((s) => !s.earned);
  return c.html(renderPage(
    <Layout title="Achievements" user={user} path="/achievements">
      <div class="page-header">
        <div>
          <h1>Achievements</h1>
          <p data-live-part="achievements-summary" data-testid="achievements-summary">
            {earned.length} of {statuses.length} earned · days count in {account?.timeZone ?? "UTC"}
          </p>
        </div>
        <Island name="live_parts" component={LiveParts} props={{ liveCursor: user.liveCursor }} />
      </div>
      <div class="sections">
        <div data-live-part="streaks">
          <StreakPanel report={streaks} />
        </div>
        <section aria-labelledby="earned-heading" class="stack" data-live-part="earned">
          <h2 id="earned-heading">Earned</h2>
          {earned.length === 0
            ? <p class="empty">None yet: complete your first activity to earn one.</p>
            : (
              <ul class="grid achievement-grid" data-testid="earned-achievements">
                {earned.map((s) => (
                  <AchievementCard
                    key={s.definition.id}
                    status={s}
                    shareUrl={shareUrlOf(s.definition.id)}
                  />
                ))}
              </ul>
            )}
        </section>
        <section aria-labelledby="locked-heading" class="stack" data-live-part="locked">
          <h2 id="locked-heading">Still to earn</h2>
          <ul class="grid achievement-grid" data-testid="locked-achievements">
            {locked.map((s) => <AchievementCard key={s.definition.id} status={s} />)}
          </ul>
        </section>
      </div>
    </Layout>,
  ));
});
