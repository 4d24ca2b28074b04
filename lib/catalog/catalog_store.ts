import { ConflictError, InvalidInputError } from "../errors.ts";
import {
  catalogActivityByIriKey,
  catalogActivityKey,
  catalogVersionKey,
  itemByActivityKey,
  itemByUserKey,
  itemKey,
  itemsByActivityPrefix,
  itemsByUserPrefix,
  itemStateKey,
  itemsVersionKey,
  pathKey,
} from "../kv_keys.ts";
import { getManyBatched, getValuesById } from "../kv_batch_reader.ts";
import type { ItemState, LearningPath, TrackedItem } from "../core/propagation.ts";
import {
  type ActivityInput,
  type ItemInput,
  MAX_IRI_LENGTH,
  MAX_ITEMS_PER_ACTIVITY,
  type PathInput,
} from "./catalog_schema.ts";

/** An activity of the deployment's catalog. */
export interface CatalogActivity {
  activityId: string;
  title: string;
  activityType: ActivityInput["activityType"];
  skills: string[];
  expectedMinutes: number | null;
  /** The xAPI IRI registered for it, if any. */
  iri?: string;
  updatedAt: string;
}

async function listValues(kv: Deno.Kv, prefix: Deno.KvKey): Promise<string[]> {
  const values: string[] = [];
  for await (const entry of kv.list<string>({ prefix })) values.push(entry.value);
  return values;
}

/**
 * Creates or replaces a catalog activity; `created` tells which. Its `iri` is indexed for xAPI
 * statements; an IRI another activity registered is a 409.
 */
export async function putActivity(
  kv: Deno.Kv,
  activityId: string,
  input: ActivityInput,
): Promise<{ activity: CatalogActivity; created: boolean }> {
  const activity: CatalogActivity = {
    activityId,
    title: input.title,
    activityType: input.activityType,
    skills: input.skills ?? [],
    expectedMinutes: input.expectedMinutes ?? null,
    ...(input.iri === undefined ? {} : { iri: input.iri }),
    updatedAt: new Date().toISOString(),
  };
  const before = await kv.get<CatalogActivity>(catalogActivityKey(activityId));
  const op = kv.atomic().check(before).set(catalogActivityKey(activityId), activity)
    .set(catalogVersionKey(), activity.updatedAt);
  const oldIri = before.value?.iri;
  if (oldIri !== undefined && oldIri !== input.iri) op.delete(catalogActivityByIriKey(oldIri));
  if (input.iri !== undefined && input.iri !== oldIri) {
    const owner = await kv.get<string>(catalogActivityByIriKey(input.iri));
    if (owner.value !== null && owner.value !== activityId) {
      throw new ConflictError(`IRI already registered for activity "${owner.value}"`);
    }
    op.check(owner).set(catalogActivityByIriKey(input.iri), activityId);
  }
  if (!(await op.commit()).ok) {
    throw new ConflictError("The activity changed meanwhile: send it again");
  }
  return { activity, created: before.value === null };
}

/** The catalog activity ids registered for xAPI IRIs (unregistered IRIs are absent). */
export async function activityIdsByIri(
  kv: Deno.Kv,
  iris: readonly string[],
): Promise<Map<string, string>> {
  const known = iris.filter((iri) => iri.length <= MAX_IRI_LENGTH);
  return await getValuesById<string>(kv, known, catalogActivityByIriKey);
}

/** Reads catalog activities by id (missing ones are absent from the map). */
export async function getActivities(
  kv: Deno.Kv,
  activityIds: readonly string[],
): Promise<Map<string, CatalogActivity>> {
  return await getValuesById<CatalogActivity>(kv, activityIds, catalogActivityKey);
}

/** Lists the whole catalog, ordered by id. */
export async function listActivities(kv: Deno.Kv): Promise<CatalogActivity[]> {
  const out: CatalogActivity[] = [];
  for await (const e of kv.list<CatalogActivity>({ prefix: ["catalog_activities"] })) {
    out.push(e.value);
  }
  return out;
}

/** Deletes a catalog activity (the log keeps every event about it); false when unknown. */
export async function deleteActivity(kv: Deno.Kv, activityId: string): Promise<boolean> {
  const entry = await kv.get<CatalogActivity>(catalogActivityKey(activityId));
  if (entry.value === null) return false;
  const op = kv.atomic().check(entry).delete(entry.key)
    .set(catalogVersionKey(), new Date().toISOString());
  if (entry.value.iri !== undefined) op.delete(catalogActivityByIriKey(entry.value.iri));
  await op.commit();
  return true;
}

async function requireActivities(kv: Deno.Kv, activityIds: readonly string[], field: string) {
  const known = await getActivities(kv, activityIds);
  const issues = activityIds.flatMap((id, i) =>
    known.has(id) ? [] : [{ path: `${field}[${i}]`, message: `Unknown activity "${id}"` }]
  );
  if (issues.length > 0) {
    throw new InvalidInputError(`Invalid request: ${issues[0]!.path}: ${issues[0]!.message}`, {
      issues,
    });
  }
}

/** Creates or replaces a learning path; every step's activity must be in the catalog (400 otherwise). */
export async function putPath(
  kv: Deno.Kv,
  pathId: string,
  input: PathInput,
): Promise<{ path: LearningPath; created: boolean }> {
  await requireActivities(kv, input.steps.map((s) => s.activityId), "steps");
  const path: LearningPath = {
    pathId,
    title: input.title,
    system: input.system ?? "ai_journey",
    steps: input.steps,
    updatedAt: new Date().toISOString(),
  };
  const before = await kv.get<LearningPath>(pathKey(pathId));
  const result = await kv.atomic().check(before).set(pathKey(pathId), path)
    .set(catalogVersionKey(), path.updatedAt).commit();
  if (!result.ok) throw new ConflictError(`Path "${pathId}" changed meanwhile: try again`);
  return { path, created: before.value === null };
}

