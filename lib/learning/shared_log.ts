/**
 * How browser (seed-001) events join the shared event log, so they reach the same projections,
 * propagation and achievements as every other system's events:
 *
 * - `content.progressed` → one `activity_progressed` event from `browser`, with the same id,
 *   `timestamp` = `occurredAt`, `activityId` = `contentId`, the catalog's `activityType` (else
 *   one guessed from the interaction), status `not_started` → `started`, `in_progress` →
 *   `in_progress`, `completed` and `passed` → `completed` (the score kept; a quiz attempt scored
 *   below the pass mark → `failed`, "not passed yet", as the quiz engine reports it), a video interaction's
 *   `percent` as `videoProgress` and its `watchedSeconds` as `timeSpent`.
 * - `progress.reset` → one `progress_reset` per activity the student had worked on before it (of
 *   those it names, for a scoped reset),
 *   with ids derived from the reset's id (so a retry adds nothing). Browser events that arrive
 *   later but happened before a known reset get their derived reset too.
 * - `onboarding.*` and `activePath.set` are not about an activity: they live only in the
 *   learning-progress log (`client_event_log.ts`).
 *
 * Every derived event keeps the seed-001 event it came from in `clientEvent`.
 */
import { getActivities } from "../catalog/catalog_store.ts";
import { sha256Hex } from "../core/content_hash.ts";
import { getStoredEvents, type OutboxEntry } from "../events/log_store.ts";
import {
  type ActivityType,
  type CompletionStatus,
  type EventData,
  type StoredEvent,
  targetsOf,
} from "../core/event_schema.ts";
import { activityStatesPrefix, outboxPrefix } from "../kv_keys.ts";
import type { ActivityState } from "../core/activity_state.ts";
import { passes } from "../core/progress_model.ts";
import { getClientEvents, listClientResets } from "./client_event_log.ts";
import {
  canonicalJson,
  type ContentProgressedEvent,
  type LearningContentStatus,
  type LearningProgressEvent,
  type ProgressResetEvent,
  resetCovers,
} from "../core/learning_events.ts";

/** The shared log's completion status for a seed-001 content status. */
export const COMPLETION_STATUS_OF: Record<LearningContentStatus, CompletionStatus> = {
  not_started: "started",
  in_progress: "in_progress",
  completed: "completed",
  passed: "completed",
};

/** An activity type for content the catalog does not know: from its interaction, else `practice`. */
export function guessActivityType(event: ContentProgressedEvent): ActivityType {
  const kind = event.payload.interaction?.state?.kind;
  if (kind === "video") return "video";
  if (kind === "quiz") return "quiz";
  return "practice";
}

const finite = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) ? v : null;

/** The `eventData` a `content.progressed` event joins the shared log with. */
export function eventDataOf(event: ContentProgressedEvent, activityType: ActivityType): EventData {
  const { payload } = event;
  const failedAttempt = activityType === "quiz" && payload.score !== undefined &&
    !passes(payload.score) && payload.status !== "not_started";
  const data: EventData = {
    activityId: payload.contentId,
    activityType,
    completionStatus: failedAttempt ? "failed" : COMPLETION_STATUS_OF[payload.status],
  };
  if (payload.score !== undefined) data.score = payload.score;
  const state = payload.interaction?.state;
  if (state?.kind === "video") {
    const percent = finite(state.percent);
    if (percent !== null) {
      const position = finite(state.positionSeconds);
      data.videoProgress = {
        videoId: payload.contentId,
        percentageWatched: Math.min(100, Math.max(0, percent)),
        ...(position !== null && position >= 0 ? { timeWatched: Math.min(position, 1e7) } : {}),
      };
    }
    const watched = finite(state.watchedSeconds);
    if (watched !== null && watched > 0) {
      data.timeSpent = Math.min(24 * 60, Math.round((watched / 60) * 1000) / 1000);
    }
  }
  return data;
}

/** The id of the `progress_reset` that `resetEventId` derives for `activityId` (deterministic). */
export async function derivedResetId(resetEventId: string, activityId: string): Promise<string> {
  const digest = await sha256Hex(`${resetEventId}\u0000${activityId}`);
  return `${resetEventId.slice(0, 80)}~reset~${digest.slice(0, 24)}`;
}

/** What planning needs of a `progress.reset`: its id, time and (a scoped one) the lessons it names. */
export type ResetRef = Pick<ProgressResetEvent, "eventId" | "occurredAt" | "payload">;

/** What the shared log must receive for a request's accepted events. */
export interface SharedLogPlan {
  content: { event: ContentProgressedEvent; activityType: ActivityType }[];
  resets: { reset: ResetRef; activity: KnownActivity }[];
}

/** An activity the student has worked on: its type and the time of its first known event. */
export interface KnownActivity {
  activityId: string;
  activityType: ActivityType;
  firstAt: string;
}

/**
 * Plans the shared-log events for a request's accepted learning events (pure). `activities` are
 * those the server knew of (states and pending events); `resets` every known `progress.reset` of
 * the student, the request's included. A reset covers each activity with an event at or before
 * it (a scoped reset only the lessons it names); a content event covers itself with each later
 * reset.
 */
