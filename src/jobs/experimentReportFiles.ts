import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { intervalChart, type IntervalRow } from '../plot/charts.js';
import { writeChart } from '../plot/writeChart.js';
import type { ExperimentResultsAnswer } from './simulateShop.js';

/**
 * An experiment's results as files the console can show later: `<dir>/<experimentId>.json` (the answer of
 * experimentResults) and a chart of each variant's CTR and add-to-cart rate with their 95 % intervals
 * (`.png` and `.svg`).
 */
export async function writeExperimentReport(dir: string, experimentId: string, results: ExperimentResultsAnswer): Promise<{ json: string; png: string; svg: string }> {
  const rows: IntervalRow[] = results.variants.flatMap((variant) => [
    { group: 'CTR', series: variant.name, ...bounded(variant.ctr) },
    { group: 'add-to-cart rate', series: variant.name, ...bounded(variant.addToCartRate) },
  ]);
  const chart = await intervalChart({ title: `Experiment ${experimentId}: rates per impression, 95 % intervals`, rows, yLabel: 'per impression' });
  const files = await writeChart(path.join(dir, `${experimentId}.png`), chart);
  const json = path.join(dir, `${experimentId}.json`);
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`, 'utf8');
  return { json, ...files };
}

/** An interval whose ends are unknown (too few shoppers) is drawn as a point. */
const bounded = (estimate: { value: number; low: number | null; high: number | null }) => ({
  value: estimate.value,
  low: estimate.low ?? estimate.value,
  high: estimate.high ?? estimate.value,
});
