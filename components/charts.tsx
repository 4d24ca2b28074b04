/**
 * Server-rendered SVG charts. Each is an image with a title and a description for assistive
 * technology, and carries its data as a table underneath (a text alternative anyone can open).
 * Colours come from the stylesheet's variables, so they follow light and dark mode.
 */
import type { ComponentChildren } from "preact";

/** One bar of a chart. */
export interface ChartDatum {
  key: string;
  /** Axis label (short). */
  label: string;
  /** Full label for the tooltip and the table (defaults to `label`). */
  longLabel?: string;
  value: number;
  /** The value as text (e.g. "1 h 05 min"). */
  display: string;
  /** `strong` / `weak` colour a bar as a highlight. */
  tone?: "strong" | "weak" | "muted";
}

/** Props common to the charts. */
export interface ChartProps {
  /** Unique on the page; ids of the title and description derive from it. */
  id: string;
  title: string;
  /** A one-sentence summary of what the chart shows (the key finding). */
  description: string;
  data: readonly ChartDatum[];
  /** Column heading of the values in the data table. */
  valueHeading: string;
  /** Largest value of the scale (default: a round number above the largest value). */
  max?: number;
  /** Width of the drawing in its own units; near the width it is shown at keeps text legible. */
  width?: number;
}

/** A round number at or above `n` (1, 2, 2.5 or 5 times a power of ten). */
export function niceMax(n: number): number {
  if (n <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= n) return step * power;
  }
  return 10 * power;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function DataTable(
  props: { id: string; title: string; data: readonly ChartDatum[]; valueHeading: string },
) {
  return (
    <details class="chart-table">
      <summary>Show as a table</summary>
      <div class="table-wrap">
        <table class="table" data-testid={`${props.id}-table`}>
          <caption class="visually-hidden">{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" class="numeric">{props.valueHeading}</th>
            </tr>
          </thead>
          <tbody>
            {props.data.map((d) => (
              <tr key={d.key}>
                <th scope="row">{d.longLabel ?? d.label}</th>
                <td class="numeric">{d.display}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Default drawing width: about a half-width card's. */
const WIDTH = 560;

/** Lets a wide chart scroll sideways on narrow screens (focusable, so keyboards can scroll it). */
function ChartScroll(props: { wide: boolean; title: string; children: ComponentChildren }) {
  if (!props.wide) return <>{props.children}</>;
  return (
    <div
      class="chart-scroll"
      tabIndex={0}
      role="group"
      aria-label={`${props.title} (scrolls sideways)`}
    >
      {props.children}
    </div>
  );
}

/**
 * A vertical bar chart (time series and histograms). `labelEvery` thins the axis labels;
 * by default at most about 12 are shown.
 */
export function BarChart(props: ChartProps & { height?: number; labelEvery?: number }) {
  const height = props.height ?? 220;
  const width = props.width ?? WIDTH;
  const margin = { top: 14, right: 8, bottom: 30, left: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const max = props.max ?? niceMax(Math.max(0, ...props.data.map((d) => d.value)));
  const n = Math.max(1, props.data.length);
  const slot = plotW / n;
  const barW = Math.max(1, Math.min(48, slot * 0.72));
  const every = props.labelEvery ?? Math.max(1, Math.ceil(n / Math.floor(width / 60)));
  const y = (v: number) => margin.top + plotH - (Math.max(0, v) / max) * plotH;
  const ticks = [0, max / 2, max];
  return (
    <figure class="chart-figure" data-testid={props.id}>
      <ChartScroll wide={width > 700} title={props.title}>
        <svg
          class={`chart${width > 700 ? " chart-wide" : ""}`}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-labelledby={`${props.id}-title ${props.id}-desc`}
          data-bars={props.data.length}
        >
          <title id={`${props.id}-title`}>{props.title}</title>
          <desc id={`${props.id}-desc`}>{props.description}</desc>
          {ticks.map((t) => (
            <g key={t}>
              <line
                class={t === 0 ? "chart-axis" : "chart-grid"}
                x1={margin.left}
                x2={width - margin.right}
                y1={y(t)}
                y2={y(t)}
              />
              <text class="chart-label" x={margin.left - 6} y={y(t) + 4} text-anchor="end">
                {fmt(t)}
              </text>
            </g>
          ))}
          {props.data.map((d, i) => {
            const x = margin.left + i * slot + (slot - barW) / 2;
            const top = y(d.value);
            return (
              <g key={d.key}>
                <rect
                  class={`chart-bar${d.tone ? ` chart-bar-${d.tone}` : ""}`}
                  x={x.toFixed(1)}
                  y={top.toFixed(1)}
                  width={barW.toFixed(1)}
                  height={Math.max(0, margin.top + plotH - top).toFixed(1)}
                  rx={Math.min(3, barW / 3).toFixed(1)}
                  data-value={d.value}
                >
                  <title>{`${d.longLabel ?? d.label}: ${d.display}`}</title>
                </rect>
                {i % every === 0 && (
                  <text
                    class="chart-label"
                    x={(x + barW / 2).toFixed(1)}
                    y={height - margin.bottom + 16}
                    text-anchor="middle"
                  >
                    {d.label}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </ChartScroll>
      <DataTable {...props} />
    </figure>
  );
}

/** A horizontal bar chart (ranked categories), each bar labelled with its value. */
export function HBarChart(props: ChartProps) {
  const row = 30;
  const width = props.width ?? WIDTH;
  const margin = { top: 6, right: 96, bottom: 6, left: 108 };
  const height = margin.top + margin.bottom + row * Math.max(1, props.data.length);
  const plotW = width - margin.left - margin.right;
  const max = props.max ?? niceMax(Math.max(0, ...props.data.map((d) => d.value)));
  return (
    <figure class="chart-figure" data-testid={props.id}>
      <svg
        class="chart"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${props.id}-title ${props.id}-desc`}
        data-bars={props.data.length}
      >
        <title id={`${props.id}-title`}>{props.title}</title>
        <desc id={`${props.id}-desc`}>{props.description}</desc>
        {props.data.map((d, i) => {
          const top = margin.top + i * row;
          const w = (Math.max(0, d.value) / max) * plotW;
          return (
            <g key={d.key}>
              <text
                class="chart-label chart-label-strong"
                x={margin.left - 10}
                y={top + 19}
                text-anchor="end"
              >
                {d.label.length > 14 ? `${d.label.slice(0, 13)}…` : d.label}
              </text>
              <rect
                class="chart-track"
                x={margin.left}
                y={top + 6}
                width={plotW}
                height={row - 12}
                rx="4"
              />
              <rect
                class={`chart-bar${d.tone ? ` chart-bar-${d.tone}` : ""}`}
                x={margin.left}
                y={top + 6}
                width={w.toFixed(1)}
                height={row - 12}
                rx="4"
                data-value={d.value}
              >
                <title>{`${d.longLabel ?? d.label}: ${d.display}`}</title>
              </rect>
              <text class="chart-value" x={margin.left + plotW + 8} y={top + 19}>
                {d.display}
              </text>
            </g>
          );
        })}
      </svg>
      <DataTable {...props} />
    </figure>
  );
}
