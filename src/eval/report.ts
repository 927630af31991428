/**
 * Evaluation results as a markdown table (rows = models, columns = metrics) and as a grouped bar chart of
 * recall@K and ndcg@K per model, for READMEs and run reports.
 */
import { barChart, type BarRow } from '../plot/charts.js';
import type { Chart } from '../plot/render.js';
import type { TopKEvaluation } from './allItemRanking.js';

export interface ModelResult {
  model: string;
  evaluation: TopKEvaluation;
  /** Training time, where the model was trained in this run. */
  trainSeconds?: number;
}

export interface TableOptions {
  /** Metric keys, in column order (default: every metric of the first result, in its order). */
  metrics?: string[];
  /** Decimals of the metric values (default 4). */
  digits?: number;
}

const DEFAULT_DIGITS = 4;

export function markdownTable(results: readonly ModelResult[], options: TableOptions = {}): string {
  const metrics = options.metrics ?? Object.keys(results[0]?.evaluation.metrics ?? {});
  const digits = options.digits ?? DEFAULT_DIGITS;
  const showTraining = results.some((result) => result.trainSeconds !== undefined);
  const header = ['model', ...metrics, 'users', ...(showTraining ? ['train s'] : []), 'eval s'];
  const lines = [row(header), row(header.map((_, i) => (i === 0 ? '---' : '---:')))];
  for (const { model, evaluation, trainSeconds } of results) {
    const values = metrics.map((metric) => {
      const value = evaluation.metrics[metric];
      return value === undefined ? '–' : value.toFixed(digits);
    });
    const training = showTraining ? [trainSeconds === undefined ? '–' : trainSeconds.toFixed(1)] : [];
    lines.push(row([escapeCell(model), ...values, evaluation.users.toLocaleString('en-US'), ...training, evaluation.seconds.toFixed(1)]));
  }
  return lines.join('\n') + '\n';
}

/** Grouped bars of recall@K and ndcg@K (standard) per model, for every K the results share. */
export function metricsBarChart(results: readonly ModelResult[], title = 'Top-K recommendation quality', metrics?: string[]): Promise<Chart> {
  const chosen = metrics ?? Object.keys(results[0]?.evaluation.metrics ?? {}).filter((key) => /^(recall|ndcg)@\d+$/.test(key));
  const rows: BarRow[] = [];
  for (const metric of chosen) {
    for (const { model, evaluation } of results) {
      const value = evaluation.metrics[metric];
      if (value !== undefined) rows.push({ group: metric, series: model, value });
    }
  }
  if (rows.length === 0) throw new RangeError(`metricsBarChart: none of ${chosen.join(', ') || '(no metrics)'} is in the results`);
  return barChart({ title, rows, yLabel: 'mean over test users' });
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
