import type { WeightedProgress } from "../lib/core/weighted.ts";

/**
 * Seed 003's "detailed" progress indicator: the weighted total, a bar split into what each
 * component contributes (weight × value), and each component with its weight and measure.
 */
export function DetailedProgress(
  props: { label: string; progress: WeightedProgress; testid?: string; compact?: boolean },
) {
  const { progress } = props;
  return (
    <div class={`detailed${props.compact ? " detailed-compact" : ""}`} data-testid={props.testid}>
      <div class="detailed-head">
        <span class="detailed-label">{props.label}</span>
        <strong class="detailed-value" data-testid={props.testid && `${props.testid}-value`}>
          {progress.value}%
        </strong>
      </div>
      <div
        class="detailed-bar"
        role="img"
        aria-label={`${props.label}: ${progress.value}% weighted, from ${
          progress.components.map((c) =>
            `${c.label.toLowerCase()} ${c.value}%`
          ).join(", ")
        }`}
      >
        {progress.components.map((c, i) => (
          <span
            key={c.id}
            class={`detailed-segment detailed-segment-${i}`}
            style={`width:${(c.weight * c.value).toFixed(2)}%`}
          />
        ))}
      </div>
      <ul class="detailed-components">
        {progress.components.map((c, i) => (
          <li key={c.id} data-component={c.id}>
            <span class={`detailed-swatch detailed-segment-${i}`} aria-hidden="true" />
            <span class="detailed-name">{c.label}</span>
            <span class="detailed-number">{c.value}%</span>
            <span class="detailed-detail muted small">
              weight {Math.round(c.weight * 100)}%{props.compact ? "" : ` · ${c.detail}`}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