export function planSharedLog(input: {
  events: readonly LearningProgressEvent[];
  activities: readonly KnownActivity[];
  resets: readonly ResetRef[];
  catalogTypes: ReadonlyMap<string, ActivityType>;
}): SharedLogPlan {
  const content = input.events
    .filter((e): e is ContentProgressedEvent => e.type === "content.progressed")
    .map((event) => ({
      event,
      activityType: input.catalogTypes.get(event.payload.contentId) ?? guessActivityType(event),
    }));
  const requestResets = input.events.filter((e) => e.type === "progress.reset");
  const known: KnownActivity[] = [
    ...input.activities,
    ...content.map(({ event, activityType }) => ({
      activityId: event.payload.contentId,
      activityType,
      firstAt: event.occurredAt,
    })),
  ];
  const resets = new Map<string, SharedLogPlan["resets"][number]>();
  const cover = (reset: ResetRef, a: KnownActivity) => {
    if (Date.parse(a.firstAt) > Date.parse(reset.occurredAt)) return;
    if (!resetCovers(reset, a.activityId)) return;
    const key = `${reset.eventId}\u0000${a.activityId}`;
    if (!resets.has(key)) resets.set(key, { reset, activity: a });
  };
  for (const reset of requestResets) for (const activity of known) cover(reset, activity);
  for (const reset of input.resets) {
    for (const { event, activityType } of content) {
      cover(reset, {
        activityId: event.payload.contentId,
        activityType,
        firstAt: event.occurredAt,
      });
    }
  }
  return { content, resets: [...resets.values()] };
}

async function knownActivities(kv: Deno.Kv, userId: string): Promise<KnownActivity[]> {
  const out: KnownActivity[] = [];
  for await (const entry of kv.list<ActivityState>({ prefix: activityStatesPrefix(userId) })) {
    const s = entry.value;
    out.push({
      activityId: s.activityId,
      activityType: s.activityType,
      firstAt: s.firstActivityAt,
    });
  }
  // Events accepted but not yet processed have no state yet: count them too.
  const pendingIds: [string, string][] = [];
  for await (const entry of kv.list<OutboxEntry>({ prefix: outboxPrefix(userId) })) {
    pendingIds.push([userId, entry.value.eventId]);
  }
  for (const event of await getStoredEvents(kv, pendingIds)) {
    if (!event) continue;
    for (const activityId of targetsOf(event)) {
      out.push({
        activityId,
        activityType: event.eventData.activityType,
        firstAt: event.timestamp,
      });
    }
  }
  return out;
}

/**
 * The shared-log events for a student's accepted (or repeated) learning events, read against
 * what the server knows now: the catalog, the student's activity states and pending events, and
 * their earlier resets. Ready for `deps.appender`.
 */
export async function sharedLogEventsFor(
  kv: Deno.Kv,
  userId: string,
  events: readonly LearningProgressEvent[],
  receivedAt: string,
): Promise<StoredEvent[]> {
  const hasContent = events.some((e) => e.type === "content.progressed");
  const hasReset = events.some((e) => e.type === "progress.reset");
  if (!hasContent && !hasReset) return [];
  const [activities, resets, catalog] = await Promise.all([
    hasReset ? knownActivities(kv, userId) : [],
    hasContent ? listClientResets(kv, userId) : [],
    getActivities(
      kv,
      events.flatMap((e) => (e.type === "content.progressed" ? [e.payload.contentId] : [])),
    ),
  ]);
  const plan = planSharedLog({
    events,
    activities,
    resets,
    catalogTypes: new Map([...catalog.values()].map((a) => [a.activityId, a.activityType])),
  });
  const resetEvents = new Map<string, LearningProgressEvent>(
    events.filter((e) => e.type === "progress.reset").map((e) => [e.eventId, e]),
  );
  const earlierResetIds = [...new Set(plan.resets.map((r) => r.reset.eventId))]
    .filter((id) => !resetEvents.has(id));
  const earlier = await getClientEvents(kv, userId, earlierResetIds);
  earlier.forEach((event) => event && resetEvents.set(event.eventId, event));
  const out: StoredEvent[] = [];
  for (const { event, activityType } of plan.content) {
    out.push({
      id: event.eventId,
      userId,
      eventType: "activity_progressed",
      sourceSystem: "browser",
      eventData: eventDataOf(event, activityType),
      timestamp: new Date(event.occurredAt).toISOString(),
      receivedAt,
      contentHash: await sha256Hex(canonicalJson({ userId, clientEvent: event })),
      clientEvent: event,
    });
  }
  for (const { reset, activity } of plan.resets) {
    const timestamp = new Date(reset.occurredAt).toISOString();
    const clientEvent = resetEvents.get(reset.eventId);
    out.push({
      id: await derivedResetId(reset.eventId, activity.activityId),
      userId,
      eventType: "progress_reset",
      sourceSystem: "browser",
      eventData: {
        activityId: activity.activityId,
        activityType: activity.activityType,
        completionStatus: "started",
      },
      timestamp,
      receivedAt,
      contentHash: await sha256Hex(
        canonicalJson({ userId, derivedFrom: reset.eventId, activityId: activity.activityId }),
      ),
      ...(clientEvent ? { clientEvent } : {}),
    });
  }
  return out;
}
