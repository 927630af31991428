import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { markdownTable, metricsBarChart, type ModelResult } from '../eval/report.js';
import { writeChart } from '../plot/writeChart.js';
import type { SearchEvaluation } from './evaluateSearch.js';

/** report.md, report.png and report.json of a search evaluation, as `kgrec eval` writes them for recommend. */
export async function writeSearchReport(outDir: string, evaluation: Omit<SearchEvaluation, 'files' | 'seconds'>): Promise<SearchEvaluation['files']> {
  const markdown = path.join(outDir, 'report.md');
  const png = path.join(outDir, 'report.png');
  const json = path.join(outDir, 'report.json');
  const { k } = evaluation;
  const metrics = [`ndcg@${k}`, 'mrr', `hitrate@${k}`];
  const results: ModelResult[] = Object.entries(evaluation.results).map(([model, values]) => ({ model, evaluation: { users: evaluation.sessions.test, seconds: 0, metrics: values } }));
  const weights = (['served', 'fitted'] as const).map((which) => `| ${which} | ${Object.entries(evaluation.weights[which]).map(([name, value]) => `${name} ${value}`).join(', ')} |`);
  const examples = evaluation.examples.map((example) => `| ${example.query} | ${example.title} |`);
  await writeFile(
    markdown,
    [
      `# ${evaluation.dataset}: search, one bought product per session`,
      '',
      evaluation.note,
      '',
      `${evaluation.sessions.validation} validation and ${evaluation.sessions.test} test sessions; on average ${(100 * evaluation.titleShare).toFixed(0)} % of a test query's terms are words of the bought product's title. The "users" column counts sessions.`,
      '',
      markdownTable(results, { metrics }),
      `## Search weights`,
      '',
      `Fitted by coordinate ascent on validation NDCG@${k}: fused ${evaluation.weights.validation.fused.toFixed(4)}, personalised ${evaluation.weights.validation.personalised.toFixed(4)}.`,
      '',
      '| weights | values |',
      '| --- | --- |',
      ...weights,
      '',
      '## Example test queries',
      '',
      '| query | bought |',
      '| --- | --- |',
      ...examples,
      '',
    ].join('\n'),
  );
  await writeChart(png, await metricsBarChart(results, `${evaluation.dataset}: ${evaluation.sessions.test} test sessions`, [`ndcg@${k}`, 'mrr']));
  await writeFile(json, `${JSON.stringify({ ...evaluation, files: { markdown, png, json } }, null, 2)}\n`);
  return { markdown, png, json };
}
