import { headlineText } from "../lib/core/progress_model.ts";
import { getUnifiedView } from "../lib/progress/summary_store.ts";
import { Hono } from "hono";
import { BarChart, type ChartDatum, HBarChart } from "../components/charts.tsx";
import { formatMinutes, humanize } from "../components/format.ts";
import { Layout, renderPage } from "../components/layout.tsx";
import { Island } from "../components/island.tsx";
import LiveParts from "../islands/live_parts.tsx";
import { ProgressRing } from "../components/progress_ring.tsx";
import { addDays, dayOf } from "../lib/core/calendar.ts";
import type { AppEnv } from "../lib/http/app_env.ts";
import { pageUserWithNav, redirectToSignIn } from "./_page_session.ts";
import {
  type Insights,
  MAX_RANGE_DAYS,
  type PathEstimate,
  type Patterns,
  type SkillInsight,
  type TimeBucket,
} from "../lib/core/insights.ts";
import {
  insightsFrom,
  patternsFrom,
  readInsightsData,
  timeZoneOf,
} from "../lib/insights/insights_store.ts";

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function utcDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** `Tue 3 Mar 2026`. */
function longDay(day: string): string {
  return utcDate(day).toLocaleDateString("en-GB", {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  });
}

/** `3 Mar`. */
function shortDay(day: string): string {
  return utcDate(day).toLocaleDateString("en-GB", {
    timeZone: "UTC",
    day: "numeric",
    month: "short",
  });
}

function monthName(key: string, style: "short" | "long"): string {
  return utcDate(`${key}-01`).toLocaleDateString("en-GB", {
    timeZone: "UTC",
    month: style,
    ...(style === "long" ? { year: "numeric" } : {}),
  });
}

function minutesDatum(b: TimeBucket, label: string, longLabel: string): ChartDatum {
  return { key: b.key, label, longLabel, value: b.minutes, display: formatMinutes(b.minutes) };
}

function busiest(list: readonly ChartDatum[]): ChartDatum | null {
  return list.reduce<ChartDatum | null>((a, b) => (!a || b.value > a.value ? b : a), null);
}

function seriesDescription(what: string, data: readonly ChartDatum[], total: number): string {
  const top = busiest(data);
  if (!top || top.value === 0) return `No learning time recorded ${what}.`;
  return `${formatMinutes(total)} in total ${what}; the most on ${
    top.longLabel ?? top.label
  } (${top.display}).`;
}

function Stat(props: { label: string; value: string; testid: string; hint?: string }) {
  return (
    <li class="stat">
      <span class="stat-value" data-testid={props.testid}>{props.value}</span>
      <span class="stat-label">{props.label}</span>
      {props.hint && <span class="stat-hint">{props.hint}</span>}
    </li>
  );
}

function TimeCharts(props: { insights: Insights }) {
  const { timeSpent, range } = props.insights;
  const daily = timeSpent.daily.map((d) => minutesDatum(d, shortDay(d.key), longDay(d.key)));
  const weekly = timeSpent.weekly.map((w) =>
    minutesDatum(w, `W${w.key.slice(-2)}`, `Week ${w.key.slice(-2)} (from ${longDay(w.start)})`)
  );
  const monthly = timeSpent.monthly.map((m) =>
    minutesDatum(m, monthName(m.key, "short"), monthName(m.key, "long"))
  );
  const total = timeSpent.totalMinutes;
  return (
    <section class="card span-all" aria-labelledby="time-heading">
      <div class="card-header">
        <h2 id="time-heading">Time spent</h2>
        <span class="card-subtitle">minutes per day, week and month</span>
      </div>
      {range.days <= 92 && (
        <BarChart
          id="chart-daily"
          title="Time spent per day"
          description={seriesDescription("per day", daily, total)}
          data={daily}
          valueHeading="Time"
          width={1100}
        />
      )}
      <div class="grid grid-2 chart-pair">
        {range.days > 7 && (
          <div>
            <h3 class="chart-heading">Per week</h3>
            <BarChart
              id="chart-weekly"
              title="Time spent per week"
              description={seriesDescription("per ISO week", weekly, total)}
              data={weekly}
              valueHeading="Time"
              height={180}
            />
          </div>
        )}
        {(monthly.length > 1 || range.days > 92) && (
          <div>
            <h3 class="chart-heading">Per month</h3>
            <BarChart
              id="chart-monthly"
              title="Time spent per month"
              description={seriesDescription("per month", monthly, total)}
              data={monthly}
              valueHeading="Time"
              height={180}
            />
          </div>
        )}
      </div>
    </section>
  );
}

function skillTone(s: SkillInsight, insights: Insights): ChartDatum["tone"] {
  if (insights.strongestSkills.some((x) => x.skillId === s.skillId)) return "strong";
  if (insights.weakestSkills.some((x) => x.skillId === s.skillId)) return "weak";
  return s.score === null ? "muted" : undefined;
}

