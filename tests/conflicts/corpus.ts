/**
 * The labelled conflict corpus: scenarios of events from several systems, each with the conflicts
 * a careful person would say it contains and the states it must end in. Labels are the truth, not
 * what the detector happens to do: a few scenarios are known misses of the rules (marked `hard`),
 * and they count against the figures `corpus_test.ts` prints.
 */
import type { ConflictType } from "../../lib/core/conflict.ts";

/** A day every scenario happens on (times are UTC). */
const DAY = "2026-01-05";

/** An instant on the scenario day (or `days` later): `at("10:05")`, `at("10:05:30")`. */
export function at(time: string, days = 0): string {
  const base = Date.parse(`${DAY}T${time.length === 5 ? `${time}:00` : time}.000Z`);
  return new Date(base + days * 86_400_000).toISOString();
}

/** A timestamp `ms` ahead of the moment the event is posted (a device whose clock runs ahead). */
export function ahead(ms: number): string {
  return `ahead:${ms}`;
}

/** An event as a system posts it; `timestamp` may be `ahead(ms)`. */
export interface CorpusEvent {
  id: string;
  eventType: string;
  sourceSystem: string;
  eventData: Record<string, unknown>;
  timestamp: string;
}

/** A conflict the scenario contains: its type, activity, and every event that may be part of it. */
export interface ExpectedConflict {
  type: ConflictType;
  activityId: string;
  events: string[];
  /** True when it should settle without the student. */
  auto: boolean;
}

/** Expected fields of an activity's state; `completedAt: "received"` means about when it was posted. */
export interface ExpectedState {
  status?: string;
  completedAt?: string | null;
  percentComplete?: number;
  timeSpentMinutes?: number;
  bestScore?: number | null;
}

/** What the scenario must end in. */
export interface Expectations {
  states?: Record<string, ExpectedState>;
  /** Derived status of the student's todos and calendar entries. */
  items?: Record<string, "open" | "in_progress" | "completed">;
}

/** A student's decision applied after delivery, and what it must lead to. */
export interface Resolution extends Expectations {
  /** Index into `conflicts` of the conflict to resolve. */
  conflict: number;
  resolutionType: "use_latest" | "use_most_complete" | "merge_data" | "manual_review";
  userData?: Record<string, unknown>;
}

/** How the events reach the service. */
export interface Delivery {
  /** Indexes of `events` in arrival order (default: as listed). */
  order?: number[];
  /** Arrival as requests of several events each (indexes of `events`); default one per request. */
  batches?: number[][];
  /** Post every event again once all are processed (redelivery: nothing may change). */
  redeliver?: boolean;
}

/** One labelled scenario. */
export interface Scenario {
  name: string;
  tags: string[];
  /** The student's items: each tracks catalog activities. */
  items?: { itemId: string; kind: "todo" | "schedule"; activityIds: string[] }[];
  events: CorpusEvent[];
  delivery?: Delivery;
  conflicts: ExpectedConflict[];
  expect: Expectations;
  resolve?: Resolution[];
  /** A known miss of the detection rules: the labels say what is true, not what is detected. */
  hard?: string;
}

/** The catalog every scenario runs against. */
export const CATALOG = [
  { activityId: "video-1", title: "Promises explained", activityType: "video" },
  { activityId: "video-2", title: "Async and await", activityType: "video" },
  { activityId: "quiz-1", title: "Promises quiz", activityType: "quiz" },
  { activityId: "practice-1", title: "Fetch practice", activityType: "practice" },
] as const;

const TODO_1 = { itemId: "todo-1", kind: "todo" as const, activityIds: ["video-1"] };
const CAL_1 = { itemId: "cal-1", kind: "schedule" as const, activityIds: ["video-1"] };
const CAL_2 = { itemId: "cal-2", kind: "schedule" as const, activityIds: ["video-2", "quiz-1"] };
const TODO_2 = { itemId: "todo-2", kind: "todo" as const, activityIds: ["video-1"] };
const CAL_Q = { itemId: "cal-q", kind: "schedule" as const, activityIds: ["quiz-1"] };

// ---------- event builders (what each system sends) ----------

function video(
  id: string,
  timestamp: string,
  options: {
    status?: string;
    pct?: number;
    minutes?: number;
    completedAt?: string;
    activityId?: string;
  } = {},
): CorpusEvent {
  const status = options.status ?? "completed";
  const activityId = options.activityId ?? "video-1";
  return {
    id,
    eventType: status === "completed" ? "video_completed" : "activity_progressed",
    sourceSystem: "video_player",
    eventData: {
      activityId,
      activityType: "video",
      completionStatus: status,
      ...(options.minutes === undefined ? {} : { timeSpent: options.minutes }),
      videoProgress: {
        videoId: activityId,
        percentageWatched: options.pct ?? (status === "completed" ? 100 : 0),
        ...(options.completedAt ? { completedAt: options.completedAt } : {}),
      },
    },
    timestamp,
  };
}

