import type { ItemInput } from "../catalog/catalog_schema.ts";
import type { ActivityType } from "../core/event_schema.ts";

/** A demo learning activity. */
export interface DemoActivity {
  activityId: string;
  title: string;
  activityType: ActivityType;
  expectedMinutes: number;
  /** Skills the activity practises (insights and skill progress group by them). */
  skills: string[];
}

/** The demo student's sign-in, shown to newcomers. */
export const DEMO_USER = { username: "demo", password: "demo-password" } as const;

/** The demo learning path: "Web Foundations". */
export const DEMO_PATH = {
  pathId: "web-foundations",
  title: "Web Foundations",
} as const;

/** The demo catalog, in path order. */
export const DEMO_ACTIVITIES: readonly DemoActivity[] = [
  {
    activityId: "html-basics",
    title: "HTML basics",
    activityType: "video",
    expectedMinutes: 12,
    skills: ["html"],
  },
  {
    activityId: "html-quiz",
    title: "HTML quiz",
    activityType: "quiz",
    expectedMinutes: 8,
    skills: ["html"],
  },
  {
    activityId: "css-layout",
    title: "CSS layout",
    activityType: "video",
    expectedMinutes: 18,
    skills: ["css"],
  },
  {
    activityId: "flexbox-practice",
    title: "Flexbox practice",
    activityType: "practice",
    expectedMinutes: 25,
    skills: ["css", "layout"],
  },
  {
    activityId: "js-intro",
    title: "JavaScript intro",
    activityType: "video",
    expectedMinutes: 20,
    skills: ["javascript"],
  },
  {
    activityId: "js-quiz",
    title: "JavaScript quiz",
    activityType: "quiz",
    expectedMinutes: 10,
    skills: ["javascript"],
  },
  {
    activityId: "dom-practice",
    title: "DOM practice",
    activityType: "practice",
    expectedMinutes: 30,
    skills: ["javascript", "dom"],
  },
  {
    activityId: "portfolio-page",
    title: "Portfolio page",
    activityType: "project",
    expectedMinutes: 90,
    skills: ["html", "css", "javascript"],
  },
];

/** The demo student's todos and calendar entries; `day(n, hour)` is an ISO time n days from today. */
export function demoItems(day: (n: number, hour: number) => string): [string, ItemInput][] {
  return [
    ["demo-todo-css", {
      system: "todo_manager",
      kind: "todo",
      title: "Watch the CSS layout video",
      activityIds: ["css-layout"],
      dueDate: day(-1, 18),
    }],
    ["demo-todo-js", {
      system: "todo_manager",
      kind: "todo",
      title: "Finish the JavaScript intro",
      activityIds: ["js-intro"],
      dueDate: day(1, 18),
    }],
    ["demo-cal-js", {
      system: "calendar_service",
      kind: "schedule",
      title: "Study block: JavaScript",
      activityIds: ["js-intro", "js-quiz"],
      scheduledStart: day(0, 17),
      scheduledEnd: day(0, 19),
    }],
    ["demo-todo-portfolio", {
      system: "todo_manager",
      kind: "todo",
      title: "Build the portfolio page",
      activityIds: ["portfolio-page"],
      dueDate: day(6, 18),
    }],
  ];
}