function SkillsCard(props: { insights: Insights }) {
  const { insights } = props;
  const data: ChartDatum[] = insights.skills.slice(0, 12).map((s) => ({
    key: s.skillId,
    label: s.skillId,
    longLabel: `${s.skillId} (${s.completed} of ${s.activities} activities completed, ${
      formatMinutes(s.minutes)
    })`,
    value: s.score ?? 0,
    display: s.score === null ? "no result" : `${s.score}`,
    tone: skillTone(s, insights),
  }));
  const names = (list: readonly SkillInsight[]) => list.map((s) => s.skillId).join(", ");
  return (
    <section class="card" aria-labelledby="skills-heading">
      <div class="card-header">
        <h2 id="skills-heading">Skills</h2>
        <span class="card-subtitle">average result, 0–100</span>
      </div>
      {data.length === 0
        ? (
          <p class="empty">
            No skill results in this range. Skills come from the catalog's activities and from skill
            assessments.
          </p>
        )
        : (
          <>
            <dl class="insight-pairs">
              <div>
                <dt>Strongest</dt>
                <dd data-testid="strongest-skills">{names(insights.strongestSkills) || "—"}</dd>
              </div>
              <div>
                <dt>To improve</dt>
                <dd data-testid="weakest-skills">{names(insights.weakestSkills) || "—"}</dd>
              </div>
            </dl>
            <HBarChart
              id="chart-skills"
              title="Results per skill"
              description={`Strongest: ${names(insights.strongestSkills) || "none"}. To improve: ${
                names(insights.weakestSkills) || "none"
              }.`}
              data={data}
              valueHeading="Average result"
              max={100}
            />
          </>
        )}
    </section>
  );
}

function CompletionCard(props: { insights: Insights }) {
  const { completionRate, activities } = props.insights;
  return (
    <section class="card card-progress" aria-labelledby="completion-heading">
      <div class="card-header">
        <h2 id="completion-heading">Completion rate</h2>
      </div>
      {completionRate === null ? <p class="empty">No activity worked on in this range.</p> : (
        <>
          <ProgressRing
            percent={completionRate}
            caption={`${activities.completed} of ${activities.worked} done`}
          />
          <p class="small muted">
            Of the activities you worked on in this range, the share you completed
            {activities.failed > 0 ? ` (${activities.failed} with a failed attempt)` : ""}.
          </p>
        </>
      )}
    </section>
  );
}

function TimeOfDayCard(props: { patterns: Patterns }) {
  const { timeOfDay, weekdays } = props.patterns;
  const preferred = timeOfDay.parts.find((p) => p.key === timeOfDay.preferred);
  const hours: ChartDatum[] = timeOfDay.hours.map((h) => ({
    key: h.key,
    label: h.key,
    longLabel: `${h.label}–${String((Number(h.key) + 1) % 24).padStart(2, "0")}:00`,
    value: h.minutes,
    display: `${formatMinutes(h.minutes)} (${h.events} event${h.events === 1 ? "" : "s"})`,
    tone: preferred && Number(h.key) >= dayPartStart(preferred.key) &&
        Number(h.key) < dayPartStart(preferred.key) + 6
      ? "strong"
      : undefined,
  }));
  const days: ChartDatum[] = weekdays.map((d) => ({
    key: d.key,
    label: d.label,
    value: d.minutes,
    display: formatMinutes(d.minutes),
  }));
  const topDay = busiest(days);
  return (
    <section class="card" aria-labelledby="tod-heading">
      <div class="card-header">
        <h2 id="tod-heading">When you learn</h2>
        <span class="card-subtitle">minutes by hour of the day, your time zone</span>
      </div>
      <p data-testid="preferred-time">
        {preferred
          ? (
            <>
              Mostly in the <strong>{preferred.label.split(" (")[0]!.toLowerCase()}</strong>.
            </>
          )
          : "No pattern yet."}
      </p>
      <BarChart
        id="chart-hours"
        title="Time spent by hour of the day"
        description={preferred
          ? `Most learning happens in the ${preferred.label.toLowerCase()}: ${
            formatMinutes(preferred.minutes)
          }.`
          : "No learning time recorded."}
        data={hours}
        valueHeading="Time"
        labelEvery={3}
        height={180}
      />
      <h3 class="chart-heading">By weekday</h3>
      <BarChart
        id="chart-weekdays"
        title="Time spent by weekday"
        description={topDay && topDay.value > 0
          ? `The busiest weekday is ${topDay.label} (${topDay.display}).`
          : "No learning time recorded."}
        data={days}
        valueHeading="Time"
        labelEvery={1}
        height={160}
      />
    </section>
  );
}

function dayPartStart(key: string): number {
  return { night: 0, morning: 6, afternoon: 12, evening: 18 }[key] ?? 0;
}

