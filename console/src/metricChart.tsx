/**
 * A small line chart of one metric across model versions, oldest on the left, as plain SVG: a handful of
 * points need no charting library, and the page's CSP allows nothing inline but SVG markup.
 */

export interface MetricPoint {
  label: string;
  /** Null where the version has no such metric: no point is drawn. */
  value: number | null;
  highlight: boolean;
}

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 48, right: 16, top: 16, bottom: 44 };
const TICKS = 4;
/** Labels along the axis at most; the others are in each point's tooltip. */
const MAX_LABELS = 6;

const shortLabel = (label: string) => (label.length > 16 ? `${label.slice(0, 15)}…` : label);

export function MetricChart({ title, points }: { title: string; points: MetricPoint[] }) {
  const values = points.flatMap((point) => (point.value === null ? [] : [point.value]));
  const top = Math.max(...values, 0) || 1;
  const step = points.length > 1 ? (WIDTH - PAD.left - PAD.right) / (points.length - 1) : 0;
  const x = (i: number) => PAD.left + (points.length > 1 ? i * step : (WIDTH - PAD.left - PAD.right) / 2);
  const y = (value: number) => PAD.top + (1 - value / top) * (HEIGHT - PAD.top - PAD.bottom);
  const every = Math.max(1, Math.ceil(points.length / MAX_LABELS));
  // The end labels align inwards, so that they stay inside the chart.
  const anchorOf = (i: number) => (points.length > 1 && i === 0 ? 'start' : points.length > 1 && i === points.length - 1 ? 'end' : 'middle');
  const drawn = points.map((point, i) => ({ ...point, i })).filter((point): point is MetricPoint & { i: number; value: number } => point.value !== null);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="metric-chart-title" data-testid="metric-chart">
        <title id="metric-chart-title">{title}</title>
        {Array.from({ length: TICKS + 1 }, (_, t) => (top * t) / TICKS).map((tick) => (
          <g key={tick} class="tick">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 6} y={y(tick) + 4}>{tick.toFixed(3)}</text>
          </g>
        ))}
        <polyline class="series" points={drawn.map((point) => `${x(point.i)},${y(point.value)}`).join(' ')} />
        {drawn.map((point) => (
          <circle key={point.label} class={point.highlight ? 'point active' : 'point'} cx={x(point.i)} cy={y(point.value)} r={point.highlight ? 6 : 4}>
            <title>{`${point.label}: ${point.value.toFixed(4)}`}</title>
          </circle>
        ))}
        {points.map((point, i) =>
          i % every === 0 || i === points.length - 1 ? <text key={point.label} class="label" x={x(i)} y={HEIGHT - PAD.bottom + 16} text-anchor={anchorOf(i)}>{shortLabel(point.label)}</text> : null,
        )}
      </svg>
      <figcaption>{title}; the active version is the larger point.</figcaption>
    </figure>
  );
}