function itemReport(
  id: string,
  timestamp: string,
  itemId: string,
  options: { status?: string; minutes?: number } = {},
): CorpusEvent {
  const todo = itemId.startsWith("todo");
  const status = options.status ?? "completed";
  return {
    id,
    eventType: status !== "completed"
      ? "activity_progressed"
      : todo
      ? "todo_completed"
      : "schedule_completed",
    sourceSystem: todo ? "todo_manager" : "calendar_service",
    eventData: {
      activityType: "video",
      completionStatus: status,
      ...(options.minutes === undefined ? {} : { timeSpent: options.minutes }),
      ...(todo
        ? { todoProgress: { todoId: itemId } }
        : { scheduleProgress: { scheduleId: itemId, actualEndTime: timestamp } }),
    },
    timestamp,
  };
}

function report(
  id: string,
  system: string,
  timestamp: string,
  activityId: string,
  options: { status?: string; minutes?: number; score?: number; pct?: number; eventType?: string } =
    {},
): CorpusEvent {
  const status = options.status ?? "completed";
  const type = CATALOG.find((a) => a.activityId === activityId)?.activityType ?? "practice";
  return {
    id,
    eventType: options.eventType ?? "activity_progressed",
    sourceSystem: system,
    eventData: {
      activityId,
      activityType: type,
      completionStatus: status,
      ...(options.minutes === undefined ? {} : { timeSpent: options.minutes }),
      ...(options.score === undefined ? {} : { score: options.score }),
      ...(options.pct === undefined
        ? {}
        : { videoProgress: { videoId: activityId, percentageWatched: options.pct } }),
    },
    timestamp,
  };
}

function pathStep(
  id: string,
  timestamp: string,
  activityId: string,
  system = "ai_journey",
): CorpusEvent {
  return {
    id,
    eventType: "path_progress_updated",
    sourceSystem: system,
    eventData: {
      activityId,
      activityType: CATALOG.find((a) => a.activityId === activityId)?.activityType ?? "video",
      completionStatus: "completed",
      pathProgress: {
        pathId: "js-path",
        stepId: `step-${activityId}`,
        stepIndex: 0,
        totalSteps: 3,
      },
    },
    timestamp,
  };
}

function reset(id: string, timestamp: string, activityId: string, system = "browser"): CorpusEvent {
  return report(id, system, timestamp, activityId, {
    status: "started",
    eventType: "progress_reset",
  });
}

// ---------- the scenarios ----------

