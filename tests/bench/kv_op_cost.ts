/**
 * What Deno KV's local SQLite costs in CPU per call, and what processing costs per event with one
 * student per run and with many: the floor under every other figure on this machine. Each call is
 * made sequentially on a KV file; CPU is read per thread from `/proc/self/task` (the JS thread,
 * and the thread KV runs SQLite on, named `sw-*`), so time spent waiting is not counted.
 * Run alone: `deno run -A tests/bench/kv_op_cost.ts`.
 */
import { createUser } from "../../lib/auth/account_store.ts";
import type { StoredEvent } from "../../lib/core/event_schema.ts";
import { appendEvents } from "../../lib/events/log_store.ts";
import { openKv } from "../../lib/kv_open.ts";
import { processPendingEvents } from "../../lib/processing/process_pending.ts";
import { createProcessor } from "../../lib/processing/processor.ts";
import type { Figure } from "./bench_env.ts";

/** CPU one call took on each side, in µs, and its wall time. */
export interface OpCost {
  name: string;
  calls: number;
  wallUs: number;
  jsUs: number;
  sqliteUs: number;
}

/** CPU per processed event, in µs, by how many students shared each run. */
export interface ProcessingCost {
  name: string;
  events: number;
  wallUs: number;
  jsUs: number;
  sqliteUs: number;
}

/** What `measureKvCost` found. */
export interface KvCostRun {
  ops: OpCost[];
  processing: ProcessingCost[];
}

const PROCESSING_USERS = 1000;

/** CPU ms so far of this process's main JS thread and of KV's SQLite threads (`sw-*`). */
function threadCpuMs(): { js: number; sqlite: number } {
  let js = 0;
  let sqlite = 0;
  for (const task of Deno.readDirSync("/proc/self/task")) {
    const comm = Deno.readTextFileSync(`/proc/self/task/${task.name}/comm`).trim();
    const fields = Deno.readTextFileSync(`/proc/self/task/${task.name}/stat`)
      .split(") ")[1]!.split(" ");
    // utime and stime, in clock ticks of 10 ms.
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    if (task.name === String(Deno.pid)) js += ms;
    else if (comm.startsWith("sw-")) sqlite += ms;
  }
  return { js, sqlite };
}

async function measure(
  count: number,
  run: (i: number) => Promise<unknown>,
): Promise<{ wallUs: number; jsUs: number; sqliteUs: number }> {
  const before = threadCpuMs();
  const started = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  const wall = performance.now() - started;
  const after = threadCpuMs();
  return {
    wallUs: (wall * 1000) / count,
    jsUs: ((after.js - before.js) * 1000) / count,
    sqliteUs: ((after.sqlite - before.sqlite) * 1000) / count,
  };
}

async function opCosts(kv: Deno.Kv): Promise<OpCost[]> {
  const value = { text: "x".repeat(300) };
  const seed = kv.atomic();
  for (let i = 0; i < 500; i++) seed.set(["op", i], value);
  await seed.commit();
  const cases: [string, number, (i: number) => Promise<unknown>][] = [
    ["get", 3000, (i) => kv.get(["op", i % 500])],
    ["getMany of 10 keys", 2000, (i) => kv.getMany(tenKeys(i))],
    ["list of a 1-entry prefix", 3000, (i) => drain(kv.list({ prefix: ["op", i % 500] }))],
    ["commit, 1 set", 2000, (i) => kv.atomic().set(["one", i], value).commit()],
    ["commit, 13 sets (one student's share)", 1000, (i) => {
      const op = kv.atomic();
      for (let k = 0; k < 13; k++) op.set([`part${k}`, `student${i}`], value);
      return op.commit();
    }],
  ];
  const out: OpCost[] = [];
  for (const [name, calls, run] of cases) out.push({ name, calls, ...await measure(calls, run) });
  return out;
}

function tenKeys(i: number): Deno.KvKey[] {
  return Array.from({ length: 10 }, (_, k) => ["op", (i + k) % 500]);
}

async function drain(iterator: Deno.KvListIterator<unknown>): Promise<void> {
  for await (const _ of iterator);
}

async function seedPending(kv: Deno.Kv, prefix: string): Promise<string[]> {
  const userIds: string[] = [];
  for (let i = 0; i < PROCESSING_USERS; i++) {
    const user = await createUser(kv, { username: `${prefix}${i}`, passwordHash: "unusable" });
    userIds.push(user!.userId);
  }
  const at = new Date().toISOString();
  const events: StoredEvent[] = userIds.map((userId, i) => ({
    id: `${prefix}-${i}`,
    userId,
    eventType: "video_completed",
    sourceSystem: "video_player",
    eventData: { activityId: "a1", activityType: "video", completionStatus: "completed" },
    timestamp: at,
    receivedAt: at,
    contentHash: `hash-${prefix}-${i}`,
  }));
  for (let i = 0; i < events.length; i += 100) await appendEvents(kv, events.slice(i, i + 100));
  return userIds;
}

async function processingCosts(kv: Deno.Kv): Promise<ProcessingCost[]> {
  const alone = await seedPending(kv, "alone");
  const oneByOne = await measure(1, async () => {
    for (const userId of alone) await processPendingEvents(kv, [userId]);
  });
  const together = await seedPending(kv, "together");
  const processor = createProcessor(kv);
  const batched = await measure(1, async () => {
    await Promise.all(together.map((userId) => processor.schedule(userId)));
  });
  const perEvent = (m: typeof oneByOne) => ({
    events: PROCESSING_USERS,
    wallUs: m.wallUs / PROCESSING_USERS,
    jsUs: m.jsUs / PROCESSING_USERS,
    sqliteUs: m.sqliteUs / PROCESSING_USERS,
  });
  return [
    { name: "one student per run", ...perEvent(oneByOne) },
    { name: "students scheduled together (the processor's runs)", ...perEvent(batched) },
  ];
}

/** Measures KV call costs and processing cost per event on a fresh KV file in `dir`. */
export async function measureKvCost(dir: string): Promise<KvCostRun> {
  const kv = await openKv(`${dir}/kv-cost.sqlite`);
  try {
    return { ops: await opCosts(kv), processing: await processingCosts(kv) };
  } finally {
    kv.close();
  }
}

/** The figures of a `measureKvCost` run (CPU per call or event, JS and SQLite threads together). */
export function kvCostFigures(run: KvCostRun): Figure[] {
  const figure = (name: string, cost: { jsUs: number; sqliteUs: number }): Figure => ({
    name,
    unit: "µs CPU",
    value: cost.jsUs + cost.sqliteUs,
    limit: null,
    ratio: null,
    target: "-",
    met: null,
    digits: 0,
  });
  return [
    ...run.ops.map((op) => figure(`KV call, ${op.name}`, op)),
    ...run.processing.map((p) => figure(`Processing per event, ${p.name}`, p)),
  ];
}

/** One line per measured cost, with the JS / SQLite split and the wall time. */
export function describeKvCost(run: KvCostRun): string[] {
  return [...run.ops, ...run.processing].map((c) =>
    `${c.name}: ${Math.round(c.jsUs)} µs JS + ${Math.round(c.sqliteUs)} µs SQLite thread, ${
      Math.round(c.wallUs)
    } µs wall`
  );
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir();
  try {
    for (const line of describeKvCost(await measureKvCost(dir))) console.log(line);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
