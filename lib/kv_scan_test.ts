import assert from "node:assert/strict";
import fc from "fast-check";
import { keyString } from "./kv_keys.ts";
import { firstEntryPerPart } from "./kv_scan.ts";

Deno.test("firstEntryPerPart yields each part's first entry once, in key order", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.nat(20)), { maxLength: 40 }),
      async (pairs) => {
        using kv = await Deno.openKv(":memory:");
        for (const [part, n] of pairs) await kv.set(["p", part, n], `${part}/${n}`);
        await kv.set(["q", "outside"], 1);
        const seen: [string, unknown][] = [];
        for await (const { part, entry } of firstEntryPerPart<string>(kv, ["p"])) {
          seen.push([part, entry.value]);
        }
        const expected: [string, unknown][] = [];
        for await (const entry of kv.list<string>({ prefix: ["p"] })) {
          const part = entry.key[1] as string;
          if (expected.at(-1)?.[0] !== part) expected.push([part, entry.value]);
        }
        assert.deepEqual(seen, expected);
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("keyString reads a string key part and refuses anything else", () => {
  assert.equal(keyString(["results", "u1", "e1"], 2), "e1");
  assert.equal(keyString(["results", "u1", "e1"], -1), "e1");
  assert.throws(() => keyString(["due", 12], 1), TypeError);
  assert.throws(() => keyString(["due"], 3), TypeError);
});
