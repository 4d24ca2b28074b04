import assert from "node:assert/strict";
import { decodeTime } from "ulid";
import { monotonicUlids, newUlid } from "./ids.ts";

Deno.test("new ULIDs carry their time, use Crockford base32 and do not repeat", () => {
  const ids = Array.from({ length: 20_000 }, () => newUlid(1_764_000_000_000));
  for (const id of ids.slice(0, 100)) {
    assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(decodeTime(id), 1_764_000_000_000);
  }
  assert.equal(new Set(ids).size, ids.length);
});

Deno.test("monotonic ULIDs sort in call order, even within one millisecond", () => {
  const next = monotonicUlids();
  const ids = Array.from({ length: 10_000 }, () => next(1_764_000_000_000));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});
