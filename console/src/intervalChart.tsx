/**
 * Each variant's estimate with its 95 % interval, one row per variant, as plain SVG (like metricChart.tsx):
 * a few rows need no charting library, and the page's CSP allows nothing inline but SVG markup.
 */

export interface IntervalRow {
  label: string;
  value: number;
  /** Null while too few shoppers bound the interval: only the point is drawn. */
  low: number | null;
  high: number | null;
  highlight: boolean;
}

const WIDTH = 640;
const ROW_HEIGHT = 36;
const PAD = { left: 120, right: 24, top: 12, bottom: 32 };
const TICKS = 4;

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;

export function IntervalChart({ title, rows, testId }: { title: string; rows: IntervalRow[]; testId: string }) {
  const height = PAD.top + PAD.bottom + rows.length * ROW_HEIGHT;
  const top = Math.max(...rows.map((row) => Math.max(row.value, row.high ?? 0)), 0) || 1;
  const x = (value: number) => PAD.left + (Math.max(0, value) / top) * (WIDTH - PAD.left - PAD.right);
  const y = (i: number) => PAD.top + i * ROW_HEIGHT + ROW_HEIGHT / 2;
  const titleId = `${testId}-title`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={titleId} data-testid={testId}>
        <title id={titleId}>{title}</title>
        {Array.from({ length: TICKS + 1 }, (_, t) => (top * t) / TICKS).map((tick) => (
          <g key={tick} class="tick vertical">
            <line x1={x(tick)} x2={x(tick)} y1={PAD.top} y2={height - PAD.bottom} />
            <text x={x(tick)} y={height - PAD.bottom + 16}>{percent(tick)}</text>
          </g>
        ))}
        {rows.map((row, i) => (
          <g key={row.label} class="interval" data-variant={row.label}>
            <text class="label" x={PAD.left - 8} y={y(i) + 4} text-anchor="end">{row.label}</text>
            {row.low !== null && row.high !== null && (
              <>
                <line class="whisker" x1={x(row.low)} x2={x(row.high)} y1={y(i)} y2={y(i)} />
                <line class="whisker" x1={x(row.low)} x2={x(row.low)} y1={y(i) - 6} y2={y(i) + 6} />
                <line class="whisker" x1={x(row.high)} x2={x(row.high)} y1={y(i) - 6} y2={y(i) + 6} />
              </>
            )}
            <circle class={row.highlight ? 'point active' : 'point'} cx={x(row.value)} cy={y(i)} r={row.highlight ? 6 : 4}>
              <title>{`${row.label}: ${percent(row.value)}${row.low !== null && row.high !== null ? ` [${percent(row.low)}, ${percent(row.high)}]` : ''}`}</title>
            </circle>
          </g>
        ))}
      </svg>
      <figcaption>{title}; the winner, if any, is the larger point.</figcaption>
    </figure>
  );
}
