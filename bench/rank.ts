/**
 * In-process `recommend` latency of the fused ranker at 5,000 and 100,000 products: everything a request
 * does after reading the user's behaviour from Neo4j (signals over the whole catalogue, fusion, rules,
 * MMR diversity). The state is built in memory from a generated shop and a model of the production
 * shape (dimension 64) with random vectors placed as TransE places products (near their category, nudged
 * towards their brand): latency does not depend on what the vectors learned, but the IVF index's
 * agreement with an exact pass depends on that structure (printed as the top-100 overlap).
 *
 *   npx tsx bench/rank.ts [--products 5000,100000] [--requests 2000] [--events-per-product 20]
 */
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { demoEvalData } from '../src/jobs/evalData.js';
import { offlineState, profileRows } from '../src/jobs/evaluateRecommenders.js';
import type { Graph } from '../src/graph/graph.js';
import { entityKey } from '../src/graph/tripleExport.js';
import { Random } from '../src/math/random.js';
import { topIndices } from '../src/math/topK.js';
import { FusedRanker } from '../src/ranking/fusedRanker.js';
import { loadTransEWasm } from '../src/kge/simd/loadTransEWasm.js';
import { ModelVectors } from '../src/ranking/modelVectors.js';
import { selectProductTerms } from '../src/text/vocabulary.js';
import { SHOP_DEFAULTS } from '../src/kge/hyperparameters.js';
import type { ProfileRow } from '../src/graph/shopReads.js';
import type { RankingState } from '../src/ranking/rankingState.js';
import { EXACT_SCAN_MAX_ROWS } from '../src/ranking/ivfIndex.js';
import { recommendSignals } from '../src/ranking/recommendSignals.js';
import { ScoreArrayPool } from '../src/ranking/scoreArrays.js';
import { historyOf, userQueryVector } from '../src/ranking/userVector.js';
import { negativeL2Distances, rowSquaredNorms } from '../src/ranking/vectorMath.js';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '5000,100000' },
    requests: { type: 'string', default: '2000' },
    // Fewer events build the shop faster (for profiling); the default is the demo shop's density.
    'events-per-product': { type: 'string', default: '20' },
  },
});
const sizes = (values.products ?? '').split(',').map(Number);
const requests = Number(values.requests);
const DIMENSION = 64;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
for (const products of sizes) {
  const started = performance.now();
  const data = demoEvalData({ products, users: Math.max(2_000, products / 5), events: products * Number(values['events-per-product']), seed: 1 });
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
  const entity = vector(entities.length);
  const relation = vector(relations.length);
  const rows = profileRows(data, data.fit);
  const rowOf = new Map(entities.map((key, row) => [key, row]));
  placeProducts(entity, data.products, rowOf);
  placeUsers(entity, data.users, rows, rowOf, relation.subarray(relations.indexOf('PURCHASED') * DIMENSION, (relations.indexOf('PURCHASED') + 1) * DIMENSION));
  const model = new ModelVectors({
    manifest: { version: 'bench', distance: 'L2', createdAt: new Date(data.fitEndsAt).toISOString() } as never,
    entities,
    relations,
    embeddings: { dimension: DIMENSION, entity, relation },
  });
  // The state as the API builds it, from the generated shop's behaviour (offline evaluation's builder).
  const state = offlineState(data, model, data.fit, (await loadTransEWasm()).module ?? null);
  // No request reaches Neo4j here: rankForUser is the in-memory stage only.
  const ranker = new FusedRanker({ graph: null as unknown as Graph, modelsDir: '', relationTypes: [], watchModels: false });
  const users = rows.flatMap((userRows, user) => (userRows.length > 0 ? [user] : []));
  reportIndexRecall(state, data.users, rows, users);
  console.log(`\n${products.toLocaleString('en-US')} products, ${users.length.toLocaleString('en-US')} users with history (set-up ${((performance.now() - started) / 1000).toFixed(1)} s, hyperparameters of the shop model: dimension ${SHOP_DEFAULTS.dimension})`);
  for (const diversity of [0, 0.15]) {
    // Score arrays as the API lends them (a pool of the thread) and freshly allocated, in alternating blocks.
    const pool = new ScoreArrayPool();
    const runs = { pooled: { times: [] as number[], gc: { count: 0, ms: 0 } }, new: { times: [] as number[], gc: { count: 0, ms: 0 } } };
    let running: keyof typeof runs = 'pooled';
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        runs[running].gc.count += 1;
        runs[running].gc.ms += entry.duration;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    for (let r = 0; r < 2 * requests + 200; r += 1) {
      // A turn of the event loop between blocks hands each block's GC entries to the observer.
      if (r % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      running = Math.floor(r / 100) % 2 === 0 ? 'pooled' : 'new';
      const user = users[(r * 7919) % users.length] ?? 0;
      const t = performance.now();
      const lease = running === 'pooled' ? pool.lease() : null;
      ranker.rankForUser(state, data.users[user] ?? '', rows[user] ?? [], { first: 10, diversity }, lease?.take);
      lease?.giveBack();
      if (r >= 200) runs[running].times.push(performance.now() - t); // the first 200 warm the JIT
    }
    await new Promise((resolve) => setImmediate(resolve));
    observer.disconnect();
    for (const [name, { times, gc }] of Object.entries(runs)) {
      times.sort((a, b) => a - b);
      const perSecond = 1000 / (times.reduce((a, b) => a + b, 0) / times.length);
      console.log(`  recommend, first 10, diversity ${diversity}, ${name} score arrays: p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms, ${perSecond.toFixed(0)} requests/s on one core (${times.length} requests; ${gc.count} GC pauses, ${gc.ms.toFixed(0)} ms)`);
    }
  }
}

/**
 * Above EXACT_SCAN_MAX_ROWS the graph signal comes from an IVF index (exact near the user, estimated
 * elsewhere): how many of the exact top 100 products it also puts in its top 100.
 */
function reportIndexRecall(state: RankingState, userIds: readonly string[], rows: readonly (readonly ProfileRow[])[], users: readonly number[]): void {
  const space = state.space;
  if (!space) return;
  const norms = rowSquaredNorms(space.matrix, space.size, space.dimension);
  const exact = new Float32Array(space.size);
  const top = (scores: Float32Array): Set<number> => new Set(topIndices(scores, 100));
  let found = 0;
  let asked = 0;
  for (const user of users.slice(0, 100)) {
    const approximate = recommendSignals(state, userIds[user] ?? '', rows[user] ?? [], new Set(['graph'])).signals.graph;
    const query = approximate && findQuery(state, userIds[user] ?? '', rows[user] ?? []);
    if (!approximate || !query) continue;
    negativeL2Distances(space.matrix, space.size, space.dimension, query, norms, exact);
    const want = top(exact);
    for (const row of top(approximate)) if (want.has(row)) found += 1;
    asked += want.size;
  }
  const how = space.size > EXACT_SCAN_MAX_ROWS ? 'IVF index' : 'exact pass (below the index threshold)';
  if (asked > 0) console.log(`  graph signal (${how}): top-100 overlap with an exact pass ${((100 * found) / asked).toFixed(1)} % (100 users)`);
}

function findQuery(state: RankingState, userId: string, rows: readonly ProfileRow[]): Float32Array | null {
  return userQueryVector(state, userId, historyOf(rows, state));
}

/** Each user with history at the mean of their products, minus PURCHASED (user + r ≈ product in TransE). */
function placeUsers(entity: Float32Array, users: readonly string[], rows: readonly (readonly ProfileRow[])[], rowOf: ReadonlyMap<string, number>, purchased: Float32Array): void {
  users.forEach((user, index) => {
    const own = rowOf.get(entityKey('User', user));
    const products = (rows[index] ?? []).map((row) => rowOf.get(entityKey('Product', row.productId))).filter((row): row is number => row !== undefined);
    if (own === undefined || products.length === 0) return;
    const target = entity.subarray(own * DIMENSION, (own + 1) * DIMENSION);
    target.fill(0);
    for (const product of products) for (let k = 0; k < DIMENSION; k += 1) target[k] = (target[k] as number) + (entity[product * DIMENSION + k] as number) / products.length;
    for (let k = 0; k < DIMENSION; k += 1) target[k] = (target[k] as number) - (purchased[k] as number);
  });
}

/** Each product's row: its category's vector, half its brand's, and noise (product + r ≈ category in TransE). */
function placeProducts(entity: Float32Array, products: readonly { id: string; categoryId: string | null; brandId: string | null }[], rowOf: ReadonlyMap<string, number>): void {
  const random = new Random(13);
  const at = (key: string): Float32Array | null => {
    const row = rowOf.get(key);
    return row === undefined ? null : entity.subarray(row * DIMENSION, (row + 1) * DIMENSION);
  };
  for (const product of products) {
    const own = at(entityKey('Product', product.id));
    if (!own) continue;
    const category = product.categoryId === null ? null : at(entityKey('Category', product.categoryId));
    const brand = product.brandId === null ? null : at(entityKey('Brand', product.brandId));
    for (let k = 0; k < DIMENSION; k += 1) own[k] = (category?.[k] ?? 0) + 0.5 * (brand?.[k] ?? 0) + random.gaussian(0, 0.1);
  }
}
