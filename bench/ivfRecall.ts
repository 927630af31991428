/**
 * How closely the IVF index (src/ranking/ivfIndex.ts) follows an exact pass on a trained model: for a
 * sample of users, the overlap of the top-K products by −‖user + r − product‖ from the index and from an
 * exact pass over every product, at several probe shares, with the time per query of each.
 *
 *   npx tsx bench/ivfRecall.ts MODELS_DIR VERSION [--relation PURCHASED] [--users 1000] [--k 20,100]
 *
 * e.g. on the TransE model `kgrec eval --kgat` trains on KGAT amazon-book (24,915 items, 70,679 users),
 * saved under .kgrec/eval/kgat/models.
 */
import { parseArgs } from 'node:util';
import { loadModel } from '../src/kge/modelStore.js';
import { topIndices } from '../src/math/topK.js';
import { IvfIndex } from '../src/ranking/ivfIndex.js';
import { negativeL2Distances, rowSquaredNorms } from '../src/ranking/vectorMath.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { relation: { type: 'string', default: 'PURCHASED' }, users: { type: 'string', default: '1000' }, k: { type: 'string', default: '20,100' } },
});
const [modelsDir, version] = positionals;
if (!modelsDir || !version) throw new Error('usage: bench/ivfRecall.ts MODELS_DIR VERSION');
const model = await loadModel(modelsDir, version);
const { dimension } = model.embeddings;
const rows = (prefix: string) => model.entities.flatMap((key, row) => (key.startsWith(prefix) ? [row] : []));
const products = rows('Product:');
const users = rows('User:');
const relation = model.relations.indexOf(values.relation ?? 'PURCHASED');
if (relation < 0) throw new Error(`the model has no relation ${values.relation}`);
const matrix = new Float32Array(products.length * dimension);
products.forEach((row, at) => matrix.set(model.embeddings.entity.subarray(row * dimension, (row + 1) * dimension), at * dimension));
const norms = rowSquaredNorms(matrix, products.length, dimension);
const ks = (values.k ?? '20').split(',').map(Number);
const sample = users.filter((_, i) => i % Math.max(1, Math.floor(users.length / Number(values.users))) === 0).slice(0, Number(values.users));
const top = (scores: Float32Array, k: number): Set<number> => new Set(topIndices(scores, k));

const buildStarted = performance.now();
const base = IvfIndex.build(matrix, products.length, dimension);
console.log(`${products.length.toLocaleString('en-US')} products, dimension ${dimension}, ${base.lists} lists (built in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s); ${sample.length} users`);
const exact = new Float32Array(products.length);
const approximate = new Float32Array(products.length);
const query = new Float32Array(dimension);
for (const share of [0.02, 0.05, 0.1, 0.2]) {
  const index = IvfIndex.withCentroids(matrix, products.length, dimension, base.centroids, { probeShare: share, maxProbedRows: products.length });
  const found = ks.map(() => 0);
  let exactMs = 0;
  let indexMs = 0;
  for (const user of sample) {
    for (let d = 0; d < dimension; d += 1) query[d] = (model.embeddings.entity[user * dimension + d] as number) + (model.embeddings.relation[relation * dimension + d] as number);
    let t = performance.now();
    negativeL2Distances(matrix, products.length, dimension, query, norms, exact);
    exactMs += performance.now() - t;
    t = performance.now();
    index.negativeL2(query, approximate);
    indexMs += performance.now() - t;
    ks.forEach((k, i) => {
      const want = top(exact, k);
      for (const product of top(approximate, k)) if (want.has(product)) found[i] = (found[i] as number) + 1;
    });
  }
  const overlap = ks.map((k, i) => `top-${k} ${((100 * (found[i] as number)) / (k * sample.length)).toFixed(1)} %`).join(', ');
  console.log(`probe ${(share * 100).toFixed(0)} %: overlap ${overlap}; ${(indexMs / sample.length).toFixed(2)} ms per query (exact pass ${(exactMs / sample.length).toFixed(2)} ms)`);
}
