import assert from "node:assert/strict";
import fc from "fast-check";
import type { ProgressConflict, ResolvedBy } from "./conflict.ts";
import { mattersToStudent, studentHistory } from "./conflict_history.ts";

function conflict(
  id: string,
  options: {
    resolvedBy?: ResolvedBy;
    eventId?: string | null;
    activityId?: string;
    detectedAt?: string;
    systems?: string[];
  } = {},
): ProgressConflict {
  const systems = options.systems ?? ["video_player", "video_player"];
  return {
    id,
    userId: "u1",
    activityId: options.activityId ?? "video-1",
    conflictType: "duplicate_event",
    conflictingEvents: systems.map((s, i) => ({
      id: `${id}-e${i}`,
      userId: "u1",
      eventType: "video_completed",
      sourceSystem: s as ProgressConflict["conflictingEvents"][number]["sourceSystem"],
      eventData: { activityType: "video", completionStatus: "completed" },
      timestamp: "2026-12-01T10:00:00Z",
      receivedAt: "2026-12-01T10:00:00Z",
      processed: true,
    })),
    suggestedResolution: {
      resolutionType: "merge_data",
      resolvedData: { activityType: "video", completionStatus: "completed" },
      reasoning: "The same completion reported twice",
      confidence: 0.95,
    },
    requiresUserInput: false,
    impact: "low",
    status: "resolved",
    eventId: `${id}-e1`,
    anchorEventId: `${id}-e1`,
    rule: "duplicate.completion",
    detectedAt: options.detectedAt ?? "2026-12-01T10:00:01Z",
    resolution: {
      resolutionType: "merge_data",
      resolvedBy: options.resolvedBy ?? "auto",
      resolvedAt: "2026-12-01T10:00:01Z",
      eventId: options.eventId === undefined ? null : options.eventId,
      explanation: "Reported twice: nothing had to change",
    },
  };
}

Deno.test("studentHistory leaves out a system repeating itself and keeps decisions and changes", () => {
  const repeat = conflict("c1");
  const decided = conflict("c2", { resolvedBy: "student" });
  const changed = conflict("c3", {
    eventId: "resolution-1",
    activityId: "quiz-1",
    systems: ["video_player", "todo_manager"],
  });
  const repeatFixed = conflict("c4", { eventId: "resolution-2" });
  const history = studentHistory([repeat, decided, changed, repeatFixed]);
  assert.equal(history.hidden, 2, "a repeat is the system's own, even when time was corrected");
  assert.deepEqual(history.rows.map((r) => r.conflict.id).sort(), ["c2", "c3"]);
  assert.equal(mattersToStudent(repeat), false);
});

Deno.test("studentHistory collapses identical rows into one with a count, newest first", () => {
  const a = conflict("a", { resolvedBy: "system", detectedAt: "2026-12-01T10:00:00Z" });
  const b = conflict("b", { resolvedBy: "system", detectedAt: "2026-12-01T11:00:00Z" });
  const other = conflict("c", {
    resolvedBy: "system",
    detectedAt: "2026-12-01T09:00:00Z",
    systems: ["quiz_engine", "chat_system"],
  });
  const { rows } = studentHistory([a, other, b]);
  assert.deepEqual(rows.map((r) => [r.conflict.id, r.count]), [["b", 2], ["c", 1]]);
});

const arbitraryConflict = fc.record({
  id: fc.constantFrom("c1", "c2", "c3", "c4", "c5", "c6"),
  resolvedBy: fc.constantFrom<ResolvedBy>("auto", "student", "system"),
  eventId: fc.option(fc.constantFrom("r1", "r2"), { nil: null }),
  activityId: fc.constantFrom("v1", "v2"),
  minute: fc.integer({ min: 0, max: 59 }),
}).map((c) =>
  conflict(c.id, {
    resolvedBy: c.resolvedBy,
    eventId: c.eventId,
    activityId: c.activityId,
    detectedAt: `2026-12-01T10:${String(c.minute).padStart(2, "0")}:00Z`,
  })
);

Deno.test("studentHistory gives the same history in any order and with repeats, accounting for each conflict once", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(arbitraryConflict, { selector: (c) => c.id }),
      fc.array(fc.nat()),
      (conflicts, picks) => {
        const repeated = [...conflicts, ...picks.map((i) => conflicts[i % conflicts.length]!)]
          .filter(Boolean);
        const shuffled = [...repeated].reverse();
        const once = studentHistory(conflicts);
        assert.deepEqual(studentHistory(shuffled), once);
        const counted = once.rows.reduce((n, r) => n + r.count, 0) + once.hidden;
        assert.equal(counted, conflicts.length);
        assert.ok(once.rows.every((r) => mattersToStudent(r.conflict)));
      },
    ),
  );
});
