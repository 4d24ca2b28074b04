/** Insights cards about time: minutes per day, week and month, time of day and sessions. */
import { BarChart, type ChartDatum } from "../charts.tsx";
import { formatMinutes } from "../format.ts";
import type { Insights, TimeBucket } from "../../lib/core/insights.ts";
import type { Patterns } from "../../lib/core/insight_patterns.ts";

function utcDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** `Tue 3 Mar 2026`. */
export function longDay(day: string): string {
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

/** Minutes learned per day, week and month, as bar charts that open on the latest. */
export function TimeCharts(props: { insights: Insights }) {
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

/** When in the day the student learns (parts of the day, in their time zone). */
export function TimeOfDayCard(props: { patterns: Patterns }) {
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

/** Learning sessions: how many, how long, and the typical one. */
export function SessionsCard(props: { patterns: Patterns }) {
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

/** One figure with its label (and an optional hint). */
export function Stat(props: { label: string; value: string; testid: string; hint?: string }) {
  return (
    <li class="stat">
      <span class="stat-value" data-testid={props.testid}>{props.value}</span>
      <span class="stat-label">{props.label}</span>
      {props.hint && <span class="stat-hint">{props.hint}</span>}
    </li>
  );
}
