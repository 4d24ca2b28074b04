import assert from "node:assert/strict";
import { derivedViewKey } from "../kv_keys.ts";
import {
  type DerivedParts,
  type DerivedView,
  storedDerivedParts,
  storeDerivedParts,
} from "./derived_view_store.ts";

/** Parts whose JSON is about `chars` long (a skill map of that size). */
function partsOf(chars: number, tag: string): DerivedParts {
  const skillProgress: Record<string, unknown> = {};
  for (let i = 0; i * 100 < chars; i++) skillProgress[`${tag}-${i}`] = "ő".repeat(80);
  return {
    learningPaths: [],
    upcomingActivities: [],
    skillProgress,
    milestones: [],
    weightedProgress: { goal: null, paths: {} },
  } as unknown as DerivedParts;
}

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

const header = (kv: Deno.Kv) => kv.get<DerivedView>(derivedViewKey("u1"));
const chunkCount = async (kv: Deno.Kv) =>
  (await Array.fromAsync(kv.list({ prefix: ["derived_view_chunks", "u1"] }))).length;

Deno.test("small parts are stored inline, large ones in chunks, and read back equal at their versions only", async () => {
  await withKv(async (kv) => {
    const small = partsOf(1_000, "s");
    await storeDerivedParts(kv, "u1", await header(kv), "v1", small);
    assert.deepEqual(await storedDerivedParts(kv, "u1", (await header(kv)).value, "v1"), small);
    assert.equal(await chunkCount(kv), 0);

    const large = partsOf(200_000, "l");
    await storeDerivedParts(kv, "u1", await header(kv), "v2", large);
    assert.ok((await chunkCount(kv)) > 1);
    assert.deepEqual(await storedDerivedParts(kv, "u1", (await header(kv)).value, "v2"), large);
    assert.equal(await storedDerivedParts(kv, "u1", (await header(kv)).value, "v1"), null);

    // Rewriting removes the old chunks; a missing chunk reads as nothing stored.
    const other = partsOf(100_000, "o");
    await storeDerivedParts(kv, "u1", await header(kv), "v3", other);
    const count = (await header(kv)).value!.chunks!.count;
    assert.equal(await chunkCount(kv), count);
    const { id } = (await header(kv)).value!.chunks!;
    await kv.delete(["derived_view_chunks", "u1", id, count - 1]);
    assert.equal(await storedDerivedParts(kv, "u1", (await header(kv)).value, "v3"), null);
  });
});

Deno.test("two readers storing at once: one write wins and no chunk is left behind", async () => {
  await withKv(async (kv) => {
    const previous = await header(kv);
    await Promise.all([
      storeDerivedParts(kv, "u1", previous, "v1", partsOf(90_000, "a")),
      storeDerivedParts(kv, "u1", previous, "v1", partsOf(150_000, "b")),
    ]);
    const stored = (await header(kv)).value!;
    assert.equal(await chunkCount(kv), stored.chunks!.count);
  });
});

Deno.test("parts too large for ten chunks are not stored (derived on each read instead)", async () => {
  await withKv(async (kv) => {
    await storeDerivedParts(kv, "u1", await header(kv), "v1", partsOf(1_000, "s"));
    await storeDerivedParts(kv, "u1", await header(kv), "v2", partsOf(700_000, "x"));
    assert.equal((await header(kv)).value, null);
    assert.equal(await chunkCount(kv), 0);
  });
});
