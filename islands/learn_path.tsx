import { monotonicFactory } from "ulid";
import { useEffect, useMemo, useState } from "preact/hooks";
import { SyncStatus } from "../components/sync_status.tsx";
import { humanize, timeAgo } from "../components/format.ts";
import type { Lesson } from "../lib/core/lesson_content.ts";
import type { KeyValueStorage } from "../lib/browser/local_store.ts";
import { emptySnapshot, type LearningProgressSnapshot } from "../lib/core/learning_snapshot.ts";
import { type LessonView, lessonViewOf, type ServerActivity } from "../lib/core/lesson_view.ts";
import {
  connectBrowserSignals,
  LearningSyncEngine,
  type NewLearningEvent,
  type SyncView,
} from "../lib/browser/sync_engine.ts";
import { liveActivities, overallProgress } from "../lib/browser/live_client.ts";
import { headlineText } from "../lib/core/progress_model.ts";
import type { OverallProgress } from "../lib/core/unified_view.ts";
import { LessonPanel, SHOWN_LABEL, type ShownStatus, shownStatus } from "./learn/lesson_panels.tsx";
import { SyncLog } from "./learn/sync_log.tsx";
import { ResetProgress } from "./learn/reset_progress.tsx";

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
