/**
 * In-process `recommend` latency of the fused ranker at 5,000 and 100,000 products: everything a request
 * does after reading the user's behaviour from Neo4j (signals over the whole catalogue, fusion, rules,
 * MMR diversity). The state is built in memory from a generated shop and a model of the production
 * shape (dimension 64) with random vectors: latency does not depend on what the vectors learned.
 *
 *   npx tsx bench/rank.ts [--products 5000,100000] [--requests 2000]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { demoEvalData } from '../src/jobs/evalData.js';
import { offlineState, profileRows } from '../src/jobs/evaluateRecommenders.js';
import type { Graph } from '../src/graph/graph.js';
import { entityKey } from '../src/graph/tripleExport.js';
import { Random } from '../src/kge/random.js';
import { FusedRanker } from '../src/ranking/fusedRanker.js';
import { ModelVectors } from '../src/ranking/modelVectors.js';
import { selectProductTerms } from '../src/text/vocabulary.js';
import { SHOP_DEFAULTS } from '../src/kge/hyperparameters.js';

const { values } = parseArgs({ options: { products: { type: 'string', default: '5000,100000' }, requests: { type: 'string', default: '2000' } } });
const sizes = (values.products ?? '').split(',').map(Number);
const requests = Number(values.requests);
const DIMENSION = 64;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
for (const products of sizes) {
  const started = performance.now();
  const data = demoEvalData({ products, users: Math.max(2_000, products / 5), events: products * 20, seed: 1 });
  const terms = selectProductTerms(data.products).products;
  const entities = [
    ...data.products.map((product) => entityKey('Product', product.id)),
    ...data.users.map((user) => entityKey('User', user)),
    ...data.categories.map((category) => entityKey('Category', category.id)),
    ...data.brands.map((brand) => entityKey('Brand', brand.id)),
    ...[...new Set(terms.flatMap((product) => product.terms))].map((term) => entityKey('Term', term)),
  ];
  const relations = ['VIEWED', 'CLICKED', 'ADDED_TO_CART', 'PURCHASED', 'IN_CATEGORY', 'SUBCATEGORY_OF', 'HAS_BRAND', 'HAS_TERM'];
  const random = new Random(7);
  const vector = (n: number) => Float32Array.from({ length: n * DIMENSION }, () => random.gaussian(0, 0.3));
  const model = new ModelVectors({
    manifest: { version: 'bench', distance: 'L2', createdAt: new Date(data.fitEndsAt).toISOString() } as never,
    entities,
    relations,
    embeddings: { dimension: DIMENSION, entity: vector(entities.length), relation: vector(relations.length) },
  });
  // The state as the API builds it, from the generated shop's behaviour (offline evaluation's builder).
  const state = offlineState(data, model, data.fit);
  const rows = profileRows(data, data.fit);
  // No request reaches Neo4j here: rankForUser is the in-memory stage only.
  const ranker = new FusedRanker({ graph: null as unknown as Graph, modelsDir: '', relationTypes: [], watchModels: false });
  const users = rows.flatMap((userRows, user) => (userRows.length > 0 ? [user] : []));
  console.log(`\n${products.toLocaleString('en-US')} products, ${users.length.toLocaleString('en-US')} users with history (set-up ${((performance.now() - started) / 1000).toFixed(1)} s, hyperparameters of the shop model: dimension ${SHOP_DEFAULTS.dimension})`);
  for (const diversity of [0, 0.15]) {
    const times: number[] = [];
    for (let r = 0; r < requests + 100; r += 1) {
      const user = users[(r * 7919) % users.length] ?? 0;
      const t = performance.now();
      ranker.rankForUser(state, data.users[user] ?? '', rows[user] ?? [], { first: 10, diversity });
      if (r >= 100) times.push(performance.now() - t); // the first 100 warm the JIT
    }
    times.sort((a, b) => a - b);
    console.log(`  recommend, first 10, diversity ${diversity}: p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms, ${(1000 / (times.reduce((a, b) => a + b, 0) / times.length)).toFixed(0)} requests/s on one core (${requests} requests)`);
  }
}