/** Reads paths by id. */
export async function getPaths(
  kv: Deno.Kv,
  pathIds: readonly string[],
): Promise<Map<string, LearningPath>> {
  return await getValuesById<LearningPath>(kv, pathIds, pathKey);
}

/** Deletes a path; false when unknown. */
export async function deletePath(kv: Deno.Kv, pathId: string): Promise<boolean> {
  const before = await kv.get<LearningPath>(pathKey(pathId));
  if (!before.value) return false;
  return (await kv.atomic().check(before).delete(before.key)
    .set(catalogVersionKey(), new Date().toISOString()).commit()).ok;
}

/**
 * Creates or replaces a student's item. The item's activities must be in the catalog; an item id
 * belongs to one student for good (409 when another student's); at most
 * `MAX_ITEMS_PER_ACTIVITY` items of a student may track the same activity (409 beyond).
 */
export async function putItem(
  kv: Deno.Kv,
  itemId: string,
  userId: string,
  input: ItemInput,
): Promise<{ item: TrackedItem; created: boolean }> {
  await requireActivities(kv, input.activityIds, "activityIds");
  const before = await kv.get<TrackedItem>(itemKey(itemId));
  if (before.value && before.value.userId !== userId) {
    throw new ConflictError(
      `Item "${itemId}" belongs to another student: items cannot move between students`,
    );
  }
  const added = input.activityIds.filter((a) => !before.value?.activityIds.includes(a));
  for (const activityId of added) {
    let count = 0;
    for await (const _ of kv.list({ prefix: itemsByActivityPrefix(userId, activityId) })) count++;
    if (count >= MAX_ITEMS_PER_ACTIVITY) {
      throw new ConflictError(
        `Activity "${activityId}" already has ${MAX_ITEMS_PER_ACTIVITY} items of this student tracking it`,
      );
    }
  }
  const item: TrackedItem = {
    itemId,
    userId,
    system: input.system,
    kind: input.kind,
    title: input.title,
    activityIds: input.activityIds,
    dueDate: input.dueDate ?? null,
    scheduledStart: input.scheduledStart ?? null,
    scheduledEnd: input.scheduledEnd ?? null,
    updatedAt: new Date().toISOString(),
  };
  const op = kv.atomic().check(before).set(itemKey(itemId), item)
    .set(itemByUserKey(userId, itemId), itemId).set(itemsVersionKey(userId), item.updatedAt);
  for (const activityId of before.value?.activityIds ?? []) {
    if (!item.activityIds.includes(activityId)) {
      op.delete(itemByActivityKey(userId, activityId, itemId));
    }
  }
  for (const activityId of item.activityIds) {
    op.set(itemByActivityKey(userId, activityId, itemId), itemId);
  }
  const result = await op.commit();
  if (!result.ok) throw new ConflictError(`Item "${itemId}" changed meanwhile: try again`);
  return { item, created: before.value === null };
}

/** Reads one item, or null. */
export async function getItem(kv: Deno.Kv, itemId: string): Promise<TrackedItem | null> {
  return (await kv.get<TrackedItem>(itemKey(itemId))).value;
}

/** Deletes a student's item with its indexes and derived state (events stay in the log); false when not theirs. */
export async function deleteItem(kv: Deno.Kv, itemId: string, userId: string): Promise<boolean> {
  const before = await kv.get<TrackedItem>(itemKey(itemId));
  if (!before.value || before.value.userId !== userId) return false;
  const op = kv.atomic().check(before).delete(before.key).delete(itemByUserKey(userId, itemId))
    .delete(itemStateKey(userId, itemId)).set(itemsVersionKey(userId), new Date().toISOString());
  for (const activityId of before.value.activityIds) {
    op.delete(itemByActivityKey(userId, activityId, itemId));
  }
  return (await op.commit()).ok;
}

/** Reads items by id (missing ones are absent). */
export async function getItems(
  kv: Deno.Kv,
  itemIds: readonly string[],
): Promise<Map<string, TrackedItem>> {
  return await getValuesById<TrackedItem>(kv, itemIds, itemKey);
}

/** Lists a student's items. */
export async function listItems(kv: Deno.Kv, userId: string): Promise<TrackedItem[]> {
  const ids = await listValues(kv, itemsByUserPrefix(userId));
  return [...(await getItems(kv, ids)).values()];
}

/** Reads a student's derived item states. */
export async function getItemStates(
  kv: Deno.Kv,
  userId: string,
  itemIds: readonly string[],
): Promise<Map<string, Deno.KvEntryMaybe<ItemState>>> {
  const ids = [...new Set(itemIds)];
  const entries = await getManyBatched<ItemState>(kv, ids.map((id) => itemStateKey(userId, id)));
  return new Map(ids.map((id, i) => [id, entries[i]!]));
}

/** Lists every learning path, ordered by id. */
export async function listPaths(kv: Deno.Kv): Promise<LearningPath[]> {
  const out: LearningPath[] = [];
  for await (const e of kv.list<LearningPath>({ prefix: ["paths"] })) out.push(e.value);
  return out;
}
