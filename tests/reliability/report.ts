/** The suite's settings and its record of checks, printed as one table at the end. */
import { formatTable } from "../bench/stats.ts";

/** How hard the suite pushes: the full run, or the short one CI runs. */
export interface SuiteConfig {
  short: boolean;
  /** `kill -9`s during sustained posting. */
  kills: number;
  /** Concurrent posting clients in the crash scenario. */
  posters: number;
  /** Events a second the crash posters offer in all (the same on any machine). */
  offeredRate: number;
  /** Events posted per kill cycle; the total is this × (kills + ½). */
  eventsPerKill: number;
  /** Same-id races (10 clients each). */
  raceRounds: number;
  /** Distinct events posted concurrently for one student. */
  concurrentEvents: number;
  /** Generated malformed requests (at least 1,000). */
  malformed: number;
  /** Times the webhook receiver goes down during the downtime scenario. */
  receiverOutages: number;
  /** How long the receiver stays down each time, in ms. */
  receiverDownMs: number;
  /** Times the live client drops its connection and resumes with `Last-Event-ID`. */
  liveDrops: number;
  /** Seed of every generated input. */
  seed: number;
  /** The whole run fails, stopping its servers, when it takes longer than this, in ms. */
  limitMs: number;
}

/** The settings for `--short` / `RELIABILITY=short`, or the full run. */
export function suiteConfig(short: boolean, seed: number): SuiteConfig {
  return short
    ? {
      short,
      kills: 2,
      posters: 3,
      offeredRate: 150,
      eventsPerKill: 450,
      raceRounds: 5,
      concurrentEvents: 100,
      malformed: 1000,
      receiverOutages: 1,
      receiverDownMs: 3000,
      liveDrops: 3,
      seed,
      limitMs: 5 * 60_000,
    }
    : {
      short,
      kills: 5,
      posters: 8,
      offeredRate: 250,
      eventsPerKill: 2500,
      raceRounds: 20,
      concurrentEvents: 400,
      malformed: 3000,
      receiverOutages: 2,
      receiverDownMs: 20_000,
      liveDrops: 12,
      seed,
      limitMs: 15 * 60_000,
    };
}

/** One verified claim. */
export interface CheckRow {
  scenario: string;
  check: string;
  ok: boolean;
  detail: string;
}

/** Collects checks and figures of every scenario. */
export class Report {
  readonly rows: CheckRow[] = [];
  readonly durations = new Map<string, number>();

  /** Records a check; returns `ok` so callers may branch on it. */
  check(scenario: string, check: string, ok: boolean, detail = ""): boolean {
    this.rows.push({ scenario, check, ok, detail });
    console.log(`${ok ? "  ok  " : "  FAIL"} ${scenario}: ${check}${detail ? ` — ${detail}` : ""}`);
    return ok;
  }

  /** Whether every check passed. */
  passed(): boolean {
    return this.rows.every((r) => r.ok);
  }

  /** The summary table: every check with its result and figures, then each scenario's duration. */
  table(): string {
    const checks = formatTable(
      ["scenario", "check", "result", "figures"],
      this.rows.map((r) => [r.scenario, r.check, r.ok ? "ok" : "FAIL", r.detail]),
    );
    const times = formatTable(
      ["scenario", "duration"],
      [...this.durations].map(([name, ms]) => [name, `${(ms / 1000).toFixed(1)} s`]),
    );
    return `${checks}\n\n${times}`;
  }
}

/** Runs one scenario, timing it; an exception becomes a failed check (the suite goes on). */
export async function runScenario(
  report: Report,
  name: string,
  body: () => Promise<void>,
): Promise<void> {
  console.log(`\n== ${name}`);
  const started = performance.now();
  try {
    await body();
  } catch (error) {
    report.check(
      name,
      "ran to the end",
      false,
      error instanceof Error ? error.message : String(error),
    );
    if (error instanceof Error && error.stack) console.error(error.stack);
  }
  report.durations.set(name, performance.now() - started);
}
