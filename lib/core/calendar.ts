/** Calendar arithmetic for streaks, in the student's own time zone. Pure. */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (`YYYY-MM-DD`) an instant falls on in `timeZone` (an IANA name, e.g. `Europe/Berlin`). */
export function dayOf(instant: string, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format.format(new Date(instant));
}

/** True when `timeZone` is an IANA time zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The day `offset` days after `day`. */
export function addDays(day: string, offset: number): string {
  return new Date((dayNumber(day) + offset) * 86_400_000).toISOString().slice(0, 10);
}

/** The ISO week (`YYYY-Www`, weeks start on Monday) a day belongs to. */
export function isoWeekOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  const thursday = new Date(date.getTime() + (3 - weekday) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / (7 * 86_400_000));
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** Current and longest runs of consecutive active days. */
export interface Streaks {
  /** The run ending today, or yesterday when today has no activity yet; 0 otherwise. */
  current: number;
  longest: number;
}

/**
 * Streaks over a set of active days (any order, repeats ignored). An active day is a day on which
 * the student had at least one progress event, in their time zone.
 */
export function streaksOf(activeDays: Iterable<string>, today: string): Streaks {
  const days = [...new Set(activeDays)].map(dayNumber).sort((a, b) => a - b);
  let longest = 0;
  let run = 0;
  let previous: number | null = null;
  for (const day of days) {
    run = previous !== null && day === previous + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
    previous = day;
  }
  const todayNumber = dayNumber(today);
  const active = new Set(days);
  let end = active.has(todayNumber) ? todayNumber : todayNumber - 1;
  let current = 0;
  while (active.has(end)) {
    current++;
    end--;
  }
  return { current, longest };
}

/** The last day of the earliest run of `length` consecutive active days, or null when there is none. */
export function firstRunEnd(activeDays: Iterable<string>, length: number): string | null {
  const days = [...new Set(activeDays)].sort();
  let run = 0;
  let previous: string | null = null;
  for (const day of days) {
    run = previous !== null && addDays(previous, 1) === day ? run + 1 : 1;
    if (run >= length) return day;
    previous = day;
  }
  return null;
}

const hourFormatters = new Map<string, Intl.DateTimeFormat>();

/** The hour of the day (0–23) an instant falls in, in `timeZone`. */
export function hourOf(instant: string, timeZone: string): number {
  let format = hourFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" });
    hourFormatters.set(timeZone, format);
  }
  return Number(format.format(new Date(instant))) % 24;
}
