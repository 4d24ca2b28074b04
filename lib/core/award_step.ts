import { type StoredEvent, targetsOf } from "./event_schema.ts";
import { reportsDone } from "./progress_model.ts";
import { comparePositions, logOrder, positionOf } from "./activity_state.ts";
import type { ProjectionOutput } from "./project.ts";
import type { LearningPath } from "./propagation.ts";
import { dayOf } from "./calendar.ts";
import type { AchievementDefinition, AchievementType } from "./achievement_definitions.ts";
import type { LogPosition } from "./activity_state.ts";
import {
  earlier,
  type EarnedAchievement,
  earnedAchievements,
  type ProgressFacts,
  withCompletion,
  withDay,
  withPathCompleted,
  withTypeDay,
} from "./achievement_facts.ts";
import { type FrozenStreaks, streaksWithFreeze } from "./streaks.ts";

/** An achievement as awarded to a student. */
export interface Award extends EarnedAchievement {
  type: AchievementType;
  title: string;
  description: string;
  /** Whether the student shares it publicly. */
  public: boolean;
}

/** What the award step reads. */
export interface AwardInput {
  definitions: readonly AchievementDefinition[];
  facts: ProgressFacts;
  /** The events of this processing step. */
  events: readonly StoredEvent[];
  timeZone: string;
  /** The catalog's expected minutes of the activities these events complete, where known. */
  expectedMinutes: ReadonlyMap<string, number>;
  /** The paths that include an activity these events complete. */
  paths: readonly Pick<LearningPath, "pathId" | "steps">[];
  /** The stored first completions of those paths' steps (absent: not completed yet). */
  stepCompletions: ReadonlyMap<string, LogPosition>;
  /** The student's awards so far, by achievement id. */
  awarded: ReadonlyMap<string, Award>;
  /** Processing time (ISO): "today" for the current streak. */
  now: string;
}

/** What the award step decided. */
export interface AwardOutput {
  facts: ProgressFacts;
  /** Path steps whose first completion this step found or moved earlier, to store. */
  stepCompletions: Map<string, LogPosition>;
  /** Awards to write: new ones, and existing ones whose trigger moved earlier (a late event). */
  awards: Award[];
  /** Awards earned for the first time, with the event of this step they are reported on. */
  earned: { award: Award; reportedOn: string }[];
  /** The student's streaks and streak freeze today, in their time zone. */
  streaks: FrozenStreaks;
}

/** What folding a step's events gives: the facts and the path steps' changed first completions. */
interface Folded {
  facts: ProgressFacts;
  stepCompletions: Map<string, LogPosition>;
}

function fold(input: Omit<AwardInput, "definitions" | "awarded" | "now">): Folded {
  let facts = input.facts;
  const pathSteps = new Set(input.paths.flatMap((p) => p.steps.map((s) => s.activityId)));
  const changed = new Map<string, LogPosition>();
  const firstOf = (activityId: string) =>
    changed.get(activityId) ?? input.stepCompletions.get(activityId) ??
      input.facts.steps?.[activityId] ?? facts.completions[activityId];
  for (const event of input.events) {
    const at = positionOf(event);
    const day = dayOf(event.timestamp, input.timeZone);
    facts = withTypeDay(withDay(facts, day, at), event.eventData.activityType, day);
    const [own, ...others] = targetsOf(event);
    if (event.eventType === "progress_reset" || !reportsDone(event.eventData) || !own) continue;
    const expected = input.expectedMinutes.get(own);
    const minutes = event.eventData.timeSpent ?? 0;
    facts = withCompletion(facts, own, at, {
      fast: expected !== undefined && minutes > 0 && minutes < expected,
    });
    for (const activityId of others) facts = withCompletion(facts, activityId, at, { fast: false });
    for (const activityId of [own, ...others]) {
      if (!pathSteps.has(activityId)) continue;
      const first = earlier(firstOf(activityId), at);
      if (first !== input.stepCompletions.get(activityId)) changed.set(activityId, first);
    }
  }
  for (const path of input.paths) {
    const firsts = path.steps.map((s) => firstOf(s.activityId));
    if (firsts.every((f) => f !== undefined)) {
      facts = withPathCompleted(facts, path.pathId, firsts.sort(comparePositions).at(-1)!);
    }
  }
  return { facts, stepCompletions: changed };
}

/** Folds a step's events into a student's facts: active days, completions, fast completions, complete paths. */
export function foldFacts(
  input: Omit<AwardInput, "definitions" | "awarded" | "now">,
): ProgressFacts {
  return fold(input).facts;
}

/**
 * Updates a student's facts with this step's events and awards every achievement they now earn.
 * Each achievement is awarded once; its trigger is the earliest event in log order that earns it,
 * so replaying the log in any order gives the same awards. Pure.
 */
export function awardAchievements(input: AwardInput): AwardOutput {
  const { facts, stepCompletions } = fold(input);
  const byId = new Map(input.definitions.map((d) => [d.id, d]));
  const ordered = logOrder(input.events);
  const lastEvent = ordered.at(-1)?.id ?? "";
  const awards: Award[] = [];
  const earned: AwardOutput["earned"] = [];
  for (const found of earnedAchievements(input.definitions, facts)) {
    const definition = byId.get(found.achievementId)!;
    const before = input.awarded.get(found.achievementId);
    // A trigger only ever moves earlier (a late event); bounded facts may forget old history.
    const moved = before && comparePositions(
          { timestamp: found.earnedAt, eventId: found.triggerEventId },
          { timestamp: before.earnedAt, eventId: before.triggerEventId },
        ) < 0;
    if (before && !moved) continue;
    const award: Award = {
      ...found,
      type: definition.type,
      title: definition.title,
      description: definition.description,
      public: before?.public ?? false,
    };
    awards.push(award);
    if (!before) {
      const inStep = ordered.some((e) => e.id === found.triggerEventId);
      earned.push({ award, reportedOn: inStep ? found.triggerEventId : lastEvent });
    }
  }
  const streaks = streaksWithFreeze(Object.keys(facts.days), dayOf(input.now, input.timeZone));
  return { facts, stepCompletions, awards, earned, streaks };
}

/** Writes the award step's findings into the projection's results and live messages. */
export function withAwards(output: ProjectionOutput, awards: AwardOutput): ProjectionOutput {
  const byEvent = new Map<string, Award[]>();
  for (const { award, reportedOn } of awards.earned) {
    byEvent.set(reportedOn, [...(byEvent.get(reportedOn) ?? []), award]);
  }
  return {
    ...output,
    summary: output.summary,
    results: output.results.map((r) => ({ ...r, achievements: byEvent.get(r.eventId) ?? [] })),
    messages: [
      ...output.messages.map((m) =>
        m.event === "progress_update"
          ? {
            ...m,
            data: {
              ...m.data,
              overallProgress: {
                ...m.data.overallProgress,
                currentStreak: awards.streaks.current,
                longestStreak: awards.streaks.longest,
                streakFreeze: awards.streaks.freeze,
              },
            },
          }
          : m
      ),
      ...awards.earned.map(({ award }) => ({ event: "achievement_earned" as const, data: award })),
    ],
  };
}
