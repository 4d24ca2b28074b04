import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { formatMinutes, humanize, learnHref, timeAgo } from "../components/format.ts";
import { headlineText } from "../lib/core/progress_model.ts";
import { ProgressRing } from "../components/progress_ring.tsx";
import {
  activityFacts,
  announcement,
  CONNECTION_LABEL,
  connectLive,
  lastSyncedAt,
  learningPaths,
  overallProgress,
  recentActivities,
  trackedItems,
  useConnectionState,
} from "../lib/browser/live_client.ts";
import { PathProgressList } from "../components/path_progress_list.tsx";
import { DetailedProgress } from "../components/detailed_progress.tsx";
import {
  type Milestone,
  milestoneShare,
  milestonesOf,
  nextMilestones,
  reachedMilestones,
} from "../lib/core/milestones.ts";
import {
  type ActivityFacts,
  type ActivityInfo,
  goalWeightedProgress,
  pathWeightedProgress,
} from "../lib/core/weighted.ts";
import type { ProgressWeights } from "../lib/core/weights.ts";
import { TrackedItems } from "../components/tracked_items.tsx";
import { freezeText } from "../components/streak_panel.tsx";
import type { PathProgressSummary } from "../lib/core/path_progress.ts";
import type { ItemView } from "../lib/core/propagation.ts";
import type { ActivitySummary } from "../lib/core/summary.ts";
import type { OverallProgress } from "../lib/core/unified_view.ts";

/** Props of the live dashboard: the server-rendered view it starts from. */
export interface LiveDashboardProps {
  overallProgress: OverallProgress;
  recentActivities: ActivitySummary[];
  lastSyncTime: string | null;
  /** Server time at render (ISO), so server and browser render the same relative times. */
  renderedAt: string;
  /** The live stream position the rendered view reflects; the stream resumes after it. */
  liveCursor: string | null;
  /** Open todos and calendar entries linked to the student's activities. */
  trackedItems: ItemView[];
  learningPaths: PathProgressSummary[];
  /** Catalog titles of the activities on the page, by id. */
  titles: Record<string, string>;
  /** What weighted progress and milestones are recomputed from as updates arrive. */
  weighted: WeightedInputs;
}

/** The server's starting point for weighted progress and milestones on the page. */
export interface WeightedInputs {
  weights: ProgressWeights;
  /** Facts of the paths' step activities (absent: not worked on). */
  stepFacts: Record<string, ActivityFacts>;
  /** Catalog facts of the paths' step activities. */
  stepInfo: Record<string, ActivityInfo>;
  /** When the n-th activity was first completed, for the activity-count milestones. */
  completionTimes: Record<number, string>;
}

