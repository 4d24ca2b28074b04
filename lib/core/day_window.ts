/**
 * A bounded, order-independent set of calendar days: the days within `WINDOW_DAYS` of the latest
 * one, stored as a compact string of marks. Adding the same days in any order gives the same
 * window, since a day older than the window of the latest day is dropped whenever it arrives.
 */
import { addDays, daysBetween } from "./calendar.ts";

/** How many calendar days a window covers, ending at its latest day. */
export const WINDOW_DAYS = 400;

/** A set of days: `marks[i]` is `"1"` when the day `i` days before `latest` is in it. */
export interface DayWindow {
  /** The latest day in the set (`YYYY-MM-DD`). */
  latest: string;
  /** One `"0"` or `"1"` per day going back from `latest`; never ends in `"0"`. */
  marks: string;
}

/** The window with `day` added (the oldest days fall out as later days arrive). */
export function withWindowDay(window: DayWindow | undefined, day: string): DayWindow {
  if (!window) return { latest: day, marks: "1" };
  const ahead = daysBetween(window.latest, day);
  if (ahead > 0) {
    return { latest: day, marks: trimmed("1" + "0".repeat(ahead - 1) + window.marks) };
  }
  const back = -ahead;
  if (back >= WINDOW_DAYS || window.marks[back] === "1") return window;
  const marks = window.marks.padEnd(back, "0");
  return { latest: window.latest, marks: marks.slice(0, back) + "1" + marks.slice(back + 1) };
}

/** The days of a window, earliest first. */
export function daysOfWindow(window: DayWindow | undefined): string[] {
  if (!window) return [];
  const days: string[] = [];
  for (let i = window.marks.length - 1; i >= 0; i--) {
    if (window.marks[i] === "1") days.push(addDays(window.latest, -i));
  }
  return days;
}

function trimmed(marks: string): string {
  return marks.slice(0, WINDOW_DAYS).replace(/0+$/, "");
}
