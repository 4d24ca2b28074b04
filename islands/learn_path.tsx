import { monotonicFactory } from "ulid";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { SyncStatus } from "../components/sync_status.tsx";
import { humanize, timeAgo } from "../components/format.ts";
import type { LearningContentStatus, LearningProgressEvent } from "../lib/core/learning_events.ts";
import { interactionId, type Lesson, quizScore } from "../lib/core/lesson_content.ts";
import type { KeyValueStorage } from "../lib/browser/local_store.ts";
import { emptySnapshot, type LearningProgressSnapshot } from "../lib/core/learning_snapshot.ts";
import { type LessonView, lessonViewOf, type ServerActivity } from "../lib/core/lesson_view.ts";
import {
  connectBrowserSignals,
  LearningSyncEngine,
  type NewLearningEvent,
  type SyncView,
} from "../lib/browser/sync_engine.ts";
import type { LearningSyncStatus } from "../lib/browser/sync_state.ts";
import { liveActivities, overallProgress } from "../lib/browser/live_client.ts";
import { headlineText } from "../lib/core/progress_model.ts";
import type { OverallProgress } from "../lib/core/unified_view.ts";

/** Props of the learn page island: the path to work through and who is learning. */
export interface LearnPathProps {
  /** The signed-in student, or null for a guest (progress stays on the device). */
  userId: string | null;
  paths: { pathId: string; title: string }[];
  path: { pathId: string; title: string; lessons: Lesson[] } | null;
  /** The server's snapshot at render (signed in), for the first paint before the local log loads. */
  serverSnapshot: LearningProgressSnapshot | null;
  /**
   * What the server knows (signed in): the state of each lesson of the path in every system (the
   * source of truth; live updates replace it) and the headline progress and streak.
   */
  server?: { activities: Record<string, ServerActivity>; overall: OverallProgress } | null;
  /** Server time at render (ISO), so server and browser render the same relative times. */
  renderedAt: string;
}

/** Simulated playback shows a whole video in this many seconds at 1×. */
const PLAYBACK_SECONDS = 10;
const TICK_MS = 250;
/** A progress heartbeat is recorded this often while a video plays. */
const HEARTBEAT_MS = 2000;

function memoryStorage(): KeyValueStorage {
  const values = new Map<string, string>();
  return {
    getItem: (k) => values.get(k) ?? null,
    setItem: (k, v) => void values.set(k, v),
    removeItem: (k) => void values.delete(k),
  };
}

function browserStorage(): KeyValueStorage {
  try {
    const storage = globalThis.localStorage;
    storage.getItem("learning_progress_client_id");
    return storage;
  } catch {
    return memoryStorage();
  }
}

function initialView(userId: string | null): SyncView {
  return {
    mode: userId === null ? "guest" : "account",
    bootstrapping: userId !== null,
    syncing: false,
    online: true,
    counts: { local: 0, syncing: 0, synced: 0, error: 0 },
    pending: 0,
    lastSyncedAt: null,
    lastError: null,
    needsManualRetry: false,
    nextRetryAt: null,
    storageError: null,
    guestEvents: 0,
  };
}

const STATUS_LABEL: Record<LearningContentStatus, string> = {
  not_started: "Not started",
  in_progress: "In progress",
  completed: "Completed",
  passed: "Passed",
};

/** How a lesson's view is marked (`data-status`) and labelled. */
type ShownStatus = LearningContentStatus | "not_passed";

const SHOWN_LABEL: Record<ShownStatus, string> = { ...STATUS_LABEL, not_passed: "Not passed yet" };

function shownStatus(view: LessonView, activityType: string): ShownStatus {
  if (view.status !== "done") return view.status;
  return activityType === "quiz" && view.score !== null ? "passed" : "completed";
}

