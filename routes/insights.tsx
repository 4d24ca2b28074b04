import { headlineText } from "../lib/core/progress_model.ts";
import { getUnifiedView } from "../lib/progress/summary_store.ts";
import { Hono } from "hono";
import { formatMinutes } from "../components/format.ts";
import { Layout, renderPage } from "../components/layout.tsx";
import { Island } from "../components/island.tsx";
import LiveParts from "../islands/live_parts.tsx";
import { addDays, dayOf } from "../lib/core/calendar.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { pageUserWithNav, redirectToSignIn } from "./_page_session.ts";
import { MAX_RANGE_DAYS } from "../lib/core/insights.ts";
import {
  insightsFrom,
  patternsFrom,
  readInsightsData,
  timeZoneOf,
} from "../lib/insights/insights_store.ts";
import {
  longDay,
  SessionsCard,
  Stat,
  TimeCharts,
  TimeOfDayCard,
} from "../components/insights/time_charts.tsx";
import {
  ActivityTypesCard,
  CompletionCard,
  PathsCard,
  RangeForm,
  SkillsCard,
} from "../components/insights/progress_cards.tsx";

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** `/insights`: time spent, completion, skills, patterns and finish estimates, as SVG charts. */
export const insightsPage = new Hono<AppEnv>().get("/", async (c) => {
  const user = await pageUserWithNav(c);
  if (!user) return redirectToSignIn(c);
  const { kv } = c.get("deps");
  const from = c.req.query("from") || undefined;
  const to = c.req.query("to") || undefined;
  const malformed = [from, to].some((v) => v !== undefined && !DAY_PATTERN.test(v));
  const data = malformed
    ? { error: "Dates must look like 2026-03-31." }
    : await readInsightsData(kv, user.userId, { from, to });
  if ("error" in data) {
    const timeZone = await timeZoneOf(kv, user.userId);
    const today = dayOf(new Date().toISOString(), timeZone);
    return c.html(
      renderPage(
        <Layout title="Insights" user={user} path="/insights">
          <div class="page-header">
            <div>
              <h1>Insights</h1>
            </div>
          </div>
          <p class="alert" role="alert">
            {data.error} Pick a range of at most {MAX_RANGE_DAYS} days.
          </p>
          <RangeForm from={addDays(today, -29)} to={today} today={today} current={null} />
        </Layout>,
      ),
      400,
    );
  }
  const insights = insightsFrom(data);
  const patterns = patternsFrom(data);
  const overall = (await getUnifiedView(kv, user.userId)).overallProgress;
  const today = dayOf(data.now, data.timeZone);
  const { range, timeSpent } = insights;
  const preset = range.to === today ? range.days : null;
  return c.html(renderPage(
    <Layout title="Insights" user={user} path="/insights">
      <div class="page-header">
        <div>
          <h1>Insights</h1>
          <p data-testid="insights-range">
            {longDay(range.from)} – {longDay(range.to)} · {range.days}{" "}
            day{range.days === 1 ? "" : "s"} · times in {data.timeZone}
          </p>
          <p data-testid="insights-headline">
            Overall {headlineText({
              done: overall.completedActivities,
              total: overall.totalActivities,
              percentage: overall.percentageComplete,
            })} · {overall.currentStreak} day{overall.currentStreak === 1 ? "" : "s"} streak
          </p>
        </div>
        <Island name="live_parts" component={LiveParts} props={{ liveCursor: user.liveCursor }} />
      </div>
      <RangeForm from={range.from} to={range.to} today={today} current={preset} />
      <div class="live-part" data-live-part="insights">
        <section class="card insights-glance" aria-labelledby="glance-heading">
          <h2 id="glance-heading" class="visually-hidden">At a glance</h2>
          <ul class="stats stats-wide">
            <Stat
              label="Time spent"
              value={formatMinutes(timeSpent.totalMinutes)}
              testid="insight-total"
            />
            <Stat
              label="Active days"
              value={`${timeSpent.activeDays} of ${range.days}`}
              testid="insight-active-days"
            />
            <Stat
              label="Per active day"
              value={formatMinutes(timeSpent.averageMinutesPerActiveDay)}
              testid="insight-average"
            />
            <Stat
              label="Completion rate"
              value={insights.completionRate === null ? "—" : `${insights.completionRate}%`}
              testid="insight-completion"
            />
          </ul>
        </section>
        {insights.eventCount === 0 && (
          <p class="empty" data-testid="insights-empty">
            No learning activity in this range yet. Post events with an{" "}
            <a href="/tokens">API token</a> or pick a longer range.
          </p>
        )}
        <div class="grid grid-2 insights-grid">
          <TimeCharts insights={insights} />
          <CompletionCard insights={insights} />
          <SkillsCard insights={insights} />
          <TimeOfDayCard patterns={patterns} />
          <div class="stack">
            <SessionsCard patterns={patterns} />
            <ActivityTypesCard patterns={patterns} />
          </div>
          <PathsCard insights={insights} />
        </div>
      </div>
    </Layout>,
  ));
});
