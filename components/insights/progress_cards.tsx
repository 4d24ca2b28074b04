/** Insights cards about progress: figures, skills, completion, activity types, path estimates and the date range form. */
import { type ChartDatum, HBarChart } from "../charts.tsx";
import { formatMinutes, humanize } from "../format.ts";
import { ProgressRing } from "../progress_ring.tsx";
import { addDays } from "../../lib/core/calendar.ts";
import { type Insights, type PathEstimate, type SkillInsight } from "../../lib/core/insights.ts";
import type { Patterns } from "../../lib/core/insight_patterns.ts";
import { longDay } from "./time_charts.tsx";

function skillTone(s: SkillInsight, insights: Insights): ChartDatum["tone"] {
  if (insights.strongestSkills.some((x) => x.skillId === s.skillId)) return "strong";
  if (insights.weakestSkills.some((x) => x.skillId === s.skillId)) return "weak";
  return s.score === null ? "muted" : undefined;
}

/** Each skill's average result in the range (0–100), as bars. */
export function SkillsCard(props: { insights: Insights }) {
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

/** The share of the activities worked on in the range that were completed. */
export function CompletionCard(props: { insights: Insights }) {
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

/** Time spent per kind of activity. */
export function ActivityTypesCard(props: { patterns: Patterns }) {
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

/** Each path's progress and when it will be finished at the current pace. */
export function PathsCard(props: { insights: Insights }) {
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

/** The date range picker (preset spans and from/to days). */
export function RangeForm(
  props: { from: string; to: string; today: string; current: number | null },
) {
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
