/**
 * Runs the labelled corpus through the real processing path (the in-process app on a `:memory:`
 * KV: HTTP API, appender, processor, conflict step, projections), checks every scenario's final
 * states, and measures detection against the labels: precision, recall and the share of detected
 * conflicts that settled without the student.
 */
import assert from "node:assert/strict";
import type { ProgressConflict } from "../../lib/core/conflict.ts";
import { activityStateKey } from "../../lib/kv_keys.ts";
import type { ActivityState } from "../../lib/core/activity_state.ts";
import { type TestApp, withTestApp } from "../support/test_app.ts";
import {
  CATALOG,
  type CorpusEvent,
  type Expectations,
  type ExpectedConflict,
  type Scenario,
  SCENARIOS,
} from "./corpus.ts";

/** Detection targets from seed 000. */
const MIN_PRECISION = 0.95;
const MIN_RECALL = 0.95;
const MIN_AUTO_RATE = 0.8;

interface Outcome {
  scenario: Scenario;
  detected: ProgressConflict[];
  matched: Map<number, ProgressConflict>;
  failures: string[];
}

/** Resolves `ahead(ms)` timestamps against the moment of first posting (a redelivery resends it as it was). */
function posted(event: CorpusEvent, sent: Map<string, CorpusEvent>): CorpusEvent {
  const before = sent.get(event.id);
  if (before) return before;
  const match = /^ahead:(\d+)$/.exec(event.timestamp);
  const out = match
    ? { ...event, timestamp: new Date(Date.now() + Number(match[1])).toISOString() }
    : event;
  sent.set(event.id, out);
  return out;
}

/** Whether detected conflict `d` is the labelled conflict `x`: same type and activity, its events among the labelled ones. */
function fits(d: ProgressConflict, x: ExpectedConflict): boolean {
  return d.conflictType === x.type && d.activityId === x.activityId &&
    d.conflictingEvents.every((e) => x.events.includes(e.id));
}

/** A largest one-to-one matching of labels to detected conflicts (augmenting paths). */
function match(
  expected: readonly ExpectedConflict[],
  detected: readonly ProgressConflict[],
): Map<number, ProgressConflict> {
  const owner = new Map<number, number>(); // detected index → expected index
  const tryAssign = (x: number, seen: Set<number>): boolean => {
    for (let d = 0; d < detected.length; d++) {
      if (seen.has(d) || !fits(detected[d]!, expected[x]!)) continue;
      seen.add(d);
      const current = owner.get(d);
      if (current === undefined || tryAssign(current, seen)) {
        owner.set(d, x);
        return true;
      }
    }
    return false;
  };
  expected.forEach((_, x) => tryAssign(x, new Set()));
  const out = new Map<number, ProgressConflict>();
  for (const [d, x] of owner) out.set(x, detected[d]!);
  return out;
}

async function check(
  app: TestApp,
  userId: string,
  token: string,
  expect: Expectations,
  label: string,
  failures: string[],
): Promise<void> {
  for (const [activityId, fields] of Object.entries(expect.states ?? {})) {
    const state = (await app.kv.get<ActivityState>(activityStateKey(userId, activityId))).value;
    if (!state) {
      failures.push(`${label}: ${activityId} has no state`);
      continue;
    }
    for (const [field, want] of Object.entries(fields)) {
      const got = state[field as keyof ActivityState];
      const ok = want === "received"
        ? typeof got === "string" && Math.abs(Date.parse(got) - Date.now()) < 60_000
        : got === want;
      if (!ok) failures.push(`${label}: ${activityId}.${field} is ${got}, expected ${want}`);
    }
  }
  if (expect.items) {
    const { items } = await (await app.request("/api/progress-sync/items", { token })).json();
    for (const [itemId, status] of Object.entries(expect.items)) {
      const got = items.find((i: { itemId: string }) => i.itemId === itemId)?.state.status;
      if (got !== status) failures.push(`${label}: item ${itemId} is ${got}, expected ${status}`);
    }
  }
}

