/**
 * What a student does for each activity on the learn page: watch a video, answer a quiz, tick a
 * checklist. The catalog holds titles and types only, so lessons are made here: hand-written
 * questions for the demo quizzes, and sensible generated ones for any other activity. Pure.
 */
import type { ActivityType } from "./event_schema.ts";
import { PASS_SCORE } from "./progress_model.ts";

/** A quiz question with its options and the right one. */
export interface QuizQuestion {
  id: string;
  prompt: string;
  options: { id: string; label: string }[];
  answerId: string;
}

/** What the student does for one activity. */
export type LessonContent =
  | { kind: "video"; durationSeconds: number }
  | { kind: "quiz"; questions: QuizQuestion[]; passScore: number }
  | { kind: "todo"; tasks: { id: string; label: string }[] };

/** One step of a path as the learn page shows it. */
export interface Lesson {
  activityId: string;
  title: string;
  activityType: ActivityType;
  expectedMinutes: number | null;
  content: LessonContent;
}

const q = (id: string, prompt: string, options: string[], answer: number): QuizQuestion => ({
  id,
  prompt,
  options: options.map((label, i) => ({ id: String.fromCharCode(97 + i), label })),
  answerId: String.fromCharCode(97 + answer),
});

const DEMO_QUIZZES: Record<string, QuizQuestion[]> = {
  "html-quiz": [
    q(
      "q1",
      "Which element holds the main content of a page?",
      ["<aside>", "<main>", "<header>"],
      1,
    ),
    q("q2", "Which attribute gives an image its text alternative?", ["title", "src", "alt"], 2),
  ],
  "js-quiz": [
    q(
      "q1",
      "Which keyword declares a variable that cannot be reassigned?",
      ["let", "const", "var"],
      1,
    ),
    q("q2", "What does `[1, 2, 3].map((n) => n * 2)` return?", ["[2, 4, 6]", "6", "[1, 2, 3]"], 0),
  ],
};

const TASKS: Record<string, string[]> = {
  practice: ["Read the exercise", "Solve it in your editor", "Check your answer"],
  project: ["Plan the page", "Build it", "Review it against the brief"],
  milestone: ["Look back at what you learned", "Mark the milestone"],
};

/**
 * The lesson for a catalog activity. Videos play for their expected length (12 minutes when
 * unknown); quizzes without hand-written questions ask which activity this is, among the path's.
 */
export function lessonFor(
  activity: {
    activityId: string;
    title: string;
    activityType: ActivityType;
    expectedMinutes: number | null;
  },
  pathTitles: readonly string[] = [],
): Lesson {
  const base = {
    activityId: activity.activityId,
    title: activity.title,
    activityType: activity.activityType,
    expectedMinutes: activity.expectedMinutes,
  };
  if (activity.activityType === "video") {
    const minutes = activity.expectedMinutes && activity.expectedMinutes > 0
      ? activity.expectedMinutes
      : 12;
    return { ...base, content: { kind: "video", durationSeconds: Math.round(minutes * 60) } };
  }
  if (activity.activityType === "quiz") {
    const others = pathTitles.filter((t) => t !== activity.title).slice(0, 2);
    const options = [activity.title, ...others, "None of these"].slice(0, 3);
    const questions = DEMO_QUIZZES[activity.activityId] ?? [
      q("q1", "Which activity are you taking right now?", options, 0),
    ];
    return { ...base, content: { kind: "quiz", questions, passScore: PASS_SCORE } };
  }
  const tasks = (TASKS[activity.activityType] ?? TASKS.practice!).map((label, i) => ({
    id: `t${i + 1}`,
    label,
  }));
  return { ...base, content: { kind: "todo", tasks } };
}

/** The score (0–100, rounded) of quiz answers by question id. */
export function quizScore(
  questions: readonly QuizQuestion[],
  answers: Readonly<Record<string, string | null | undefined>>,
): number {
  if (questions.length === 0) return 0;
  const right = questions.filter((question) => answers[question.id] === question.answerId).length;
  return Math.round((right / questions.length) * 100);
}

/** The interaction id of one part of a lesson (a question, a task, the playback). */
export function interactionId(activityId: string, part: string): string {
  return `${activityId}:${part}`;
}