function SessionsCard(props: { patterns: Patterns }) {
  const { sessions } = props.patterns;
  const typical = sessions.buckets.find((b) => b.key === sessions.typical);
  const data: ChartDatum[] = sessions.buckets.map((b) => ({
    key: b.key,
    label: b.label,
    value: b.sessions,
    display: `${b.sessions} session${b.sessions === 1 ? "" : "s"}`,
    tone: b.key === sessions.typical ? "strong" : undefined,
  }));
  return (
    <section class="card" aria-labelledby="sessions-heading">
      <div class="card-header">
        <h2 id="sessions-heading">Session length</h2>
        <span class="card-subtitle">a pause of 30 min starts a new session</span>
      </div>
      {sessions.count === 0 ? <p class="empty">No sessions in this range.</p> : (
        <>
          <ul class="stats stats-inline">
            <Stat label="Sessions" value={String(sessions.count)} testid="sessions-count" />
            <Stat label="Typical" value={typical?.label ?? "—"} testid="sessions-typical" />
            <Stat
              label="Average"
              value={formatMinutes(sessions.averageMinutes)}
              testid="sessions-average"
            />
            <Stat
              label="Longest"
              value={formatMinutes(sessions.longestMinutes)}
              testid="sessions-longest"
            />
          </ul>
          <BarChart
            id="chart-sessions"
            title="Sessions by length"
            description={`${sessions.count} sessions; most last ${
              typical?.label ?? "—"
            }, the median ${formatMinutes(sessions.medianMinutes)}.`}
            data={data}
            valueHeading="Sessions"
            labelEvery={1}
            height={180}
          />
        </>
      )}
    </section>
  );
}

function ActivityTypesCard(props: { patterns: Patterns }) {
  const { activityTypes, preferredActivityType } = props.patterns;
  const data: ChartDatum[] = activityTypes.map((t) => ({
    key: t.activityType,
    label: humanize(t.activityType),
    longLabel: `${humanize(t.activityType)} (${t.events} events, ${t.completed} completed)`,
    value: t.minutes,
    display: formatMinutes(t.minutes),
    tone: t.activityType === preferredActivityType ? "strong" : undefined,
  }));
  return (
    <section class="card" aria-labelledby="types-heading">
      <div class="card-header">
        <h2 id="types-heading">Activity types</h2>
        <span class="card-subtitle">time spent per kind of activity</span>
      </div>
      {data.length === 0 ? <p class="empty">No activity in this range.</p> : (
        <>
          <p data-testid="preferred-type">
            You prefer <strong>{humanize(preferredActivityType ?? "")}</strong> activities.
          </p>
          <HBarChart
            id="chart-types"
            title="Time spent per activity type"
            description={`Most time goes to ${humanize(preferredActivityType ?? "")} activities.`}
            data={data}
            valueHeading="Time"
          />
        </>
      )}
    </section>
  );
}

function estimateText(p: PathEstimate): string {
  switch (p.status) {
    case "complete":
      return p.finishOn ? `Complete since ${longDay(p.finishOn)}.` : "Complete.";
    case "no_pace":
      return "No step completed in this range, so no pace to estimate from yet.";
    case "estimated":
      return `At ${p.stepsPerWeek} steps a week, finished around ${
        longDay(p.finishOn!)
      } (in ${p.daysLeft} day${p.daysLeft === 1 ? "" : "s"}).`;
  }
}

function PathsCard(props: { insights: Insights }) {
  const { paths } = props.insights;
  return (
    <section class="card span-all" aria-labelledby="paths-heading">
      <div class="card-header">
        <h2 id="paths-heading">When will I finish?</h2>
        <span class="card-subtitle">at your pace in this range</span>
      </div>
      {paths.length === 0
        ? <p class="empty">No learning path started yet.</p>
        : (
          <ul class="stack path-list" data-testid="path-estimates">
            {paths.map((p) => {
              const percent = p.totalSteps === 0
                ? 0
                : Math.round((p.completedSteps / p.totalSteps) * 100);
              return (
                <li key={p.pathId} data-path-id={p.pathId} data-status={p.status}>
                  <div class="cluster path-head">
                    <strong>{p.title}</strong>
                    <span class="muted small">
                      {p.completedSteps} of {p.totalSteps} steps · {p.remainingSteps} left (about
                      {" "}
                      {formatMinutes(p.remainingMinutes)})
                    </span>
                  </div>
                  <div
                    class="progress-bar"
                    role="progressbar"
                    aria-label={`${p.title} progress`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={percent}
                  >
                    <span style={`width:${percent}%`} />
                  </div>
                  <p class="small" data-testid="path-estimate">{estimateText(p)}</p>
                </li>
              );
            })}
          </ul>
        )}
    </section>
  );
}

function RangeForm(props: { from: string; to: string; today: string; current: number | null }) {
  const presets = [7, 30, 90, 365];
  return (
    <form class="range-form cluster" method="get" action="/insights" aria-label="Date range">
      <nav class="segmented" aria-label="Quick ranges">
        {presets.map((days) => (
          <a
            key={days}
            class="segmented-item"
            href={`/insights?from=${addDays(props.today, -(days - 1))}&to=${props.today}`}
            aria-current={props.current === days ? "true" : undefined}
          >
            {days === 365 ? "Year" : `${days} days`}
          </a>
        ))}
      </nav>
      <label class="range-field">
        <span class="label">From</span>
        <input type="date" name="from" value={props.from} max={props.to} required />
      </label>
      <label class="range-field">
        <span class="label">To</span>
        <input type="date" name="to" value={props.to} required />
      </label>
      <button class="button button-secondary button-small" type="submit">Show</button>
    </form>
  );
}

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
