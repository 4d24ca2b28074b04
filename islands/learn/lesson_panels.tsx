/** The learn page's lesson panel: a video, quiz or todo lesson with its status. */
import { useEffect, useRef, useState } from "preact/hooks";
import type { LearningContentStatus } from "../../lib/core/learning_events.ts";
import { interactionId, type Lesson, quizScore } from "../../lib/core/lesson_content.ts";
import { type LearningProgressSnapshot } from "../../lib/core/learning_snapshot.ts";
import { type LessonView } from "../../lib/core/lesson_view.ts";
import { type NewLearningEvent } from "../../lib/browser/sync_engine.ts";

/** Simulated playback shows a whole video in this many seconds at 1×. */
const PLAYBACK_SECONDS = 10;
const TICK_MS = 250;
/** A progress heartbeat is recorded this often while a video plays. */
const HEARTBEAT_MS = 2000;

/** How each learning status reads. */
export const STATUS_LABEL: Record<LearningContentStatus, string> = {
  not_started: "Not started",
  in_progress: "In progress",
  completed: "Completed",
  passed: "Passed",
};

/** How a lesson's view is marked (`data-status`) and labelled. */
export type ShownStatus = LearningContentStatus | "not_passed";

/** How each shown status reads (a failed quiz is "Not passed yet"). */
export const SHOWN_LABEL: Record<ShownStatus, string> = {
  ...STATUS_LABEL,
  not_passed: "Not passed yet",
};

/** The status a lesson is shown with: done reads as passed for a scored quiz, else completed. */
export function shownStatus(view: LessonView, activityType: string): ShownStatus {
  if (view.status !== "done") return view.status;
  return activityType === "quiz" && view.score !== null ? "passed" : "completed";
}

function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** What a lesson panel needs: the lesson, its view, the snapshot and how to record an event. */
export interface PanelProps {
  lesson: Lesson;
  /** The lesson as shown: the server's state with the device's laid over. */
  view: LessonView;
  snapshot: LearningProgressSnapshot;
  record: (event: NewLearningEvent) => void;
  ready: boolean;
}

/** The current lesson: title, status and the video, quiz or todo to work on. */
export function LessonPanel(props: PanelProps) {
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