/** The dashboard: overall progress ring, counts, time spent, recent activities, live status. Updates live. */
export default function LiveDashboard(props: LiveDashboardProps) {
  const [now, setNow] = useState(Date.parse(props.renderedAt));
  useEffect(() => {
    connectLive(props);
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => setNow(Date.now()), [lastSyncedAt.value]);
  const overall = overallProgress.value ?? props.overallProgress;
  const recent = recentActivities.value.length > 0
    ? recentActivities.value
    : props.recentActivities;
  const synced = lastSyncedAt.value ?? props.lastSyncTime;
  const state = useConnectionState();
  const items = trackedItems.value ?? props.trackedItems;
  const paths = learningPaths.value ?? props.learningPaths;
  const live = activityFacts.value;
  const factsOf = (id: string): ActivityFacts | undefined => {
    const server = props.weighted.stepFacts[id];
    const updated = live[id];
    return updated ? { ...updated, tutorChat: updated.tutorChat || !!server?.tutorChat } : server;
  };
  const infoOf = (id: string) => props.weighted.stepInfo[id];
  const { weights } = props.weighted;
  const pathWeighted = paths.map((p) => pathWeightedProgress(p, factsOf, infoOf, weights));
  const goal = goalWeightedProgress(paths, pathWeighted, overall.completedActivities, weights);
  const milestones = milestonesOf(
    paths,
    overall,
    (n) => props.weighted.completionTimes[n] ?? null,
  );
  const freeze = overall.streakFreeze ?? props.overallProgress.streakFreeze;
  const longestStreak = Math.max(
    overall.longestStreak ?? 0,
    props.overallProgress.longestStreak ?? 0,
    overall.currentStreak,
  );
  return (
    <div class="stack">
      <div class="cluster live-bar">
        <span class="live-status" data-state={state} data-testid="live-status">
          {CONNECTION_LABEL[state]}
        </span>
        <span class="muted small" data-testid="last-synced">
          Last synced {synced ? <time dateTime={synced}>{timeAgo(synced, now)}</time> : "never"}
        </span>
      </div>
      <p class="visually-hidden" aria-live="polite" data-testid="announcement">
        {announcement.value}
      </p>
      <div class="grid grid-dashboard">
        <section class="card card-progress" aria-labelledby="overall-heading">
          <div class="card-header">
            <h2 id="overall-heading">Overall progress</h2>
          </div>
          <ProgressRing
            percent={overall.percentageComplete}
            caption={`${overall.completedActivities} of ${overall.totalActivities} done`}
          />
          <p class="small muted" data-testid="headline">
            {headlineText({
              done: overall.completedActivities,
              total: overall.totalActivities,
              percentage: overall.percentageComplete,
            })}{" "}
            of what you work toward: your paths, todos, calendar entries and anything else you
            started. Weighted and goal figures below weigh the same work by time and scores.
          </p>
          <ContinueLink paths={paths} titles={props.titles} />
        </section>
        <section class="card" aria-labelledby="numbers-heading">
          <div class="card-header">
            <h2 id="numbers-heading">At a glance</h2>
          </div>
          <ul class="stats">
            <Stat
              label="Completed"
              value={String(overall.completedActivities)}
              testid="stat-completed"
            />
            <Stat
              label="In progress"
              value={String(overall.inProgressActivities)}
              testid="stat-in-progress"
            />
            <Stat
              label="Time spent"
              value={formatMinutes(overall.totalTimeSpent)}
              testid="stat-time"
            />
            <Stat
              label="Current streak"
              value={days(overall.currentStreak)}
              testid="stat-streak"
              hint={
                <>
                  Longest: <span data-testid="stat-longest-streak">{days(longestStreak)}</span>
                  {freeze && (freeze.held || freeze.usedOn) && (
                    <span data-testid="stat-streak-freeze" title={freezeText(freeze)}>
                      {" · "}
                      {freeze.held ? "freeze held" : `freeze used on ${freeze.usedOn}`}
                    </span>
                  )}
                </>
              }
            />
          </ul>
        </section>
      </div>
      <div class="grid grid-2">
        <section class="card" aria-labelledby="items-heading">
          <div class="card-header">
            <h2 id="items-heading">Todos and calendar</h2>
            <span class="card-subtitle">Kept in step with your activities</span>
          </div>
          <TrackedItems items={items} now={now} />
        </section>
        <section class="card" aria-labelledby="paths-heading">
          <div class="card-header">
            <h2 id="paths-heading">Learning paths</h2>
          </div>
          <PathProgressList
            paths={paths}
            titles={props.titles}
            weighted={Object.fromEntries(pathWeighted.map((p) => [p.pathId, p]))}
          />
        </section>
      </div>
      <div class="grid grid-2">
        <section class="card" aria-labelledby="goal-heading">
          <div class="card-header">
            <h2 id="goal-heading">Goal progress</h2>
            <span class="card-subtitle">weighted across your paths</span>
          </div>
          {goal
            ? <DetailedProgress label="All your paths" progress={goal} testid="goal-progress" />
            : <p class="empty">Start a learning path to see your weighted goal progress.</p>}
        </section>
        <section class="card" aria-labelledby="milestones-heading">
          <div class="card-header">
            <h2 id="milestones-heading">Milestones</h2>
            <span class="card-subtitle">path thresholds and totals</span>
          </div>
          <MilestoneList milestones={milestones} />
        </section>
      </div>
      <section class="card" aria-labelledby="recent-heading">
        <div class="card-header">
          <h2 id="recent-heading">Recent activity</h2>
          <span class="card-subtitle">From every connected system</span>
        </div>
        {recent.length === 0
          ? (
            <p class="empty">
              Nothing yet. <a href="/learn">Start your first lesson</a>{" "}
              and it appears here at once, with everything your other learning tools report.
            </p>
          )
          : (
            <ul class="activity-list" data-testid="recent-activities">
              {recent.map((item) => (
                <RecentItem key={item.eventId} item={item} now={now} titles={props.titles} />
              ))}
            </ul>
          )}
      </section>
    </div>
  );
}

/**
 * The dashboard's way on: "Continue: <next lesson>" into `/learn` at that lesson, on the first
 * path the student has begun that is not done (else the first unfinished path), or a link to
 * `/learn` to pick one.
 */
function ContinueLink(
  props: { paths: readonly PathProgressSummary[]; titles: Record<string, string> },
) {
  const open = props.paths.filter((p) => p.nextStep !== null);
  const begun = open.find((p) =>
    p.steps.some((s) => s.status !== "not_started" && s.status !== "removed")
  );
  const path = begun ?? open[0];
  if (!path?.nextStep) {
    return (
      <a class="button" href="/learn" data-testid="continue">
        {props.paths.length === 0 ? "Start learning" : "Choose what to learn next"}
      </a>
    );
  }
  const { activityId } = path.nextStep;
  return (
    <a class="button" href={learnHref(activityId, path.pathId)} data-testid="continue">
      Continue: {props.titles[activityId] ?? activityId}
    </a>
  );
}

function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

function MilestoneItem(props: { milestone: Milestone }) {
  const m = props.milestone;
  const share = milestoneShare(m);
  return (
    <li
      class={`milestone${m.reached ? " milestone-reached" : ""}`}
      data-milestone-id={m.id}
      data-reached={m.reached ? "true" : "false"}
    >
      <span class="milestone-icon" aria-hidden="true">{m.reached ? "✓" : "◎"}</span>
      <span>
        <strong>{m.title}</strong>
        <span class="visually-hidden">{m.reached ? ": reached" : `: ${share}% of the way`}</span>
        {m.reached && m.reachedAt && (
          <span class="muted small">
            {" · "}
            <time dateTime={m.reachedAt}>{m.reachedAt.slice(0, 10)}</time>
          </span>
        )}
      </span>
      {!m.reached && (
        <div class="progress-bar" aria-hidden="true">
          <span style={`width:${share}%`} />
        </div>
      )}
    </li>
  );
}

function MilestoneList(props: { milestones: readonly Milestone[] }) {
  const next = nextMilestones(props.milestones, 3);
  const reached = reachedMilestones(props.milestones, 3);
  const total = props.milestones.filter((m) => m.reached).length;
  return (
    <div class="stack" data-testid="milestones">
      <p class="small muted" data-testid="milestones-reached-count">
        {total} reached
      </p>
      {next.length > 0 && (
        <ul class="milestone-list" aria-label="Next milestones">
          {next.map((m) => <MilestoneItem key={m.id} milestone={m} />)}
        </ul>
      )}
      {reached.length > 0 && (
        <ul class="milestone-list" aria-label="Latest milestones reached">
          {reached.map((m) => <MilestoneItem key={m.id} milestone={m} />)}
        </ul>
      )}
    </div>
  );
}

function Stat(props: { label: string; value: string; testid: string; hint?: ComponentChildren }) {
  return (
    <li class="stat">
      {props.hint && <span class="stat-hint">{props.hint}</span>}
      <span class="stat-value" data-testid={props.testid}>{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </li>
  );
}

function RecentItem(
  props: { item: ActivitySummary; now: number; titles: Record<string, string> },
) {
  const { item } = props;
  return (
    <li class="activity" data-event-id={item.eventId}>
      <div class="activity-main">
        <span class="activity-title">
          <a href={learnHref(item.activityId)}>
            {item.title ?? props.titles[item.activityId] ?? item.activityId}
          </a>
        </span>
        <span class="activity-meta">
          <span class={`status status-${item.completionStatus}`}>
            {humanize(item.completionStatus)}
          </span>
          <span class={`badge badge-${item.sourceSystem}`}>{humanize(item.sourceSystem)}</span>
          <span class="muted small">{item.activityType}</span>
        </span>
      </div>
      <time class="activity-time" dateTime={item.timestamp}>
        {timeAgo(item.timestamp, props.now)}
      </time>
    </li>
  );
}
