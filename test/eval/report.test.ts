import { describe, expect, it } from 'vitest';
import { markdownTable, metricsBarChart, type ModelResult } from '../../src/eval/report.js';

const results: ModelResult[] = [
  { model: 'popularity', evaluation: { users: 70591, seconds: 6.2, metrics: { 'recall@20': 0.0287, 'ndcg@20': 0.01227, 'hitrate@20': 0.0588 } } },
  { model: 'bpr|mf', trainSeconds: 88.04, evaluation: { users: 70591, seconds: 60, metrics: { 'recall@20': 0.13, 'ndcg@20': 0.068 } } },
];

describe('report', () => {
  it('formats a markdown table with one row per model', () => {
    const table = markdownTable(results, { metrics: ['recall@20', 'ndcg@20', 'hitrate@20'] });
    expect(table.split('\n')).toEqual([
      '| model | recall@20 | ndcg@20 | hitrate@20 | users | train s | eval s |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| popularity | 0.0287 | 0.0123 | 0.0588 | 70,591 | – | 6.2 |',
      '| bpr\\|mf | 0.1300 | 0.0680 | – | 70,591 | 88.0 | 60.0 |',
      '',
    ]);
  });

  it('charts recall and ndcg per model', async () => {
    const chart = await metricsBarChart(results);
    expect(chart.svg).toContain('recall@20');
    expect(chart.svg).toContain('bpr|mf');
    expect(chart.png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});
