import { derivedViewChunkKey, derivedViewKey } from "../kv_keys.ts";
import type { UnifiedProgressView } from "../core/unified_view.ts";

/** The parts of the unified view derived from many projections and the catalog. */
export type DerivedParts =
  & Pick<
    UnifiedProgressView,
    "learningPaths" | "upcomingActivities" | "skillProgress" | "milestones" | "weightedProgress"
  >
  & {
    /** Activities of the student's paths and items they have not touched (headline progress). */
    plannedUntouched: number;
  };

/**
 * Derived parts as stored, with the versions of everything they were read from: inline when
 * small, else as JSON text in chunks whose keys carry a fresh id (so a reader never mixes two
 * writes' chunks).
 */
export interface DerivedView {
  versions: string;
  parts?: DerivedParts;
  chunks?: { id: string; count: number };
}

/** Characters per stored chunk: 30,000 take at most 60,000 bytes, under KV's 64 KiB per value. */
const CHUNK_CHARS = 30_000;
/** Most chunks (read with one `getMany`); larger parts are derived on every read. */
const MAX_CHUNKS = 10;

/** The stored parts if `stored` was made at `versions` (null when stale, absent or incomplete). */
export async function storedDerivedParts(
  kv: Deno.Kv,
  userId: string,
  stored: DerivedView | null,
  versions: string,
): Promise<DerivedParts | null> {
  if (!stored || stored.versions !== versions) return null;
  if (stored.parts) return stored.parts;
  if (!stored.chunks) return null;
  const { id, count } = stored.chunks;
  const entries = await kv.getMany<string[]>(
    Array.from({ length: count }, (_, i) => derivedViewChunkKey(userId, id, i)),
  );
  if (entries.some((e) => e.value === null)) return null;
  return JSON.parse(entries.map((e) => e.value).join("")) as DerivedParts;
}

/**
 * Stores derived parts made at `versions` in place of `previous` (removing its chunks). Checked
 * against `previous`, so of two readers storing at once one wins and no chunk is left behind.
 */
export async function storeDerivedParts(
  kv: Deno.Kv,
  userId: string,
  previous: Deno.KvEntryMaybe<DerivedView>,
  versions: string,
  parts: DerivedParts,
): Promise<void> {
  const op = kv.atomic().check(previous);
  const old = previous.value?.chunks;
  for (let i = 0; old && i < old.count; i++) op.delete(derivedViewChunkKey(userId, old.id, i));
  const text = JSON.stringify(parts);
  const count = Math.ceil(text.length / CHUNK_CHARS);
  if (count <= 1) {
    op.set(derivedViewKey(userId), { versions, parts } satisfies DerivedView);
  } else if (count <= MAX_CHUNKS) {
    const id = crypto.randomUUID();
    for (let i = 0; i < count; i++) {
      op.set(
        derivedViewChunkKey(userId, id, i),
        text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS),
      );
    }
    op.set(derivedViewKey(userId), { versions, chunks: { id, count } } satisfies DerivedView);
  } else {
    op.delete(derivedViewKey(userId));
  }
  await op.commit();
}
