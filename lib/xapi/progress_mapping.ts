/**
 * From xAPI statements to progress events, as pure functions: which statements count (a student
 * actor, a catalog activity, a known verb) and the event each becomes.
 */
import { normaliseUsername } from "../auth/account_store.ts";
import type { ActivityType, CompletionStatus, EventData, EventType } from "../core/event_schema.ts";
import { type JsonObject, normaliseTimestamp } from "./statement_validation.ts";

/** The source system of events that came from xAPI statements. */
export const XAPI_SOURCE_SYSTEM = "xapi";

/** cmi5's progress extension: percent complete (0–100) in `result.extensions`. */
export const PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress";

const VERB_PREFIXES = ["http://adlnet.gov/expapi/verbs/", "https://w3id.org/xapi/adl/verbs/"];

/** The completion status each mapped verb reports (by its last path segment). */
const STATUS_BY_VERB: Record<string, CompletionStatus> = {
  completed: "completed",
  passed: "completed",
  failed: "failed",
  progressed: "in_progress",
  initialized: "started",
  attempted: "started",
  launched: "started",
};

/** The completion status a verb id maps to, or null for verbs that do not change progress. */
export function statusOfVerb(verbId: string): CompletionStatus | null {
  const prefix = VERB_PREFIXES.find((p) => verbId.startsWith(p));
  if (prefix === undefined) return null;
  return STATUS_BY_VERB[verbId.slice(prefix.length)] ?? null;
}

/** The username a statement's actor names (`account.name`, any `homePage`), or null. */
export function actorUsername(statement: JsonObject): string | null {
  const actor = statement.actor as JsonObject | undefined;
  if (!actor || actor.objectType === "Group") return null;
  const account = actor.account as JsonObject | undefined;
  return typeof account?.name === "string" ? account.name : null;
}

/** True when the statement's actor is the student `username` (usernames compare case-insensitively). */
export function isAboutStudent(statement: JsonObject, username: string): boolean {
  const name = actorUsername(statement);
  return name !== null && normaliseUsername(name) === normaliseUsername(username);
}

/** The activity IRI a statement is about (its object when that is an Activity), or null. */
export function activityIri(statement: JsonObject): string | null {
  const object = statement.object as JsonObject | undefined;
  if (!object || (object.objectType ?? "Activity") !== "Activity") return null;
  return typeof object.id === "string" ? object.id : null;
}

/** The catalog activity id an IRI of the form `{origin}/activities/{activityId}` names, or null. */
export function activityIdFromIri(iri: string, origin: string): string | null {
  const prefix = `${origin.replace(/\/$/, "")}/activities/`;
  if (!iri.startsWith(prefix)) return null;
  const rest = iri.slice(prefix.length);
  if (rest === "" || rest.includes("/") || rest.includes("?") || rest.includes("#")) return null;
  try {
    return decodeURIComponent(rest);
  } catch {
    return null;
  }
}

/** Minutes in an ISO 8601 duration (`PT1H30M` → 90; years and months count 365 and 30 days). */
export function durationMinutes(duration: string): number | null {
  const match =
    /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/
      .exec(duration);
  if (!match) return null;
  const [y, mo, w, d, h, mi, s] = match.slice(1).map((v) => Number(v ?? 0)) as number[];
  const days = y! * 365 + mo! * 30 + w! * 7 + d!;
  return days * 24 * 60 + h! * 60 + mi! + s! / 60;
}

/** A statement's score as a percent (0–100): `scaled`, else `raw` within `min`–`max`; null without one. */
export function scorePercent(score: JsonObject | undefined): number | null {
  if (!score) return null;
  const { scaled, raw, min, max } = score as Record<string, number | undefined>;
  let percent: number | null = null;
  if (typeof scaled === "number") percent = scaled * 100;
  else if (typeof raw === "number" && typeof max === "number") {
    const low = typeof min === "number" ? min : 0;
    if (max > low) percent = ((raw - low) / (max - low)) * 100;
  }
  if (percent === null) return null;
  return Math.round(Math.min(100, Math.max(0, percent)) * 100) / 100;
}

/** The progress event content a statement becomes (without id, user and hash). */
export interface MappedProgress {
  eventType: EventType;
  sourceSystem: typeof XAPI_SOURCE_SYSTEM;
  eventData: EventData;
  timestamp: string;
}

/**
 * The progress a statement about catalog activity `activity` reports, or null when its verb does
 * not change progress: completed and passed → completed, failed → failed, progressed → in
 * progress (with cmi5's progress percent), initialized, attempted and launched → started;
 * `result.duration` → time spent (minutes, at most a day), `result.score` → score.
 */
export function mapStatementToProgress(
  statement: JsonObject,
  activity: { activityId: string; activityType: ActivityType },
): MappedProgress | null {
  const status = statusOfVerb(String((statement.verb as JsonObject).id));
  if (status === null) return null;
  const result = (statement.result ?? {}) as JsonObject;
  const data: EventData = {
    activityId: activity.activityId,
    activityType: activity.activityType,
    completionStatus: status,
  };
  const minutes = typeof result.duration === "string" ? durationMinutes(result.duration) : null;
  if (minutes !== null) data.timeSpent = Math.min(24 * 60, Math.round(minutes * 100) / 100);
  const score = scorePercent(result.score as JsonObject | undefined);
  if (score !== null) data.score = score;
  const extensions = (result.extensions ?? {}) as JsonObject;
  const reported = extensions[PROGRESS_EXTENSION];
  const percent = status === "completed"
    ? 100
    : typeof reported === "number" && Number.isFinite(reported)
    ? Math.min(100, Math.max(0, reported))
    : null;
  if (activity.activityType === "video" && percent !== null) {
    data.videoProgress = { videoId: activity.activityId, percentageWatched: percent };
  } else if (status === "in_progress" && percent !== null) data.percentComplete = percent;
  const timestamp = new Date(
    Date.parse(normaliseTimestamp(String(statement.timestamp ?? statement.stored))),
  ).toISOString();
  const eventType: EventType = activity.activityType === "quiz" &&
      (status === "completed" || status === "failed")
    ? "skill_assessed"
    : activity.activityType === "video" && status === "completed"
    ? "video_completed"
    : "activity_progressed";
  return { eventType, sourceSystem: XAPI_SOURCE_SYSTEM, eventData: data, timestamp };
}
