/**
 * `deno task reliability [--short] [--seed=N] [--only=crash,races,…]`: starts the real server
 * (main.ts) as a separate process and proves the zero-loss and robustness claims; prints a table
 * of every check and exits non-zero when one fails. `RELIABILITY=short` also selects the short run.
 */
import { parseArgs } from "node:util";
import { accessScenario } from "./access.ts";
import { badInputScenario } from "./bad_input.ts";
import { crashScenario } from "./crash.ts";
import { downtimeScenario } from "./downtime.ts";
import { stopSuiteServers } from "./fixtures.ts";
import { racesScenario } from "./races.ts";
import { Report, runScenario, type SuiteConfig, suiteConfig } from "./report.ts";

const SCENARIOS: Record<string, (config: SuiteConfig, report: Report) => Promise<void>> = {
  crash: crashScenario,
  races: racesScenario,
  "bad input": badInputScenario,
  access: accessScenario,
  downtime: downtimeScenario,
};

const { values } = parseArgs({
  args: Deno.args,
  options: {
    short: { type: "boolean", default: false },
    seed: { type: "string" },
    only: { type: "string" },
  },
});
const short = values.short || Deno.env.get("RELIABILITY") === "short";
const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
const config = suiteConfig(short, seed);
const only = values.only?.split(",").map((s) => s.trim());
console.log(
  `Reliability suite (${short ? "short" : "full"} run, seed ${seed}; rerun with --seed=${seed})`,
);

const report = new Report();
const started = performance.now();

/** Prints the table and the totals, and exits with the verdict. */
function finish(): never {
  const failed = report.rows.filter((r) => !r.ok).length;
  console.log(`\n${report.table()}`);
  console.log(
    `\n${report.rows.length} checks, ${failed} failed, ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s (${short ? "short" : "full"} run, seed ${seed})`,
  );
  Deno.exit(failed === 0 ? 0 : 1);
}

// However a scenario hangs, the run ends: past its limit it fails and stops its servers.
setTimeout(async () => {
  report.check(
    "suite",
    `finished within ${config.limitMs / 60_000} minutes`,
    false,
    "stopped while a scenario was still running",
  );
  await stopSuiteServers();
  finish();
}, config.limitMs);

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  if (only && !only.includes(name)) continue;
  await runScenario(report, name, () => scenario(config, report));
}
finish();
