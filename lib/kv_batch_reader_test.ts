import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createBatchedReader,
  getManyBatched,
  getValuesById,
  KEYS_PER_READ,
} from "./kv_batch_reader.ts";

Deno.test("concurrent callers get their own entries in order, read 10 keys per getMany", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 25 }), { maxLength: 12 }),
      async (requests) => {
        const kv = await Deno.openKv(":memory:");
        try {
          for (let i = 0; i < 40; i += 2) await kv.set(["k", i], `v${i}`);
          let calls = 0;
          const counted = Object.create(kv) as Deno.Kv;
          counted.getMany = ((keys: Deno.KvKey[]) => {
            calls++;
            assert.ok(keys.length <= 10);
            return kv.getMany(keys);
          }) as Deno.Kv["getMany"];
          const reader = createBatchedReader(counted);
          const answers = await Promise.all(
            requests.map((ids) => reader.getMany<string>(ids.map((i) => ["k", i]))),
          );
          answers.forEach((entries, r) =>
            assert.deepEqual(
              entries.map((e) => e.value),
              requests[r]!.map((i) => (i % 2 === 0 && i < 40 ? `v${i}` : null)),
            )
          );
          const keys = requests.reduce((n, ids) => n + ids.length, 0);
          assert.ok(calls <= Math.ceil(keys / 10) + requests.length, `${calls} calls`);
        } finally {
          kv.close();
        }
      },
    ),
    { numRuns: 50 },
  );
});

Deno.test("a failed read rejects every caller whose keys were in it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const failing = Object.create(kv) as Deno.Kv;
    failing.getMany = (() => Promise.reject(new Error("disk gone"))) as unknown as Deno.Kv[
      "getMany"
    ];
    const reader = createBatchedReader(failing);
    const results = await Promise.allSettled([
      reader.getMany([["a"]]),
      reader.getMany([["b"], ["c"]]),
    ]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
  } finally {
    kv.close();
  }
});

/** `kv` with its `getMany` calls counted (each checked to stay within KV's 10-key limit). */
function countingGetMany(kv: Deno.Kv): { kv: Deno.Kv; calls: () => number } {
  let calls = 0;
  const counted = Object.create(kv) as Deno.Kv;
  counted.getMany = ((keys: Deno.KvKey[]) => {
    calls++;
    assert.ok(keys.length >= 1 && keys.length <= KEYS_PER_READ);
    return kv.getMany(keys);
  }) as Deno.Kv["getMany"];
  return { kv: counted, calls: () => calls };
}

Deno.test("getManyBatched reads any number of keys in order, missing ones null, 10 per getMany", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let i = 0; i < 200; i += 3) await kv.set(["k", i], `v${i}`);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 199 }), { maxLength: 250, size: "max" }),
      async (ids) => {
        const counted = countingGetMany(kv);
        const entries = await getManyBatched<string>(counted.kv, ids.map((i) => ["k", i]));
        assert.deepEqual(
          entries.map((e) => [e.key, e.value]),
          ids.map((i) => [["k", i], i % 3 === 0 ? `v${i}` : null]),
        );
        assert.equal(counted.calls(), Math.ceil(ids.length / KEYS_PER_READ));
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("getValuesById keeps the ids that exist, each once", async () => {
  using kv = await Deno.openKv(":memory:");
  for (let i = 0; i < 50; i += 2) await kv.set(["k", `id${i}`], i);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 80, size: "max" }),
      async (ns) => {
        const ids = ns.map((n) => `id${n}`);
        const found = await getValuesById<number>(kv, ids, (id) => ["k", id]);
        const expected = [...new Set(ns)].filter((n) => n < 50 && n % 2 === 0);
        assert.deepEqual(
          [...found].sort(([a], [b]) => a.localeCompare(b)),
          expected.map((n) => [`id${n}`, n] as const).sort(([a], [b]) => a.localeCompare(b)),
        );
      },
    ),
    { numRuns: 60 },
  );
});
