import { catalogVersionKey } from "../kv_keys.ts";
import type { LearningPath } from "../core/propagation.ts";
import { type CatalogActivity, listActivities, listPaths } from "./catalog_store.ts";

/** The whole catalog as of one version: activities, paths, and the paths each activity is in. */
export interface CatalogSnapshot {
  /** Versionstamp of the catalog version key when it was read (null before any catalog write). */
  version: string | null;
  activities: ReadonlyMap<string, CatalogActivity>;
  paths: ReadonlyMap<string, LearningPath>;
  pathIdsByActivity: ReadonlyMap<string, readonly string[]>;
}

const snapshots = new WeakMap<Deno.Kv, Promise<CatalogSnapshot>>();

/** Reads the catalog: its contents are at least as new as `version` (read first). */
async function loadSnapshot(kv: Deno.Kv, version: string | null): Promise<CatalogSnapshot> {
  const [activities, paths] = await Promise.all([listActivities(kv), listPaths(kv)]);
  const pathIdsByActivity = new Map<string, string[]>();
  for (const path of paths) {
    for (const step of path.steps) {
      const ids = pathIdsByActivity.get(step.activityId) ?? [];
      if (!ids.includes(path.pathId)) ids.push(path.pathId);
      pathIdsByActivity.set(step.activityId, ids);
    }
  }
  return {
    version,
    activities: new Map(activities.map((a) => [a.activityId, a])),
    paths: new Map(paths.map((p) => [p.pathId, p])),
    pathIdsByActivity,
  };
}

/**
 * The catalog, kept in memory and reloaded whenever its version key changed: one strong read per
 * call instead of a read per activity or path. Every catalog write rewrites the version key in the
 * same commit, so a snapshot is never older than the version it is cached under.
 */
export async function catalogSnapshot(kv: Deno.Kv): Promise<CatalogSnapshot> {
  const version = (await kv.get(catalogVersionKey())).versionstamp;
  const cached = snapshots.get(kv);
  if (cached) {
    const snapshot = await cached.catch(() => null);
    if (snapshot && snapshot.version === version) return snapshot;
  }
  const loading = loadSnapshot(kv, version);
  snapshots.set(kv, loading);
  return await loading;
}
