import type { StreakFreeze, StreakReport } from "../lib/core/streaks.ts";
import { humanize } from "./format.ts";

/** `n day(s)`. */
export function daysText(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

/** One sentence on the streak freeze: held (since when), last used, or how close the next one is. */
export function freezeText(freeze: StreakFreeze): string {
  const toNext = `${freeze.progress} of ${freeze.target} active days in a row toward a freeze`;
  if (freeze.held) {
    return `Streak freeze held (earned ${freeze.earnedOn}): it covers your next missed day`;
  }
  return freeze.usedOn ? `Freeze used on ${freeze.usedOn} · ${toNext}` : toNext;
}

/** The streaks card: the overall streak with the freeze, and each activity type's current and longest streak. */
export function StreakPanel(props: { report: StreakReport }) {
  const { report } = props;
  return (
    <section class="card stack" aria-labelledby="streaks-heading" data-testid="streaks">
      <div class="card-header">
        <h2 id="streaks-heading">Streaks</h2>
        <span class="card-subtitle">active days in a row</span>
      </div>
      <ul class="stats">
        <li class="stat">
          <span class="stat-value" data-testid="streak-current">{daysText(report.current)}</span>
          <span class="stat-label">Current streak</span>
        </li>
        <li class="stat">
          <span class="stat-value" data-testid="streak-longest">{daysText(report.longest)}</span>
          <span class="stat-label">Longest streak</span>
        </li>
      </ul>
      <p
        class="small"
        data-testid="streak-freeze"
        data-held={report.freeze.held ? "true" : "false"}
      >
        {freezeText(report.freeze)}
      </p>
      <div class="table-wrap">
        <table class="table" data-testid="type-streaks">
          <caption>By activity type</caption>
          <thead>
            <tr>
              <th scope="col">Activity type</th>
              <th scope="col" class="numeric">Current</th>
              <th scope="col" class="numeric">Longest</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(report.byActivityType).map(([type, streaks]) => (
              <tr key={type} data-activity-type={type}>
                <td>{humanize(type)}</td>
                <td class="numeric" data-testid={`type-streak-${type}`}>
                  {daysText(streaks.current)}
                </td>
                <td class="numeric">{daysText(streaks.longest)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
