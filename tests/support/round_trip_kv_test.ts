import assert from "node:assert/strict";
import { countRoundTrips } from "./round_trip_kv.ts";

Deno.test("countRoundTrips counts overlapping calls as one round trip and chained ones apart", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const counter = countRoundTrips(kv);
    await Promise.all([counter.kv.get(["a"]), counter.kv.getMany([["b"], ["c"]])]);
    assert.equal(counter.count().sequential, 1);
    for await (const _ of counter.kv.list({ prefix: ["a"] })) { /* drain */ }
    await counter.kv.atomic().set(["a", 1], 1).commit();
    await counter.kv.set(["a", 2], 2);
    assert.deepEqual(counter.count(), {
      sequential: 4,
      calls: 5,
      byMethod: { get: 1, getMany: 1, list: 1, commit: 1, set: 1 },
    });
    counter.reset();
    assert.equal(counter.count().calls, 0);
    assert.equal((await counter.kv.get(["a", 2])).value, 2);
  } finally {
    kv.close();
  }
});