function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function describe(event: LearningProgressEvent, titles: Record<string, string>): string {
  switch (event.type) {
    case "content.progressed": {
      const p = event.payload;
      const title = titles[p.contentId] ?? p.contentId;
      const state = p.interaction?.state;
      const detail = state?.kind === "video" && typeof state.percent === "number"
        ? ` (${Math.round(state.percent)}% watched)`
        : p.interaction && state === null
        ? " (answer cleared)"
        : state?.kind === "quiz"
        ? " (answered)"
        : state?.kind === "todo"
        ? " (task ticked)"
        : "";
      return `${title}: ${STATUS_LABEL[p.status].toLowerCase()}${
        p.score !== undefined ? `, score ${p.score}` : ""
      }${detail}`;
    }
    case "onboarding.completed":
      return `Started path ${titles[event.payload.pathId] ?? event.payload.pathId}`;
    case "onboarding.reset":
      return "Onboarding reset";
    case "activePath.set":
      return event.payload.pathId
        ? `Active path: ${titles[event.payload.pathId] ?? event.payload.pathId}`
        : "Active path cleared";
    case "progress.reset":
      return "Progress reset";
  }
}

/** The learn page: work through a path's lessons; every action is a local event, synced in the background. */
export default function LearnPath(props: LearnPathProps) {
  const [engine, setEngine] = useState<LearningSyncEngine | null>(null);
  const [, setVersion] = useState(0);
  const [now, setNow] = useState(Date.parse(props.renderedAt));
  const lessons = props.path?.lessons ?? [];
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    const ids = monotonicFactory();
    const created = new LearningSyncEngine({
      storage: browserStorage(),
      fetch: (url, init) => fetch(url, init),
      now: () => Date.now(),
      isOnline: () => navigator.onLine,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as number),
      newId: (ms) => ids(ms),
    }, { userId: props.userId });
    const unsubscribe = created.subscribe(() => setVersion((v) => v + 1));
    const disconnect = connectBrowserSignals(created);
    setEngine(created);
    setNow(Date.now());
    void created.start();
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(clock);
      unsubscribe();
      disconnect();
    };
  }, []);

  const snapshot = engine?.snapshot ?? props.serverSnapshot ?? emptySnapshot();
  const view = engine?.view ?? initialView(props.userId);
  const record = (event: NewLearningEvent) => engine?.record(event);
  const titles = useMemo(() => {
    const out: Record<string, string> = {};
    for (const p of props.paths) out[p.pathId] = p.title;
    for (const l of lessons) out[l.activityId] = l.title;
    return out;
  }, [props.paths, lessons]);

  const live = liveActivities.value;
  // Resets on this device not yet synced: the server's state of their lessons is older.
  const unsyncedResets = (engine?.events ?? []).filter((e) =>
    e.type === "progress.reset" && engine!.statusOf(e.eventId) !== "synced"
  );
  const viewOf = (id: string): LessonView =>
    lessonViewOf(live[id] ?? props.server?.activities[id], snapshot.content[id], {
      resetPending: unsyncedResets.some((e) =>
        e.type === "progress.reset" && (e.payload?.contentIds?.includes(id) ?? true)
      ),
    });
  const statusOf = (lesson: Lesson): ShownStatus =>
    shownStatus(viewOf(lesson.activityId), lesson.activityType);
  const done = lessons.filter((l) => viewOf(l.activityId).status === "done").length;
  const deepLink = useMemo(
    () =>
      typeof location === "undefined" ? null : new URL(location.href).searchParams.get("lesson"),
    [],
  );
  const current = lessons.find((l) => l.activityId === (selected ?? deepLink)) ??
    lessons.find((l) => viewOf(l.activityId).status !== "done") ?? lessons[0] ?? null;
  const overall = overallProgress.value ?? props.server?.overall ?? null;
  const streak = overall?.currentStreak ?? 0;
  const pathId = props.path?.pathId ?? null;

  return (
    <div class="stack learn">
      <SyncStatus
        view={view}
        now={now}
        onSync={() => void engine?.sync()}
        onRetry={() => void engine?.sync({ manual: true })}
      />
      {props.path === null
        ? <p class="empty">No learning paths yet. Once a system registers one, it appears here.</p>
        : (
          <>
            <section class="card learn-summary" aria-labelledby="path-heading">
              <div class="card-header">
                <h2 id="path-heading">{props.path.title}</h2>
                {props.paths.length > 1 && (
                  <label class="small">
                    Path{" "}
                    <select
                      data-testid="path-select"
                      value={props.path.pathId}
                      onChange={(e) => {
                        const next = (e.currentTarget as HTMLSelectElement).value;
                        record({ type: "activePath.set", payload: { pathId: next } });
                        location.assign(`/learn?path=${encodeURIComponent(next)}`);
                      }}
                    >
                      {props.paths.map((p) => (
                        <option key={p.pathId} value={p.pathId}>{p.title}</option>
                      ))}
                    </select>
                  </label>
                )}
              </div>
              <div
                class="progress-bar"
                role="progressbar"
                aria-label="Path progress"
                aria-valuemin={0}
                aria-valuemax={lessons.length}
                aria-valuenow={done}
              >
                <span style={`width:${lessons.length ? (done / lessons.length) * 100 : 0}%`} />
              </div>
              <p class="cluster small">
                <span data-testid="path-done">{done} of {lessons.length} done</span>
                {overall && (
                  <>
                    <span class="muted">·</span>
                    <span data-testid="learn-headline">
                      Overall {headlineText({
                        done: overall.completedActivities,
                        total: overall.totalActivities,
                        percentage: overall.percentageComplete,
                      })}
                    </span>
                    <span class="muted">·</span>
                    <span data-testid="learn-streak">
                      {streak} day{streak === 1 ? "" : "s"} streak
                    </span>
                  </>
                )}
                {snapshot.lastUpdated && (
                  <>
                    <span class="muted">·</span>
                    <span class="muted">
                      Last activity{" "}
                      <time dateTime={snapshot.lastUpdated}>
                        {timeAgo(snapshot.lastUpdated, now)}
                      </time>
                    </span>
                  </>
                )}
              </p>
              {!snapshot.onboarding.completed && pathId && (
                <div class="onboarding" data-testid="onboarding">
                  <span>
                    Make {props.path.title} your path: it shows first whenever you come back.
                  </span>
                  <button
                    type="button"
                    class="button button-small"
                    onClick={() => {
                      record({ type: "onboarding.completed", payload: { pathId } });
                      record({ type: "activePath.set", payload: { pathId } });
                    }}
                  >
                    Start this path
                  </button>
                </div>
              )}
            </section>
            <div class="learn-layout">
              <nav class="card learn-steps" aria-label="Lessons">
                <ol>
                  {lessons.map((lesson) => {
                    const status = statusOf(lesson);
                    const others = viewOf(lesson.activityId).doneBy.filter((s) => s !== "browser");
                    return (
                      <li key={lesson.activityId}>
                        <button
                          type="button"
                          class="learn-step"
                          data-testid={`step-${lesson.activityId}`}
                          data-status={status}
                          aria-current={current?.activityId === lesson.activityId
                            ? "step"
                            : undefined}
                          onClick={() => {
                            setSelected(lesson.activityId);
                            // Where the player sits above the list (narrow screens), show it.
                            requestAnimationFrame(() =>
                              document.querySelector("[data-testid=lesson]")?.scrollIntoView({
                                block: "nearest",
                              })
                            );
                          }}
                        >
                          <span class="learn-step-icon" data-status={status} aria-hidden="true" />
                          <span class="learn-step-title">{lesson.title}</span>
                          <span class="muted small">
                            {humanize(lesson.activityType)} · {SHOWN_LABEL[status]}
                            {others.length > 0 && (
                              <span data-testid={`elsewhere-${lesson.activityId}`}>
                                {` · done in ${others.map(humanize).join(", ")}`}
                              </span>
                            )}
                          </span>
                        </button>
                      </li>
                    );
                  })}
                </ol>
              </nav>
              {current && (
                <LessonPanel
                  key={current.activityId}
                  lesson={current}
                  view={viewOf(current.activityId)}
                  snapshot={snapshot}
                  record={record}
                  ready={engine !== null}
                />
              )}
            </div>
          </>
        )}
      <SyncLog engine={engine} titles={titles} now={now} />
      {props.path && lessons.length > 0 && (
        <ResetProgress
          pathTitle={props.path.title}
          lessons={lessons}
          onReset={() =>
            record({
              type: "progress.reset",
              payload: { contentIds: lessons.map((l) => l.activityId) },
            })}
          disabled={engine === null}
        />
      )}
    </div>
  );
}

