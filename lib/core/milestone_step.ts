/**
 * Which milestones each event of a processing step made the student reach, for the events'
 * `ProgressSyncResult.milestonesReached`. Pure.
 */
import { type StoredEvent, targetsOf } from "./event_schema.ts";
import { pathProgressOf } from "./path_progress.ts";
import type { LearningPath } from "./propagation.ts";
import { type ActivityState, applyEvent, logOrder, reduceActivity } from "./activity_state.ts";
import { type Milestone, milestonesOf } from "./milestones.ts";
import type { ProjectionOutput } from "./project.ts";
import { emptySummary, type ProgressTotals, replaceInTotals } from "./summary.ts";
import { overallProgressOf } from "./unified_view.ts";

/** What the milestone step reads: the projection step's input, and the paths the events touch. */
export interface MilestoneStepInput {
  /** The step's events (any order). */
  events: readonly StoredEvent[];
  /** Activity states before the step, of the activities its events touch (where they exist). */
  states: ReadonlyMap<string, ActivityState>;
  /** Processed events of the activities the projection step re-reduces (as `project` takes them). */
  histories: ReadonlyMap<string, readonly StoredEvent[]>;
  /** The summary's totals before the step. */
  totals: ProgressTotals;
  /** Paths that include an activity the events touch. */
  paths: readonly LearningPath[];
  /** Stored states of those paths' other steps. */
  stepStates: ReadonlyMap<string, ActivityState>;
  /** The paths' step activities still in the catalog (a removed step does not count). */
  inCatalog: ReadonlySet<string>;
}

/**
 * For each event, the milestones (path thresholds and totals, as in the summary) that went from
 * not reached to reached when it was applied: the events are applied one by one in log order,
 * exactly as the projection step applies them. `reachedAt` is the milestone's own time where the
 * projections know it, else the event's timestamp.
 */
export function milestonesReachedBy(input: MilestoneStepInput): Map<string, Milestone[]> {
  const applied = new Map<string, ActivityState>();
  const appliedEvents = new Map<string, StoredEvent[]>();
  let totals = input.totals;
  const stateOf = (id: string) =>
    applied.get(id) ?? input.states.get(id) ?? input.stepStates.get(id);
  const milestonesNow = () =>
    milestonesOf(
      input.paths.map((p) => pathProgressOf(p, stateOf, (a) => input.inCatalog.has(a))),
      overallProgressOf({ ...emptySummary(""), totals }),
    );
  let reached = new Set(milestonesNow().filter((m) => m.reached).map((m) => m.id));
  const out = new Map<string, Milestone[]>();
  for (const event of logOrder(input.events)) {
    for (const activityId of targetsOf(event)) {
      const before = applied.get(activityId) ?? input.states.get(activityId);
      const history = input.histories.get(activityId);
      const events = [...(appliedEvents.get(activityId) ?? []), event];
      appliedEvents.set(activityId, events);
      const after = history
        ? reduceActivity([...history, ...events], activityId)!
        : applyEvent(before, event, activityId);
      applied.set(activityId, after);
      totals = replaceInTotals(totals, before, after);
    }
    const now = milestonesNow().filter((m) => m.reached);
    const fresh = now.filter((m) => !reached.has(m.id));
    if (fresh.length > 0) {
      out.set(event.id, fresh.map((m) => ({ ...m, reachedAt: m.reachedAt ?? event.timestamp })));
    }
    reached = new Set(now.map((m) => m.id));
  }
  return out;
}

/** Writes the milestones each event reached into its result. */
export function withMilestones(
  output: ProjectionOutput,
  reached: ReadonlyMap<string, Milestone[]>,
): ProjectionOutput {
  return {
    ...output,
    results: output.results.map((r) => ({ ...r, milestonesReached: reached.get(r.eventId) ?? [] })),
  };
}
