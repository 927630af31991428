/**
 * The chart shapes the reports need, as small typed helpers over Vega-Lite: grouped bars (a metric per
 * model), lines (a loss or a metric per epoch) and estimates with their intervals (an experiment's variants).
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite, type Chart } from './render.js';

export interface BarRow {
  /** The x-axis group (e.g. the metric). */
  group: string;
  /** The bar within the group, one colour each (e.g. the model). */
  series: string;
  value: number;
}

export interface BarChartOptions {
  title: string;
  rows: BarRow[];
  yLabel: string;
  xLabel?: string;
  /** Width of one group in pixels (default: 40 per bar of the group). */
  groupWidth?: number;
  height?: number;
}

export interface LineRow {
  x: number;
  series: string;
  y: number;
}

export interface LineChartOptions {
  title: string;
  rows: LineRow[];
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** A logarithmic y axis (for losses spanning decades). */
  logY?: boolean;
}

const DEFAULT_HEIGHT = 320;
const DEFAULT_LINE_WIDTH = 560;
const BAR_WIDTH = 40;
/** Beyond this many points per line, markers would merge into a thick line: draw the line alone. */
const MAX_MARKED_POINTS = 60;

/** Grouped bars: groups along x in the order first seen, one bar per series within each group. */
export async function barChart(options: BarChartOptions): Promise<Chart> {
  const groups = distinct(options.rows.map((row) => row.group));
  const series = distinct(options.rows.map((row) => row.series));
  checkFinite(options.rows.map((row) => row.value), 'barChart');
  const spec: TopLevelSpec = {
    title: options.title,
    data: { values: options.rows },
    // With an x offset, a step applies to each bar unless said otherwise.
    width: options.groupWidth === undefined ? { step: BAR_WIDTH, for: 'offset' } : { step: options.groupWidth, for: 'position' },
    height: options.height ?? DEFAULT_HEIGHT,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'group', type: 'nominal', sort: groups, title: options.xLabel ?? null, axis: { labelAngle: 0 } },
      xOffset: { field: 'series', type: 'nominal', sort: series },
      y: { field: 'value', type: 'quantitative', title: options.yLabel },
      color: { field: 'series', type: 'nominal', sort: series, title: null },
    },
  };
  return renderVegaLite(spec);
}

/** One line per series; points are marked while there are few enough to tell apart. */
export async function lineChart(options: LineChartOptions): Promise<Chart> {
  const series = distinct(options.rows.map((row) => row.series));
  checkFinite(options.rows.flatMap((row) => [row.x, row.y]), 'lineChart');
  const spec: TopLevelSpec = {
    title: options.title,
    data: { values: options.rows },
    width: options.width ?? DEFAULT_LINE_WIDTH,
    height: options.height ?? DEFAULT_HEIGHT,
    mark: { type: 'line', point: options.rows.length <= MAX_MARKED_POINTS * Math.max(1, series.length) },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xLabel },
      y: { field: 'y', type: 'quantitative', title: options.yLabel, scale: options.logY === true ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', sort: series, title: null },
    },
  };
  return renderVegaLite(spec);
}

export interface IntervalRow {
  /** The panel (e.g. the metric). */
  group: string;
  /** The point within the panel (e.g. the variant). */
  series: string;
  value: number;
  low: number;
  high: number;
}

export interface IntervalChartOptions {
  title: string;
  rows: IntervalRow[];
  yLabel: string;
  height?: number;
}

/** A point per series with its interval as a rule, side by side within each group. */
export async function intervalChart(options: IntervalChartOptions): Promise<Chart> {
  const groups = distinct(options.rows.map((row) => row.group));
  const series = distinct(options.rows.map((row) => row.series));
  checkFinite(options.rows.flatMap((row) => [row.value, row.low, row.high]), 'intervalChart');
  const x = { field: 'group', type: 'nominal', sort: groups, title: null, axis: { labelAngle: 0 } } as const;
  const xOffset = { field: 'series', type: 'nominal', sort: series } as const;
  const color = { field: 'series', type: 'nominal', sort: series, title: null } as const;
  const spec: TopLevelSpec = {
    title: options.title,
    data: { values: options.rows },
    width: { step: BAR_WIDTH * 2, for: 'offset' },
    height: options.height ?? DEFAULT_HEIGHT,
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: { x, xOffset, color, y: { field: 'low', type: 'quantitative', title: options.yLabel, scale: { zero: false } }, y2: { field: 'high' } },
      },
      {
        mark: { type: 'point', filled: true, size: 80, tooltip: true },
        encoding: { x, xOffset, color, y: { field: 'value', type: 'quantitative' } },
      },
    ],
  };
  return renderVegaLite(spec);
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

function checkFinite(values: number[], where: string): void {
  const bad = values.find((value) => !Number.isFinite(value));
  if (bad !== undefined) throw new RangeError(`${where}: expected finite numbers, got ${bad}`);
}