interface PanelProps {
  lesson: Lesson;
  /** The lesson as shown: the server's state with the device's laid over. */
  view: LessonView;
  snapshot: LearningProgressSnapshot;
  record: (event: NewLearningEvent) => void;
  ready: boolean;
}

function LessonPanel(props: PanelProps) {
  const { lesson, view } = props;
  const status = shownStatus(view, lesson.activityType);
  return (
    <section
      class="card learn-lesson"
      aria-labelledby="lesson-heading"
      data-testid="lesson"
      data-activity-id={lesson.activityId}
    >
      <div class="card-header">
        <h2 id="lesson-heading">{lesson.title}</h2>
        <span class="learn-badge" data-status={status} data-testid="lesson-status">
          {SHOWN_LABEL[status]}
          {view.score !== null ? ` · best ${view.score}%` : ""}
        </span>
      </div>
      {lesson.content.kind === "video" && (
        <VideoLesson {...props} durationSeconds={lesson.content.durationSeconds} />
      )}
      {lesson.content.kind === "quiz" && <QuizLesson {...props} />}
      {lesson.content.kind === "todo" && <TodoLesson {...props} />}
    </section>
  );
}

function VideoLesson(props: PanelProps & { durationSeconds: number }) {
  const { lesson, snapshot, record, durationSeconds } = props;
  const id = lesson.activityId;
  const playbackId = interactionId(id, "playback");
  const saved = snapshot.interactions[playbackId]?.state;
  const done = props.view.status === "done";
  const savedPosition = typeof saved?.positionSeconds === "number" ? saved.positionSeconds : 0;
  const [position, setPosition] = useState(
    done && savedPosition >= durationSeconds ? 0 : savedPosition,
  );
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const live = useRef({ position, reported: position, lastBeat: 0 });
  live.current.position = position;

  const report = (status: "in_progress" | "completed", at: number) => {
    const watched = Math.max(0, at - live.current.reported);
    live.current.reported = at;
    live.current.lastBeat = Date.now();
    record({
      type: "content.progressed",
      payload: {
        contentId: id,
        status,
        interaction: {
          interactionId: playbackId,
          state: {
            kind: "video",
            positionSeconds: Math.round(at * 10) / 10,
            durationSeconds,
            percent: Math.round((at / durationSeconds) * 1000) / 10,
            watchedSeconds: Math.round(watched * 10) / 10,
          },
        },
      },
    });
  };

  useEffect(() => {
    if (!playing) return;
    live.current.lastBeat = Date.now();
    const timer = setInterval(() => {
      const step = (durationSeconds / PLAYBACK_SECONDS) * (TICK_MS / 1000) * speed;
      const next = Math.min(durationSeconds, live.current.position + step);
      setPosition(next);
      live.current.position = next;
      if (next >= durationSeconds) {
        setPlaying(false);
        report("completed", next);
      } else if (Date.now() - live.current.lastBeat >= HEARTBEAT_MS) {
        report("in_progress", next);
      }
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing, speed]);

  const percent = Math.round((position / durationSeconds) * 100);
  return (
    <div class="stack">
      <div class="video-screen" data-playing={playing ? "" : undefined}>
        <span class="video-title">{lesson.title}</span>
        <span class="muted small">
          Simulated playback: the whole video plays in {PLAYBACK_SECONDS} s at 1×
        </span>
      </div>
      <div
        class="progress-bar video-progress"
        role="progressbar"
        aria-label="Video progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        data-testid="video-progress"
      >
        <span style={`width:${percent}%`} />
      </div>
      <div class="cluster">
        <button
          type="button"
          class="button"
          data-testid="video-play"
          disabled={!props.ready}
          onClick={() => {
            if (playing) {
              setPlaying(false);
              if (position > live.current.reported) report("in_progress", position);
            } else {
              if (position >= durationSeconds) {
                setPosition(0);
                live.current.position = 0;
                live.current.reported = 0;
              }
              setPlaying(true);
            }
          }}
        >
          {playing
            ? "Pause"
            : position >= durationSeconds || (done && position === 0)
            ? "Watch again"
            : position > 0
            ? "Resume"
            : "Play"}
        </button>
        <span class="muted small" data-testid="video-time">
          {formatClock(position)} / {formatClock(durationSeconds)}
        </span>
        <span class="cluster small" role="group" aria-label="Playback speed">
          {[1, 4, 16].map((s) => (
            <button
              key={s}
              type="button"
              class={`button button-small ${s === speed ? "" : "button-secondary"}`}
              aria-pressed={s === speed}
              data-testid={`video-speed-${s}`}
              onClick={() => setSpeed(s)}
            >
              {s}×
            </button>
          ))}
        </span>
      </div>
      {done && <p class="muted small" data-testid="video-done">Watched. Your progress is saved.</p>}
    </div>
  );
}

function QuizLesson(props: PanelProps) {
  const { lesson, snapshot, record } = props;
  const [submitted, setSubmitted] = useState<number | null>(null);
  if (lesson.content.kind !== "quiz") return null;
  const { questions, passScore } = lesson.content;
  const id = lesson.activityId;
  const answers: Record<string, string | null> = {};
  for (const question of questions) {
    const state = snapshot.interactions[interactionId(id, question.id)]?.state;
    answers[question.id] = state?.kind === "quiz" && typeof state.selectedOptionId === "string"
      ? state.selectedOptionId
      : null;
  }
  const answered = questions.every((question) => answers[question.id] !== null);
  const done = props.view.status === "done";
  return (
    <form
      class="stack quiz"
      onSubmit={(e) => {
        e.preventDefault();
        const score = quizScore(questions, answers);
        setSubmitted(score);
        record({
          type: "content.progressed",
          // Below the pass mark the attempt is "not passed yet": in progress, its score kept.
          payload: { contentId: id, status: score >= passScore ? "passed" : "in_progress", score },
        });
      }}
    >
      {questions.map((question, n) => (
        <fieldset key={question.id} class="quiz-question">
          <legend>
            {n + 1}. {question.prompt}
          </legend>
          {question.options.map((option) => (
            <label key={option.id} class="quiz-option">
              <input
                type="radio"
                name={`${id}-${question.id}`}
                value={option.id}
                checked={answers[question.id] === option.id}
                disabled={!props.ready}
                data-testid={`option-${question.id}-${option.id}`}
                onChange={() =>
                  record({
                    type: "content.progressed",
                    payload: {
                      contentId: id,
                      status: "in_progress",
                      interaction: {
                        interactionId: interactionId(id, question.id),
                        state: { kind: "quiz", selectedOptionId: option.id },
                      },
                    },
                  })}
              />{" "}
              {option.label}
            </label>
          ))}
        </fieldset>
      ))}
      <div class="cluster">
        <button
          type="submit"
          class="button"
          data-testid="quiz-submit"
          disabled={!answered || !props.ready}
        >
          Submit answers
        </button>
        {Object.values(answers).some((a) => a !== null) && (
          <button
            type="button"
            class="button button-secondary"
            data-testid="quiz-clear"
            onClick={() => {
              setSubmitted(null);
              for (const question of questions) {
                if (answers[question.id] === null) continue;
                record({
                  type: "content.progressed",
                  payload: {
                    contentId: id,
                    status: "in_progress",
                    interaction: { interactionId: interactionId(id, question.id), state: null },
                  },
                });
              }
            }}
          >
            Clear answers
          </button>
        )}
      </div>
      {submitted !== null && (
        <p
          class={submitted >= passScore ? "alert alert-success" : "alert"}
          data-testid="quiz-result"
        >
          You scored {submitted}% —{" "}
          {submitted >= passScore ? "passed" : `${passScore}% passes, try again`}.
        </p>
      )}
      {submitted === null && props.view.status !== "not_started" && props.view.score !== null && (
        <p class="muted small" data-testid="quiz-result">
          {done ? "Passed" : "Not passed yet"} with a best score of {props.view.score}%.
        </p>
      )}
    </form>
  );
}

function TodoLesson(props: PanelProps) {
  const { lesson, snapshot, record } = props;
  if (lesson.content.kind !== "todo") return null;
  const { tasks } = lesson.content;
  const id = lesson.activityId;
  const ticked = (taskId: string) =>
    snapshot.interactions[interactionId(id, taskId)]?.state?.done === true;
  return (
    <ul class="todo-list">
      {tasks.map((task) => (
        <li key={task.id}>
          <label class="todo-item">
            <input
              type="checkbox"
              checked={ticked(task.id)}
              disabled={!props.ready}
              data-testid={`task-${task.id}`}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                const allDone = tasks.every((t) => (t.id === task.id ? on : ticked(t.id)));
                record({
                  type: "content.progressed",
                  payload: {
                    contentId: id,
                    status: allDone ? "completed" : "in_progress",
                    interaction: {
                      interactionId: interactionId(id, task.id),
                      state: on ? { kind: "todo", done: true } : null,
                    },
                  },
                });
              }}
            />{" "}
            {task.label}
          </label>
        </li>
      ))}
    </ul>
  );
}

