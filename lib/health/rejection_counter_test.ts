import assert from "node:assert/strict";
import { createRejectionCounter } from "./rejection_counter.ts";
import { readSyncStats } from "../processing/sync_stats.ts";

Deno.test("the rejection counter writes at most once per interval and carries the count to the next write", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const counter = createRejectionCounter({ intervalMs: 1000 });
    for (let i = 0; i < 50; i++) await counter.count(kv, "todo_manager", 5000 + i);
    assert.equal((await readSyncStats(kv)).get("todo_manager")!.inbound_rejected, 1);
    await counter.count(kv, "todo_manager", 6000);
    const stats = (await readSyncStats(kv)).get("todo_manager")!;
    assert.equal(stats.inbound_rejected, 51, "the 49 held back are written with the next one");
    assert.equal(stats.last_inbound_rejected_at, 6000);
  } finally {
    kv.close();
  }
});
