/**
 * Compares variants of the knowledge-graph similarity (src/recommenders/kgSimilarity.ts) on the validation
 * split of a KGAT data set with a knowledge graph (never its test split): each variant ranks alone, by
 * item-to-item KG similarity from the user's fit-period items, and beside item-kNN for reference.
 * Prints a table and writes the raw figures as JSON.
 *
 *   npx tsx bench/kgVariants.ts --data /path/to/kgat-last-fm-kg [--users 5000] [--out .kgrec/bench/kg-variants.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateTopK } from '../src/eval/allItemRanking.js';
import { kgatEvalData } from '../src/jobs/evalData.js';
import { interactionsFromPairs, usersWithItems, type InteractionSplit } from '../src/math/interactions.js';
import { Random } from '../src/math/random.js';
import { buildItemKnn, ItemKnnScorer } from '../src/recommenders/itemKnn.js';
import { buildKgSimilarity, type KgSimilarityOptions } from '../src/recommenders/kgSimilarity.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    users: { type: 'string', default: '5000' },
    out: { type: 'string', default: path.join('.kgrec', 'bench', 'kg-variants.json') },
  },
  allowPositionals: true,
});
if (!values.data) throw new Error('--data: give the folder of a KGAT data set with kg_final.txt');
const data = await kgatEvalData(values.data, path.basename(values.data));
if (!data.kg) throw new Error(`${values.data}: no kg_final.txt`);
const userCount = data.users.length;
const itemCount = data.products.length;
const fit = interactionsFromPairs(Int32Array.from(data.fit, (row) => row.user), Int32Array.from(data.fit, (row) => row.item), userCount, itemCount);
const split: InteractionSplit = { userCount, itemCount, train: fit, test: data.valid };
const candidates = usersWithItems(data.valid);
const random = new Random(11);
const wanted = Math.min(Number(values.users), candidates.length);
const sample = Int32Array.from(random.sample([...candidates], wanted)).sort();

const variants: Array<{ name: string; options: KgSimilarityOptions }> = [
  { name: 'idf, one hop', options: { weighting: 'idf' } },
  { name: '1/degree, one hop', options: { weighting: 'inverseDegree', beta: 1 } },
  { name: '1/sqrt(degree), one hop', options: { weighting: 'inverseDegree', beta: 0.5 } },
  { name: '1/degree^0.75, one hop', options: { weighting: 'inverseDegree', beta: 0.75 } },
  { name: 'idf, two hops (0.3)', options: { weighting: 'idf', twoHop: 0.3 } },
  { name: '1/degree, two hops (0.1)', options: { weighting: 'inverseDegree', beta: 1, twoHop: 0.1 } },
  { name: '1/degree, 200 neighbours', options: { weighting: 'inverseDegree', beta: 1, neighbours: 200 } },
];
const rows: Array<Record<string, unknown>> = [];
const report = (name: string, metrics: Record<string, number>, buildSeconds: number) => {
  rows.push({ name, ...metrics, buildSeconds });
  console.log(`${name.padEnd(26)} recall@20 ${(metrics['recall@20'] ?? 0).toFixed(4)}  ndcg@20 ${(metrics['ndcg@20'] ?? 0).toFixed(4)}  build ${buildSeconds.toFixed(1)} s`);
};
console.log(`${data.dataset} validation split: ${sample.length} of ${candidates.length} users, ${itemCount} items, ${data.kg.heads.length} KG triples; ${os.cpus().length} cores`);
for (const variant of variants) {
  const started = performance.now();
  const model = buildKgSimilarity(data.kg, variant.options);
  const built = (performance.now() - started) / 1000;
  const evaluation = await evaluateTopK(split, new ItemKnnScorer(model.neighbours, fit, variant.name), { ks: [20], users: sample });
  report(variant.name, evaluation.metrics, built);
}
{
  const started = performance.now();
  const knn = buildItemKnn(fit);
  const built = (performance.now() - started) / 1000;
  const evaluation = await evaluateTopK(split, new ItemKnnScorer(knn, fit), { ks: [20], users: sample });
  report('item-kNN (reference)', evaluation.metrics, built);
}
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify({ dataset: data.dataset, split: 'validation', users: sample.length, cores: os.cpus().length, rows }, null, 2)}\n`);
