import assert from "node:assert/strict";
import fc from "fast-check";
import {
  activityIdFromIri,
  durationMinutes,
  mapStatementToProgress,
  scorePercent,
  statusOfVerb,
} from "./progress_mapping.ts";

Deno.test("durationMinutes adds up every part of an ISO 8601 duration", () => {
  fc.assert(
    fc.property(
      fc.nat(3),
      fc.nat(30),
      fc.nat(23),
      fc.nat(59),
      fc.nat(59),
      (d, dd, h, m, s) => {
        const text = `P${d}Y${dd}DT${h}H${m}M${s}S`;
        const expected = (d * 365 + dd) * 24 * 60 + h * 60 + m + s / 60;
        assert.ok(Math.abs(durationMinutes(text)! - expected) < 1e-9);
      },
    ),
  );
  assert.equal(durationMinutes("PT1.5H"), 90);
  assert.equal(durationMinutes("P2W"), 2 * 7 * 24 * 60);
  assert.equal(durationMinutes("an hour"), null);
});

Deno.test("scorePercent is scaled × 100, else raw within min–max, always 0–100", () => {
  fc.assert(
    fc.property(fc.double({ min: -1, max: 1, noNaN: true }), (scaled) => {
      const percent = scorePercent({ scaled })!;
      assert.ok(percent >= 0 && percent <= 100);
    }),
  );
  assert.equal(scorePercent({ raw: 15, min: 10, max: 20 }), 50);
  assert.equal(scorePercent({ raw: 7, max: 10 }), 70);
  assert.equal(scorePercent({}), null);
  assert.equal(scorePercent(undefined), null);
});

Deno.test("statusOfVerb maps ADL's verbs (both namespaces) and ignores the rest", () => {
  assert.equal(statusOfVerb("http://adlnet.gov/expapi/verbs/passed"), "completed");
  assert.equal(statusOfVerb("https://w3id.org/xapi/adl/verbs/failed"), "failed");
  assert.equal(statusOfVerb("http://adlnet.gov/expapi/verbs/attempted"), "started");
  assert.equal(statusOfVerb("http://adlnet.gov/expapi/verbs/experienced"), null);
  assert.equal(statusOfVerb("http://example.org/verbs/completed"), null);
});

Deno.test("activityIdFromIri reads {origin}/activities/{id} and nothing deeper", () => {
  assert.equal(
    activityIdFromIri("https://ps.example.org/activities/css%20grid", "https://ps.example.org/"),
    "css grid",
  );
  assert.equal(
    activityIdFromIri("https://ps.example.org/activities/a/b", "https://ps.example.org"),
    null,
  );
  assert.equal(activityIdFromIri("https://other.org/activities/a", "https://ps.example.org"), null);
});

Deno.test("a failed quiz statement becomes a failed skill assessment at the statement's time", () => {
  const mapped = mapStatementToProgress({
    verb: { id: "http://adlnet.gov/expapi/verbs/failed" },
    timestamp: "2026-11-20T10:00:00+01:00",
    result: { score: { scaled: 0.4 }, duration: "PT5M" },
  }, { activityId: "quiz-1", activityType: "quiz" });
  assert.deepEqual(mapped, {
    eventType: "skill_assessed",
    sourceSystem: "xapi",
    eventData: {
      activityId: "quiz-1",
      activityType: "quiz",
      completionStatus: "failed",
      timeSpent: 5,
      score: 40,
    },
    timestamp: "2026-11-20T09:00:00.000Z",
  });
});