async function post(
  app: TestApp,
  token: string,
  events: CorpusEvent[],
  sent: Map<string, CorpusEvent>,
): Promise<void> {
  const body = events.length === 1
    ? posted(events[0]!, sent)
    : { events: events.map((e) => posted(e, sent)) };
  const response = await app.request("/api/progress-sync/events?wait=true", {
    method: "POST",
    token,
    json: body,
  });
  if (response.status !== 200) {
    throw new Error(
      `posting ${events.map((e) => e.id)}: ${response.status} ${await response.text()}`,
    );
  }
  await response.body?.cancel();
}

async function run(scenario: Scenario): Promise<Outcome> {
  let outcome!: Outcome;
  await withTestApp(async (app) => {
    const system = await app.adminOwnedToken(["system"]);
    for (const activity of CATALOG) {
      const { activityId, ...body } = activity;
      const response = await app.request(`/api/progress-sync/activities/${activityId}`, {
        method: "PUT",
        token: system,
        json: body,
      });
      await response.body?.cancel();
    }
    const { userId, token } = await app.student();
    for (const item of scenario.items ?? []) {
      const response = await app.request(`/api/progress-sync/items/${item.itemId}`, {
        method: "PUT",
        token,
        json: {
          userId,
          system: item.kind === "todo" ? "todo_manager" : "calendar_service",
          kind: item.kind,
          title: item.itemId,
          activityIds: item.activityIds,
        },
      });
      assert.equal(response.status, 201, await response.text());
    }
    const { events, delivery = {} } = scenario;
    const order = delivery.order ?? events.map((_, i) => i);
    const batches = delivery.batches ?? order.map((i) => [i]);
    const sent = new Map<string, CorpusEvent>();
    for (const batch of batches) await post(app, token, batch.map((i) => events[i]!), sent);
    if (delivery.redeliver) {
      for (const event of events) await post(app, token, [event], sent);
    }
    await app.processor.idle();

    const response = await app.request("/api/progress-sync/conflicts?status=all&limit=1000", {
      token,
    });
    const detected = (await response.json()).conflicts as ProgressConflict[];
    const matched = match(scenario.conflicts, detected);
    const failures: string[] = [];
    await check(app, userId, token, scenario.expect, "after delivery", failures);
    for (const [n, step] of (scenario.resolve ?? []).entries()) {
      const conflict = matched.get(step.conflict);
      if (!conflict) {
        failures.push(`resolution ${n}: its conflict was not detected`);
        continue;
      }
      const resolved = await app.request(`/api/progress-sync/conflicts/${conflict.id}/resolve`, {
        method: "POST",
        token,
        json: {
          resolutionType: step.resolutionType,
          ...(step.userData ? { userData: step.userData } : {}),
        },
      });
      if (resolved.status !== 200) {
        failures.push(`resolution ${n}: ${resolved.status} ${await resolved.text()}`);
        continue;
      }
      await resolved.body?.cancel();
      await check(app, userId, token, step, `after resolution ${n}`, failures);
    }
    outcome = { scenario, detected, matched, failures };
  });
  return outcome;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

Deno.test("the labelled conflict corpus: final states, precision, recall and automatic resolution", async () => {
  assert.ok(SCENARIOS.length >= 40, `${SCENARIOS.length} scenarios`);
  assert.equal(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length, "unique names");
  const outcomes: Outcome[] = [];
  for (const scenario of SCENARIOS) outcomes.push(await run(scenario));

  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let detectedTotal = 0;
  let automatic = 0;
  let decisionsRight = 0;
  const byType = new Map<
    string,
    { expected: number; found: number; auto: number; detected: number }
  >();
  const lines: string[] = [];
  const stateFailures: string[] = [];
  for (const { scenario, detected, matched, failures } of outcomes) {
    truePositives += matched.size;
    falsePositives += detected.length - matched.size;
    falseNegatives += scenario.conflicts.length - matched.size;
    detectedTotal += detected.length;
    automatic += detected.filter((c) => c.resolution?.resolvedBy === "auto").length;
    for (const [x, conflict] of matched) {
      if ((conflict.resolution?.resolvedBy === "auto") === scenario.conflicts[x]!.auto) {
        decisionsRight++;
      }
    }
    for (const [x, label] of scenario.conflicts.entries()) {
      const row = byType.get(label.type) ?? { expected: 0, found: 0, auto: 0, detected: 0 };
      row.expected++;
      if (matched.has(x)) row.found++;
      byType.set(label.type, row);
    }
    for (const conflict of detected) {
      const row = byType.get(conflict.conflictType) ??
        { expected: 0, found: 0, auto: 0, detected: 0 };
      row.detected++;
      if (conflict.resolution?.resolvedBy === "auto") row.auto++;
      byType.set(conflict.conflictType, row);
    }
    const extra = detected.filter((d) => ![...matched.values()].includes(d));
    const missed = scenario.conflicts.filter((_, x) => !matched.has(x));
    const verdict = extra.length === 0 && missed.length === 0 ? "ok " : "DIFF";
    lines.push(
      `${verdict} ${scenario.name}` +
        (extra.length
          ? ` | extra: ${extra.map((c) => `${c.conflictType}(${c.rule})`).join(", ")}`
          : "") +
        (missed.length ? ` | missed: ${missed.map((c) => c.type).join(", ")}` : "") +
        (scenario.hard ? ` | known limit: ${scenario.hard}` : ""),
    );
    stateFailures.push(...failures.map((f) => `${scenario.name}: ${f}`));
  }
  const precision = truePositives / Math.max(1, truePositives + falsePositives);
  const recall = truePositives / Math.max(1, truePositives + falseNegatives);
  const f1 = (2 * precision * recall) / Math.max(1e-9, precision + recall);
  const autoRate = automatic / Math.max(1, detectedTotal);
  const tags = new Set(SCENARIOS.flatMap((s) => s.tags));
  console.log(
    [
      `Conflict corpus: ${SCENARIOS.length} scenarios, ${
        SCENARIOS.reduce((n, s) => n + s.conflicts.length, 0)
      } labelled conflicts, ${detectedTotal} detected`,
      ...lines.map((l) => `  ${l}`),
      "  by type (labelled / found / detected / settled automatically):",
      ...[...byType].map(([type, r]) =>
        `    ${type.padEnd(27)} ${r.expected} / ${r.found} / ${r.detected} / ${r.auto}`
      ),
      `  precision ${pct(precision)}  recall ${pct(recall)}  F1 ${pct(f1)}  ` +
      `automatic resolution ${pct(autoRate)} (${automatic} of ${detectedTotal})  ` +
      `auto/manual decision as labelled ${pct(decisionsRight / Math.max(1, truePositives))}`,
    ].join("\n"),
  );

  assert.deepEqual(stateFailures, [], "every scenario ends in its expected states");
  for (
    const tag of [
      "duplicate_event",
      "timestamp_mismatch",
      "completion_status_conflict",
      "data_inconsistency",
      "out_of_order",
      "redelivery",
      "clock_skew",
      "propagation_forward",
      "propagation_backward",
      "batch",
    ]
  ) assert.ok(tags.has(tag), `the corpus covers ${tag}`);
  assert.ok(precision >= MIN_PRECISION, `precision ${pct(precision)} < ${pct(MIN_PRECISION)}`);
  assert.ok(recall >= MIN_RECALL, `recall ${pct(recall)} < ${pct(MIN_RECALL)}`);
  assert.ok(
    autoRate >= MIN_AUTO_RATE,
    `automatic resolution ${pct(autoRate)} < ${pct(MIN_AUTO_RATE)}`,
  );
});
