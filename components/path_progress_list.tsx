import type { WeightedProgress } from "../lib/core/weighted.ts";
import type { PathProgressSummary } from "../lib/core/path_progress.ts";
import { DetailedProgress } from "./detailed_progress.tsx";
import { learnHref } from "./format.ts";

/** Learning paths with a progress bar, each step's status and, when given, their weighted progress. */
export function PathProgressList(
  props: {
    paths: readonly PathProgressSummary[];
    titles: Record<string, string>;
    /** Weighted progress by path id, shown with its components. */
    weighted?: Record<string, WeightedProgress>;
  },
) {
  const title = (id: string) => props.titles[id] ?? id;
  if (props.paths.length === 0) {
    return (
      <p class="empty">
        No learning path started yet. <a href="/learn">Pick a path and start learning</a>.
      </p>
    );
  }
  return (
    <ul class="stack path-list" data-testid="learning-paths">
      {props.paths.map((path) => (
        <li key={path.pathId} data-path-id={path.pathId}>
          <div class="cluster path-head">
            <strong>{path.title}</strong>
            <span class="muted small" data-testid="path-percent">
              {path.completedSteps} of {path.totalSteps} steps · {path.percentage}%
            </span>
          </div>
          <div
            class="progress-bar"
            role="progressbar"
            aria-label={`${path.title} progress`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={path.percentage}
          >
            <span style={`width:${path.percentage}%`} />
          </div>
          <ol class="path-steps">
            {path.steps.map((step) => (
              <li key={step.stepId} class={`path-step path-step-${step.status}`}>
                <span class="visually-hidden">{step.status.replace("_", " ")}:</span>
                {step.status === "removed"
                  ? title(step.activityId)
                  : <a href={learnHref(step.activityId, path.pathId)}>{title(step.activityId)}</a>}
              </li>
            ))}
          </ol>
          {path.nextStep && (
            <p class="small muted">
              Next:{" "}
              <a href={learnHref(path.nextStep.activityId, path.pathId)}>
                {title(path.nextStep.activityId)}
              </a>
            </p>
          )}
          {props.weighted?.[path.pathId] && (
            <div class="path-weighted">
              <DetailedProgress
                label="Weighted progress"
                progress={props.weighted[path.pathId]!}
                testid="path-weighted"
                compact
              />
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
