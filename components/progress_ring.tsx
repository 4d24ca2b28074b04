/** A circular progress indicator for a percentage (0–100), labelled for assistive technology. */
export function ProgressRing(
  props: { percent: number; caption: string; size?: string },
) {
  const radius = 52;
  const circumference = 2 * Math.PI * radius;
  const percent = Math.max(0, Math.min(100, props.percent));
  return (
    <div
      class={`ring-wrap${percent >= 100 ? " ring-complete" : ""}`}
      role="img"
      aria-label={`${percent}% complete: ${props.caption}`}
      style={props.size ? `--ring-size:${props.size}` : undefined}
    >
      <svg class="ring" viewBox="0 0 120 120" aria-hidden="true">
        <circle class="ring-track" cx="60" cy="60" r={radius} />
        <circle
          class="ring-value"
          cx="60"
          cy="60"
          r={radius}
          stroke-dasharray={circumference.toFixed(2)}
          stroke-dashoffset={(circumference * (1 - percent / 100)).toFixed(2)}
        />
      </svg>
      <div class="ring-label" aria-hidden="true">
        <span class="ring-percent" data-testid="overall-percent">{percent}%</span>
        <span class="ring-caption">{props.caption}</span>
      </div>
    </div>
  );
}
