import assert from "node:assert/strict";
import fc from "fast-check";
import { achievementKey } from "../kv_keys.ts";
import { listShareIds, readSharedAward, setAwardPublic } from "./achievement_sharing.ts";
import type { Award } from "../core/award_step.ts";

const AWARD: Award = {
  achievementId: "first-completion",
  triggerEventId: "e1",
  earnedAt: "2026-11-01T10:00:00.000Z",
  metadata: {},
  type: "completion",
  title: "First steps",
  description: "Complete your first activity.",
  public: false,
};

Deno.test("setAwardPublic is null for an achievement the student has not earned", async () => {
  using kv = await Deno.openKv(":memory:");
  assert.equal(
    await setAwardPublic(kv, { userId: "u1", achievementId: "first-completion", isPublic: true }),
    null,
  );
  assert.deepEqual(await listShareIds(kv, "u1"), new Map());
});

Deno.test("readSharedAward is null for malformed and unknown share ids", async () => {
  using kv = await Deno.openKv(":memory:");
  assert.equal(await readSharedAward(kv, "../../x"), null);
  assert.equal(await readSharedAward(kv, "A".repeat(22)), null);
});

Deno.test("any sequence of public/private toggles leaves at most one live link, the latest, and every older link revoked", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), async (toggles) => {
      using kv = await Deno.openKv(":memory:");
      await kv.set(achievementKey("u1", AWARD.achievementId), AWARD);
      const seen = new Set<string>();
      for (const isPublic of toggles) {
        const result = await setAwardPublic(kv, {
          userId: "u1",
          achievementId: AWARD.achievementId,
          isPublic,
        });
        assert.equal(result?.award.public, isPublic);
        if (result?.shareId) seen.add(result.shareId);
      }
      const live = (await listShareIds(kv, "u1")).get(AWARD.achievementId) ?? null;
      assert.equal(live !== null, toggles.at(-1), "a live link exactly when last made public");
      // A new link each time the achievement goes from private to public, none reused.
      const publicRuns = toggles.filter((p, i) => p && (i === 0 || !toggles[i - 1])).length;
      assert.equal(seen.size, publicRuns);
      for (const shareId of seen) {
        const shared = await readSharedAward(kv, shareId);
        assert.equal(shared?.status, shareId === live ? "shared" : "revoked");
      }
    }),
    { numRuns: 60 },
  );
});

Deno.test("a share whose award is no longer public reads as revoked", async () => {
  using kv = await Deno.openKv(":memory:");
  await kv.set(achievementKey("u1", AWARD.achievementId), AWARD);
  const result = await setAwardPublic(kv, {
    userId: "u1",
    achievementId: AWARD.achievementId,
    isPublic: true,
  });
  await kv.set(achievementKey("u1", AWARD.achievementId), { ...AWARD, public: false });
  assert.equal((await readSharedAward(kv, result!.shareId!))?.status, "revoked");
});