export const SCENARIOS: Scenario[] = [
  // --- duplicates ---
  {
    name: "a video completion echoed by the todo manager 2 min later is one completion",
    tags: ["duplicate_event", "propagation_backward"],
    items: [TODO_1],
    events: [
      video("v", at("10:00"), { minutes: 10 }),
      itemReport("t", at("10:02"), "todo-1", { minutes: 5 }),
    ],
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["v", "t"], auto: true }],
    expect: {
      states: {
        "video-1": { status: "completed", completedAt: at("10:00"), timeSpentMinutes: 10 },
      },
      items: { "todo-1": "completed" },
    },
  },
  {
    name: "the same duplicate arriving the other way round",
    tags: ["duplicate_event", "out_of_order"],
    items: [TODO_1],
    events: [
      video("v", at("10:00"), { minutes: 10 }),
      itemReport("t", at("10:02"), "todo-1", { minutes: 5 }),
    ],
    delivery: { order: [1, 0] },
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["v", "t"], auto: true }],
    expect: {
      states: {
        "video-1": { status: "completed", completedAt: at("10:00"), timeSpentMinutes: 10 },
      },
    },
  },
  {
    name: "the same duplicate in one batch",
    tags: ["duplicate_event", "batch"],
    items: [TODO_1],
    events: [
      video("v", at("10:00"), { minutes: 10 }),
      itemReport("t", at("10:02"), "todo-1", { minutes: 5 }),
    ],
    delivery: { batches: [[1, 0]] },
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["v", "t"], auto: true }],
    expect: { states: { "video-1": { timeSpentMinutes: 10 } } },
  },
  {
    name: "redelivering both reports changes nothing and raises nothing new",
    tags: ["duplicate_event", "redelivery"],
    items: [TODO_1],
    events: [
      video("v", at("10:00"), { minutes: 10 }),
      itemReport("t", at("10:02"), "todo-1", { minutes: 5 }),
    ],
    delivery: { redeliver: true },
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["v", "t"], auto: true }],
    expect: { states: { "video-1": { timeSpentMinutes: 10 } } },
  },
  {
    name: "a quiz result resent under a new id in the same second",
    tags: ["duplicate_event", "resend"],
    events: [
      report("q1", "quiz_engine", at("10:00"), "quiz-1", { score: 80, minutes: 6 }),
      report("q2", "quiz_engine", at("10:00"), "quiz-1", { score: 80, minutes: 6 }),
    ],
    conflicts: [{
      type: "duplicate_event",
      activityId: "quiz-1",
      events: ["q1", "q2"],
      auto: true,
    }],
    expect: { states: { "quiz-1": { status: "completed", bestScore: 80, timeSpentMinutes: 6 } } },
  },
  {
    name: "the quiz engine and the browser report the same quiz completion 40 s apart",
    tags: ["duplicate_event"],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { score: 90, minutes: 8 }),
      report("b", "browser", at("10:00:40"), "quiz-1", { score: 90, minutes: 8 }),
    ],
    conflicts: [{ type: "duplicate_event", activityId: "quiz-1", events: ["q", "b"], auto: true }],
    expect: { states: { "quiz-1": { status: "completed", timeSpentMinutes: 8, bestScore: 90 } } },
  },
  {
    name: "player and browser heartbeats 6 s apart are one viewing session (seed 002)",
    tags: ["duplicate_event", "heartbeat"],
    events: [
      video("p", at("10:00:00"), { status: "in_progress", pct: 40, minutes: 1 }),
      report("b", "browser", at("10:00:06"), "video-1", {
        status: "in_progress",
        pct: 41,
        minutes: 1,
      }),
    ],
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["p", "b"], auto: true }],
    expect: {
      states: { "video-1": { status: "in_progress", timeSpentMinutes: 1, percentComplete: 41 } },
    },
  },
  {
    name: "a heartbeat resent in the same second",
    tags: ["duplicate_event", "heartbeat", "resend"],
    events: [
      video("p1", at("10:00:00"), { status: "in_progress", pct: 40, minutes: 1 }),
      video("p2", at("10:00:00"), { status: "in_progress", pct: 40, minutes: 1 }),
    ],
    conflicts: [{
      type: "duplicate_event",
      activityId: "video-1",
      events: ["p1", "p2"],
      auto: true,
    }],
    expect: { states: { "video-1": { timeSpentMinutes: 1 } } },
  },
  {
    name: "two systems streaming heartbeats for one session",
    tags: ["duplicate_event", "heartbeat", "batch"],
    events: [
      video("p1", at("10:00:00"), { status: "in_progress", pct: 10, minutes: 0.5 }),
      report("b1", "browser", at("10:00:04"), "video-1", {
        status: "in_progress",
        pct: 11,
        minutes: 0.5,
      }),
      video("p2", at("10:00:30"), { status: "in_progress", pct: 20, minutes: 0.5 }),
      report("b2", "browser", at("10:00:35"), "video-1", {
        status: "in_progress",
        pct: 21,
        minutes: 0.5,
      }),
    ],
    delivery: { batches: [[0, 1], [2, 3]] },
    conflicts: [
      { type: "duplicate_event", activityId: "video-1", events: ["p1", "b1"], auto: true },
      { type: "duplicate_event", activityId: "video-1", events: ["p2", "b2"], auto: true },
    ],
    expect: { states: { "video-1": { timeSpentMinutes: 1, percentComplete: 21 } } },
  },
  {
    name: "a todo and a calendar entry both echo a video completion",
    tags: ["duplicate_event", "propagation_backward"],
    items: [TODO_1, CAL_1],
    events: [
      video("v", at("10:00"), { minutes: 12 }),
      itemReport("t", at("10:01"), "todo-1"),
      itemReport("c", at("10:03"), "cal-1"),
    ],
    conflicts: [
      { type: "duplicate_event", activityId: "video-1", events: ["v", "t"], auto: true },
      { type: "duplicate_event", activityId: "video-1", events: ["v", "t", "c"], auto: true },
    ],
    expect: {
      states: { "video-1": { completedAt: at("10:00"), timeSpentMinutes: 12 } },
      items: { "todo-1": "completed", "cal-1": "completed" },
    },
  },
  {
    name: "the calendar reports first, the video player 3 min later (backward, then forward)",
    tags: ["duplicate_event", "propagation_backward", "propagation_forward"],
    items: [TODO_1, CAL_1],
    events: [
      itemReport("c", at("10:00"), "cal-1", { minutes: 30 }),
      video("v", at("10:03"), { minutes: 25 }),
    ],
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["c", "v"], auto: true }],
    expect: {
      states: { "video-1": { completedAt: at("10:00"), timeSpentMinutes: 30 } },
      items: { "todo-1": "completed", "cal-1": "completed" },
    },
  },
  {
    name: "five minutes apart exactly is still one completion",
    tags: ["duplicate_event", "edge"],
    events: [video("v", at("10:00")), report("b", "browser", at("10:05"), "video-1")],
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["v", "b"], auto: true }],
    expect: { states: { "video-1": { completedAt: at("10:00") } } },
  },
  {
    name: "a duplicate among unrelated activity on other activities",
    tags: ["duplicate_event", "batch", "noise"],
    events: [
      report("x1", "quiz_engine", at("09:50"), "quiz-1", { status: "in_progress", minutes: 4 }),
      video("v", at("10:00"), { minutes: 9 }),
      report("x2", "browser", at("10:00:30"), "practice-1", { status: "started" }),
      report("b", "browser", at("10:01"), "video-1", { minutes: 9 }),
      report("x3", "quiz_engine", at("10:20"), "quiz-1", { score: 70, minutes: 6 }),
    ],
    delivery: { batches: [[0, 1, 2], [3, 4]] },
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["v", "b"], auto: true }],
    expect: {
      states: {
        "video-1": { timeSpentMinutes: 9 },
        "quiz-1": { status: "completed", timeSpentMinutes: 10 },
        "practice-1": { status: "started" },
      },
    },
  },
  {
    name: "a client retrying 2 s later with a fresh id and timestamp",
    tags: ["duplicate_event", "resend"],
    hard: "a resend is recognised only when it keeps the report's timestamp (a player's " +
      "heartbeats may repeat their content)",
    events: [
      report("q1", "quiz_engine", at("10:00:00"), "quiz-1", { score: 75, minutes: 5 }),
      report("q2", "quiz_engine", at("10:00:02"), "quiz-1", { score: 75, minutes: 5 }),
    ],
    conflicts: [{
      type: "duplicate_event",
      activityId: "quiz-1",
      events: ["q1", "q2"],
      auto: true,
    }],
    expect: { states: { "quiz-1": { status: "completed", bestScore: 75 } } },
  },
  {
    name: "the AI journey marks the path step done 30 s after the video player",
    tags: ["duplicate_event"],
    events: [video("v", at("10:00"), { minutes: 9 }), pathStep("j", at("10:00:30"), "video-1")],
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["v", "j"], auto: true }],
    expect: { states: { "video-1": { status: "completed", timeSpentMinutes: 9 } } },
  },
  {
    name: "the path generator echoes a quiz completion a minute later, delivered first",
    tags: ["duplicate_event", "out_of_order"],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { score: 92, minutes: 7 }),
      pathStep("g", at("10:01"), "quiz-1", "learning_path_generator"),
    ],
    delivery: { order: [1, 0] },
    conflicts: [{ type: "duplicate_event", activityId: "quiz-1", events: ["q", "g"], auto: true }],
    expect: {
      states: { "quiz-1": { status: "completed", completedAt: at("10:00"), bestScore: 92 } },
    },
  },
  {
    name: "three systems report one quiz completion within two minutes",
    tags: ["duplicate_event"],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { score: 70, minutes: 6 }),
      report("b", "browser", at("10:00:20"), "quiz-1", { score: 70, minutes: 6 }),
      report("c", "chat_system", at("10:02"), "quiz-1", { minutes: 2 }),
    ],
    conflicts: [
      { type: "duplicate_event", activityId: "quiz-1", events: ["q", "b"], auto: true },
      { type: "duplicate_event", activityId: "quiz-1", events: ["q", "b", "c"], auto: true },
    ],
    expect: { states: { "quiz-1": { status: "completed", timeSpentMinutes: 6 } } },
  },
  {
    name: "two todos tracking one video both echo its completion",
    tags: ["duplicate_event", "propagation_backward", "propagation_forward"],
    items: [TODO_1, TODO_2],
    events: [
      video("v", at("10:00"), { minutes: 8 }),
      itemReport("t1", at("10:00:40"), "todo-1"),
      itemReport("t2", at("10:01:10"), "todo-2"),
    ],
    conflicts: [
      { type: "duplicate_event", activityId: "video-1", events: ["v", "t1"], auto: true },
      { type: "duplicate_event", activityId: "video-1", events: ["v", "t1", "t2"], auto: true },
    ],
    expect: {
      states: { "video-1": { timeSpentMinutes: 8 } },
      items: { "todo-1": "completed", "todo-2": "completed" },
    },
  },
  {
    name: "a long session reported by the player and the browser, one request per report",
    tags: ["duplicate_event", "heartbeat"],
    events: [
      video("p1", at("10:00:00"), {
        activityId: "video-2",
        status: "in_progress",
        pct: 10,
        minutes: 1,
      }),
      report("b1", "browser", at("10:00:05"), "video-2", {
        status: "in_progress",
        pct: 10,
        minutes: 1,
      }),
      video("p2", at("10:01:00"), {
        activityId: "video-2",
        status: "in_progress",
        pct: 20,
        minutes: 1,
      }),
      report("b2", "browser", at("10:01:03"), "video-2", {
        status: "in_progress",
        pct: 20,
        minutes: 1,
      }),
      video("p3", at("10:02:00"), {
        activityId: "video-2",
        status: "in_progress",
        pct: 30,
        minutes: 1,
      }),
      report("b3", "browser", at("10:02:08"), "video-2", {
        status: "in_progress",
        pct: 31,
        minutes: 1,
      }),
    ],
    conflicts: [
      { type: "duplicate_event", activityId: "video-2", events: ["p1", "b1"], auto: true },
      { type: "duplicate_event", activityId: "video-2", events: ["p2", "b2"], auto: true },
      { type: "duplicate_event", activityId: "video-2", events: ["p3", "b3"], auto: true },
    ],
    expect: {
      states: { "video-2": { status: "in_progress", timeSpentMinutes: 3, percentComplete: 31 } },
    },
  },
  {
    name: "heartbeats from two systems arriving in reverse, then redelivered",
    tags: ["duplicate_event", "heartbeat", "out_of_order", "redelivery"],
    events: [
      video("p", at("10:00:00"), { status: "in_progress", pct: 50, minutes: 2 }),
      report("b", "browser", at("10:00:09"), "video-1", {
        status: "in_progress",
        pct: 50,
        minutes: 2,
      }),
    ],
    delivery: { order: [1, 0], redeliver: true },
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["p", "b"], auto: true }],
    expect: { states: { "video-1": { timeSpentMinutes: 2 } } },
  },
  // --- not duplicates ---
  {
    name: "one player's heartbeats every 5 s are progress, not duplicates",
    tags: ["negative", "heartbeat"],
    events: [
      video("p1", at("10:00:00"), { status: "in_progress", pct: 10, minutes: 0.1 }),
      video("p2", at("10:00:05"), { status: "in_progress", pct: 12, minutes: 0.1 }),
      video("p3", at("10:00:10"), { status: "in_progress", pct: 14, minutes: 0.1 }),
    ],
    conflicts: [],
    expect: { states: { "video-1": { timeSpentMinutes: 0.3, percentComplete: 14 } } },
  },
  {
    name:
      "a quiz retaken 3 min later is a second attempt: below the pass mark, then done at the pass",
    tags: ["negative"],
    events: [
      report("q1", "quiz_engine", at("10:00"), "quiz-1", { score: 60, minutes: 5 }),
      report("q2", "quiz_engine", at("10:03"), "quiz-1", { score: 85, minutes: 3 }),
    ],
    conflicts: [],
    expect: {
      states: { "quiz-1": { bestScore: 85, timeSpentMinutes: 8, completedAt: at("10:03") } },
    },
  },
  {
    name: "heartbeats from two systems 11 s apart",
    tags: ["negative", "heartbeat", "edge"],
    events: [
      video("p", at("10:00:00"), { status: "in_progress", pct: 40, minutes: 1 }),
      report("b", "browser", at("10:00:11"), "video-1", {
        status: "in_progress",
        pct: 42,
        minutes: 1,
      }),
    ],
    conflicts: [],
    expect: { states: { "video-1": { timeSpentMinutes: 2 } } },
  },
  {
    name: "a plain video completion updates the todo and the calendar entry (forward propagation)",
    tags: ["negative", "propagation_forward"],
    items: [TODO_1, CAL_1],
    events: [video("v", at("10:00"), { minutes: 11 })],
    conflicts: [],
    expect: {
      states: { "video-1": { status: "completed", timeSpentMinutes: 11 } },
      items: { "todo-1": "completed", "cal-1": "completed" },
    },
  },
  // --- timestamp mismatches ---
  {
    name: "seed 000: todo completed 10:00, schedule completed 10:30 → use_latest",
    tags: ["timestamp_mismatch", "propagation_backward"],
    items: [TODO_1, CAL_1],
    events: [itemReport("t", at("10:00"), "todo-1"), itemReport("c", at("10:30"), "cal-1")],
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "video-1",
      events: ["t", "c"],
      auto: true,
    }],
    expect: {
      states: { "video-1": { status: "completed", completedAt: at("10:30") } },
      items: { "todo-1": "completed", "cal-1": "completed" },
    },
  },
  {
    name: "seed 000's mismatch delivered the other way round",
    tags: ["timestamp_mismatch", "out_of_order"],
    items: [TODO_1, CAL_1],
    events: [itemReport("t", at("10:00"), "todo-1"), itemReport("c", at("10:30"), "cal-1")],
    delivery: { order: [1, 0] },
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "video-1",
      events: ["t", "c"],
      auto: true,
    }],
    expect: { states: { "video-1": { completedAt: at("10:30") } } },
  },
  {
    name: "the completion time inside the report counts, not when it was sent",
    tags: ["timestamp_mismatch"],
    items: [TODO_1],
    events: [
      video("v", at("10:40"), { completedAt: at("10:00") }),
      itemReport("t", at("10:40"), "todo-1"),
    ],
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "video-1",
      events: ["v", "t"],
      auto: true,
    }],
    expect: { states: { "video-1": { completedAt: at("10:40") } } },
  },
  {
    name: "5 min 1 s apart is a timestamp mismatch",
    tags: ["timestamp_mismatch", "edge"],
    events: [video("v", at("10:00:00")), report("b", "browser", at("10:05:01"), "video-1")],
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "video-1",
      events: ["v", "b"],
      auto: true,
    }],
    expect: { states: { "video-1": { completedAt: at("10:05:01") } } },
  },
  {
    name: "a calendar entry ending 3 h after the video completed",
    tags: ["timestamp_mismatch", "propagation_backward"],
    items: [CAL_1],
    events: [
      video("v", at("10:00"), { minutes: 12 }),
      itemReport("c", at("13:00"), "cal-1", { minutes: 60 }),
    ],
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "video-1",
      events: ["v", "c"],
      auto: true,
    }],
    expect: {
      states: { "video-1": { completedAt: at("13:00"), timeSpentMinutes: 72 } },
      items: { "cal-1": "completed" },
    },
  },
  {
    name: "the chat tutor and the quiz engine 20 min apart",
    tags: ["timestamp_mismatch"],
    events: [
      report("c", "chat_system", at("10:00"), "quiz-1"),
      report("q", "quiz_engine", at("10:20"), "quiz-1", { score: 88 }),
    ],
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "quiz-1",
      events: ["c", "q"],
      auto: true,
    }],
    expect: { states: { "quiz-1": { completedAt: at("10:20"), bestScore: 88 } } },
  },
  {
    name: "a quiz's calendar slot closes 45 min after the quiz engine reported it, in one batch",
    tags: ["timestamp_mismatch", "batch", "propagation_backward"],
    items: [CAL_Q],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { score: 81, minutes: 12 }),
      itemReport("c", at("10:45"), "cal-q"),
    ],
    delivery: { batches: [[1, 0]] },
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "quiz-1",
      events: ["q", "c"],
      auto: true,
    }],
    expect: {
      states: { "quiz-1": { status: "completed", completedAt: at("10:45"), bestScore: 81 } },
      items: { "cal-q": "completed" },
    },
  },
  {
    name: "the browser says the practice was finished 50 min after the tutor did",
    tags: ["timestamp_mismatch"],
    events: [
      report("c", "chat_system", at("14:00"), "practice-1", { minutes: 30 }),
      report("b", "browser", at("14:50"), "practice-1", { minutes: 20 }),
    ],
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "practice-1",
      events: ["c", "b"],
      auto: true,
    }],
    expect: { states: { "practice-1": { completedAt: at("14:50"), timeSpentMinutes: 50 } } },
  },
  {
    name: "completions two days apart wait for the student, who picks the later date",
    tags: ["timestamp_mismatch", "manual"],
    events: [video("v", at("10:00")), report("t", "browser", at("10:00", 2), "video-1")],
    conflicts: [{
      type: "timestamp_mismatch",
      activityId: "video-1",
      events: ["v", "t"],
      auto: false,
    }],
    expect: { states: { "video-1": { completedAt: at("10:00") } } },
    resolve: [{
      conflict: 0,
      resolutionType: "use_latest",
      states: { "video-1": { status: "completed", completedAt: at("10:00", 2) } },
    }],
  },
  {
    name: "completions eight days apart are separate completions",
    tags: ["negative", "timestamp_mismatch"],
    events: [video("v", at("10:00")), report("t", "browser", at("10:00", 8), "video-1")],
    conflicts: [],
    expect: { states: { "video-1": { completedAt: at("10:00") } } },
  },
  {
    name: "a calendar block covering a video and a quiz is not compared with the quiz's own time",
    tags: ["negative", "propagation_backward"],
    items: [CAL_2],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { score: 70 }),
      itemReport("c", at("10:45"), "cal-2", { minutes: 45 }),
    ],
    conflicts: [],
    expect: {
      states: {
        "quiz-1": { status: "completed", completedAt: at("10:00") },
        "video-2": { status: "completed", completedAt: at("10:45"), timeSpentMinutes: 45 },
      },
      items: { "cal-2": "completed" },
    },
  },
  // --- completion status conflicts ---
  {
    name: "an in-progress report 10 min after another system's completion is stale",
    tags: ["completion_status_conflict"],
    events: [
      video("v", at("10:00")),
      report("b", "browser", at("10:10"), "video-1", { status: "in_progress", pct: 60 }),
    ],
    conflicts: [{
      type: "completion_status_conflict",
      activityId: "video-1",
      events: ["v", "b"],
      auto: true,
    }],
    expect: {
      states: {
        "video-1": { status: "completed", completedAt: at("10:00"), percentComplete: 100 },
      },
    },
  },
  {
    name: "a todo skipped after the video was completed",
    tags: ["completion_status_conflict", "propagation_backward"],
    items: [TODO_1],
    events: [
      video("v", at("10:00")),
      itemReport("t", at("10:20"), "todo-1", { status: "skipped" }),
    ],
    conflicts: [{
      type: "completion_status_conflict",
      activityId: "video-1",
      events: ["v", "t"],
      auto: true,
    }],
    expect: { states: { "video-1": { status: "completed" } }, items: { "todo-1": "completed" } },
  },
  {
    name:
      "completed by the quiz engine, failed by the tutor 20 min later: the student decides failed",
    tags: ["completion_status_conflict", "manual"],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { score: 80, minutes: 5 }),
      report("c", "chat_system", at("10:20"), "quiz-1", { status: "failed", score: 40 }),
    ],
    conflicts: [{
      type: "completion_status_conflict",
      activityId: "quiz-1",
      events: ["q", "c"],
      auto: false,
    }],
    expect: { states: { "quiz-1": { status: "completed", bestScore: 80 } } },
    resolve: [{
      conflict: 0,
      resolutionType: "use_latest",
      states: {
        "quiz-1": { status: "failed", completedAt: null, bestScore: 80, timeSpentMinutes: 5 },
      },
    }],
  },
  {
    name: "the same outcome conflict arriving the other way round, kept completed",
    tags: ["completion_status_conflict", "manual", "out_of_order"],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { score: 80 }),
      report("c", "chat_system", at("10:20"), "quiz-1", { status: "failed" }),
    ],
    delivery: { order: [1, 0] },
    conflicts: [{
      type: "completion_status_conflict",
      activityId: "quiz-1",
      events: ["q", "c"],
      auto: false,
    }],
    expect: { states: { "quiz-1": { status: "completed" } } },
    resolve: [{
      conflict: 0,
      resolutionType: "use_most_complete",
      states: { "quiz-1": { status: "completed", completedAt: at("10:00") } },
    }],
  },
  {
    name: "failed by the quiz engine, then ticked done in the browser: the student picks the quiz",
    tags: ["completion_status_conflict", "manual"],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { status: "failed", score: 30 }),
      report("b", "browser", at("10:15"), "quiz-1"),
    ],
    conflicts: [{
      type: "completion_status_conflict",
      activityId: "quiz-1",
      events: ["q", "b"],
      auto: false,
    }],
    expect: { states: { "quiz-1": { status: "completed" } } },
    resolve: [{
      conflict: 0,
      resolutionType: "manual_review",
      userData: { eventId: "q" },
      states: { "quiz-1": { status: "failed", completedAt: null, bestScore: 30 } },
    }],
  },
  {
    name: "the student sets an outcome by hand",
    tags: ["completion_status_conflict", "manual"],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1", { score: 80 }),
      report("c", "chat_system", at("10:30"), "quiz-1", { status: "failed" }),
    ],
    conflicts: [{
      type: "completion_status_conflict",
      activityId: "quiz-1",
      events: ["q", "c"],
      auto: false,
    }],
    expect: {},
    resolve: [{
      conflict: 0,
      resolutionType: "manual_review",
      userData: { status: "in_progress", percentComplete: 50 },
      states: { "quiz-1": { status: "in_progress", percentComplete: 50, completedAt: null } },
    }],
  },
  {
    name: "the browser keeps sending progress after the tutor marked the practice done",
    tags: ["completion_status_conflict"],
    events: [
      report("c", "chat_system", at("10:00"), "practice-1", { minutes: 20 }),
      report("b1", "browser", at("10:05"), "practice-1", { status: "in_progress", minutes: 1 }),
    ],
    conflicts: [{
      type: "completion_status_conflict",
      activityId: "practice-1",
      events: ["c", "b1"],
      auto: true,
    }],
    expect: { states: { "practice-1": { status: "completed", timeSpentMinutes: 21 } } },
  },
  {
    name: "the same system failing then passing is a retake",
    tags: ["negative"],
    events: [
      report("q1", "quiz_engine", at("10:00"), "quiz-1", { status: "failed", score: 30 }),
      report("q2", "quiz_engine", at("10:10"), "quiz-1", { score: 90 }),
    ],
    conflicts: [],
    expect: { states: { "quiz-1": { status: "completed", bestScore: 90 } } },
  },
  {
    name: "a failure reported more than an hour after another system's completion",
    tags: ["negative", "edge"],
    events: [
      report("q", "quiz_engine", at("10:00"), "quiz-1"),
      report("c", "chat_system", at("11:00:01"), "quiz-1", { status: "failed" }),
    ],
    conflicts: [],
    expect: { states: { "quiz-1": { status: "completed" } } },
  },
  {
    name: "progress, then completion by another system, is ordinary progression",
    tags: ["negative"],
    events: [
      report("b", "browser", at("10:00"), "practice-1", { status: "in_progress", minutes: 10 }),
      report("c", "chat_system", at("10:30"), "practice-1", { minutes: 5 }),
    ],
    conflicts: [],
    expect: { states: { "practice-1": { status: "completed", timeSpentMinutes: 15 } } },
  },
  {
    name: "a reset separates a completion from the progress after it",
    tags: ["negative", "reset"],
    events: [
      video("v", at("10:00")),
      reset("r", at("10:10"), "video-1"),
      report("b", "browser", at("10:20"), "video-1", { status: "in_progress", pct: 20 }),
    ],
    conflicts: [],
    expect: { states: { "video-1": { status: "in_progress", completedAt: null } } },
  },
  // --- data inconsistencies ---
  {
    name: "a todo ticked while its video is 30% watched; the student goes back to 30%",
    tags: ["data_inconsistency", "manual", "propagation_backward"],
    items: [TODO_1],
    events: [
      video("w", at("10:00"), { status: "in_progress", pct: 30, minutes: 6 }),
      itemReport("t", at("10:10"), "todo-1"),
    ],
    conflicts: [{
      type: "data_inconsistency",
      activityId: "video-1",
      events: ["w", "t"],
      auto: false,
    }],
    expect: { states: { "video-1": { status: "completed" } }, items: { "todo-1": "completed" } },
    resolve: [{
      conflict: 0,
      resolutionType: "manual_review",
      userData: { eventId: "w" },
      states: { "video-1": { status: "in_progress", percentComplete: 30, completedAt: null } },
      items: { "todo-1": "in_progress" },
    }],
  },
  {
    name: "the same inconsistency with the video report arriving late; the student keeps it done",
    tags: ["data_inconsistency", "manual", "out_of_order"],
    items: [TODO_1],
    events: [
      video("w", at("10:00"), { status: "in_progress", pct: 30 }),
      itemReport("t", at("10:10"), "todo-1"),
    ],
    delivery: { order: [1, 0] },
    conflicts: [{
      type: "data_inconsistency",
      activityId: "video-1",
      events: ["w", "t"],
      auto: false,
    }],
    expect: { items: { "todo-1": "completed" } },
    resolve: [{
      conflict: 0,
      resolutionType: "manual_review",
      userData: { eventId: "t" },
      states: { "video-1": { status: "completed", completedAt: at("10:10") } },
      items: { "todo-1": "completed" },
    }],
  },
  {
    name: "a calendar entry marked done while its video is 15% watched, in one batch",
    tags: ["data_inconsistency", "manual", "batch"],
    items: [CAL_1],
    events: [
      video("w", at("09:00"), { status: "in_progress", pct: 15 }),
      itemReport("c", at("10:00"), "cal-1"),
    ],
    delivery: { batches: [[0, 1]] },
    conflicts: [{
      type: "data_inconsistency",
      activityId: "video-1",
      events: ["w", "c"],
      auto: false,
    }],
    expect: { items: { "cal-1": "completed" } },
  },
  {
    name: "a todo ticked after the video reached 95% is consistent",
    tags: ["negative", "propagation_backward"],
    items: [TODO_1],
    events: [
      video("w", at("10:00"), { status: "in_progress", pct: 95 }),
      itemReport("t", at("10:10"), "todo-1"),
    ],
    conflicts: [],
    expect: { states: { "video-1": { status: "completed", completedAt: at("10:10") } } },
  },
  {
    name: "a todo ticked while the video reached only 30%, then a stale progress report",
    tags: ["data_inconsistency", "completion_status_conflict", "manual", "batch"],
    items: [TODO_1],
    events: [
      video("w", at("10:00"), { status: "in_progress", pct: 30 }),
      itemReport("t", at("10:10"), "todo-1"),
      report("b", "browser", at("10:15"), "video-1", { status: "in_progress" }),
    ],
    delivery: { batches: [[0, 1, 2]] },
    conflicts: [
      { type: "data_inconsistency", activityId: "video-1", events: ["w", "t"], auto: false },
      { type: "completion_status_conflict", activityId: "video-1", events: ["t", "b"], auto: true },
    ],
    expect: { states: { "video-1": { status: "completed" } } },
  },
  {
    name: "the video's completion arrives last: the todo was not ticked too early after all",
    tags: ["data_inconsistency", "out_of_order", "duplicate_event"],
    hard: "rules judge a report with what is known when it arrives; a later, earlier-dated " +
      "completion does not withdraw a data inconsistency already raised",
    items: [TODO_1],
    events: [
      video("w", at("10:00"), { status: "in_progress", pct: 30 }),
      itemReport("t", at("10:10"), "todo-1"),
      video("v", at("10:05")),
    ],
    conflicts: [{ type: "duplicate_event", activityId: "video-1", events: ["v", "t"], auto: true }],
    expect: { states: { "video-1": { status: "completed", completedAt: at("10:05") } } },
  },
  {
    name: "a device clock 3 h ahead: the completion counts from when it arrived",
    tags: ["data_inconsistency", "clock_skew"],
    events: [video("v", ahead(3 * 3_600_000), { minutes: 7 })],
    conflicts: [{ type: "data_inconsistency", activityId: "video-1", events: ["v"], auto: true }],
    expect: {
      states: { "video-1": { status: "completed", completedAt: "received", timeSpentMinutes: 7 } },
    },
  },
  {
    name: "a phone 6 h ahead sends progress, and the report is redelivered",
    tags: ["data_inconsistency", "clock_skew", "redelivery"],
    events: [
      report("m", "browser", ahead(6 * 3_600_000), "practice-1", {
        status: "in_progress",
        minutes: 4,
      }),
    ],
    delivery: { redeliver: true },
    conflicts: [{
      type: "data_inconsistency",
      activityId: "practice-1",
      events: ["m"],
      auto: true,
    }],
    expect: { states: { "practice-1": { status: "in_progress", timeSpentMinutes: 4 } } },
  },
  {
    name: "a clock 2 min ahead is within the tolerance",
    tags: ["negative", "clock_skew"],
    events: [video("v", ahead(2 * 60_000))],
    conflicts: [],
    expect: { states: { "video-1": { status: "completed" } } },
  },
  {
    name: "a heartbeat dated an hour ahead",
    tags: ["data_inconsistency", "clock_skew"],
    events: [
      report("b", "browser", ahead(3_600_000), "practice-1", { status: "in_progress", minutes: 3 }),
    ],
    conflicts: [{
      type: "data_inconsistency",
      activityId: "practice-1",
      events: ["b"],
      auto: true,
    }],
    expect: { states: { "practice-1": { status: "in_progress", timeSpentMinutes: 3 } } },
  },
  {
    name:
      "a skewed video completion echoing a todo ticked just now is a clock error and a duplicate",
    tags: ["data_inconsistency", "duplicate_event", "clock_skew", "propagation_backward"],
    items: [TODO_1],
    events: [itemReport("t", ahead(0), "todo-1"), video("v", ahead(2 * 3_600_000))],
    conflicts: [
      { type: "data_inconsistency", activityId: "video-1", events: ["v"], auto: true },
      { type: "duplicate_event", activityId: "video-1", events: ["t", "v"], auto: true },
    ],
    expect: {
      states: { "video-1": { status: "completed", completedAt: "received" } },
      items: { "todo-1": "completed" },
    },
  },
];
