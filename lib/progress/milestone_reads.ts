import type { CatalogSnapshot } from "../catalog/catalog_cache.ts";
import { activityStateKey } from "../kv_keys.ts";
import type { BatchedReader } from "../kv_batch_reader.ts";
import type { ActivityState } from "../core/activity_state.ts";
import { milestonesReachedBy, type MilestoneStepInput } from "../core/milestone_step.ts";
import type { Milestone } from "../core/milestones.ts";

/**
 * Reads (through `reader`, which processing has filled in advance) what the milestone step needs besides the projection step's input — the stored states of
 * the paths' other steps — and runs it with which of them are in the catalog.
 */
export async function milestoneStep(
  reader: BatchedReader,
  userId: string,
  catalog: CatalogSnapshot,
  input: Omit<MilestoneStepInput, "stepStates" | "inCatalog">,
): Promise<Map<string, Milestone[]>> {
  const stepIds = [...new Set(input.paths.flatMap((p) => p.steps.map((s) => s.activityId)))];
  if (stepIds.length === 0) {
    return milestonesReachedBy({ ...input, stepStates: new Map(), inCatalog: new Set() });
  }
  const unread = stepIds.filter((id) => !input.states.has(id));
  const entries = await reader.getMany<ActivityState>(
    unread.map((a) => activityStateKey(userId, a)),
  );
  const stepStates = new Map<string, ActivityState>();
  entries.forEach((e, i) => e.value && stepStates.set(unread[i]!, e.value));
  const inCatalog = new Set(stepIds.filter((id) => catalog.activities.has(id)));
  return milestonesReachedBy({ ...input, stepStates, inCatalog });
}