const SYNC_LABEL: Record<LearningSyncStatus, string> = {
  local: "On this device",
  syncing: "Syncing",
  synced: "Synced",
  error: "Error",
};

function SyncLog(
  props: { engine: LearningSyncEngine | null; titles: Record<string, string>; now: number },
) {
  const events = props.engine?.events ?? [];
  const shown = events.slice(-30).reverse();
  return (
    <details class="card sync-log" data-testid="sync-log">
      <summary>
        Sync log{" "}
        <span class="muted small">
          ({events.length} {events.length === 1 ? "event" : "events"})
        </span>
      </summary>
      {shown.length === 0 ? <p class="empty">Nothing recorded yet.</p> : (
        <ul class="activity-list">
          {shown.map((event) => {
            const status = props.engine!.statusOf(event.eventId);
            const error = props.engine!.errorOf(event.eventId);
            return (
              <li
                key={event.eventId}
                class="activity"
                data-testid="event-row"
                data-event-id={event.eventId}
                data-status={status}
              >
                <div class="activity-main">
                  <span class="activity-title">{describe(event, props.titles)}</span>
                  {error && status === "error" && <span class="muted small">{error}</span>}
                </div>
                <span class="cluster">
                  <span class="sync-badge" data-status={status}>{SYNC_LABEL[status]}</span>
                  <time class="activity-time" dateTime={event.occurredAt}>
                    {timeAgo(event.occurredAt, props.now)}
                  </time>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </details>
  );
}

function ResetProgress(
  props: { pathTitle: string; lessons: Lesson[]; onReset: () => void; disabled: boolean },
) {
  const [confirming, setConfirming] = useState(false);
  const count = props.lessons.length;
  return (
    <p class="cluster small learn-reset">
      {confirming
        ? (
          <>
            <span data-testid="reset-scope">
              Start the {count} lesson{count === 1 ? "" : "s"} of {props.pathTitle} over (
              {props.lessons.map((l) => l.title).join(", ")})? They show as not started in every
              system; your other activities, todos and calendar entries stay as they are, and your
              history is kept.
            </span>
            <button
              type="button"
              class="button button-danger button-small"
              data-testid="reset-confirm"
              onClick={() => {
                props.onReset();
                setConfirming(false);
              }}
            >
              Reset my progress
            </button>
            <button
              type="button"
              class="button button-secondary button-small"
              onClick={() => setConfirming(false)}
            >
              Cancel
            </button>
          </>
        )
        : (
          <button
            type="button"
            class="button-link"
            data-testid="reset-progress"
            disabled={props.disabled}
            onClick={() => setConfirming(true)}
          >
            Reset this path…
          </button>
        )}
    </p>
  );
}
