/**
 * Speed of the filtered link-prediction evaluation on FB15k-237's test set (20,466 triples, 14,541
 * entities) with random embeddings: what matters here is time, not the metrics. PyKEEN's time for the same
 * evaluation (filtered, both sides) is in docs/benchmarks.md.
 *
 * `--kernels plain` times the JavaScript loops instead of the WebAssembly SIMD kernel.
 *
 *   npx tsx bench/kgeEval.ts -- [--data ../shared/data/fb15k-237] [--dim 200] [--distance L2] [--runs 3] [--limit N] [--kernels simd|plain]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateLinkPrediction } from '../src/kge/evaluate.js';
import type { Distance, Embeddings, TripleSet } from '../src/kge/types.js';
import { Random } from '../src/math/random.js';
import { SHARED_DATA } from './paths.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: path.join(SHARED_DATA, 'fb15k-237') },
    dim: { type: 'string', default: '200' },
    distance: { type: 'string', default: 'L2' },
    runs: { type: 'string', default: '3' },
    limit: { type: 'string' },
    kernels: { type: 'string', default: 'simd' },
  },
  allowPositionals: true,
});
const dim = Number(values.dim);
const runs = Number(values.runs);
const distance = values.distance as Distance;
if (distance !== 'L1' && distance !== 'L2') throw new Error(`--distance: expected L1 or L2, got ${values.distance}`);
const kernels = values.kernels;
if (kernels !== 'simd' && kernels !== 'plain') throw new Error(`--kernels: expected simd or plain, got ${values.kernels}`);

// A loader of its own, so that the benchmark depends only on the evaluation.
const entityIndex = new Map<string, number>();
const relationIndex = new Map<string, number>();
const indexOf = (map: Map<string, number>, name: string): number => {
  const known = map.get(name);
  if (known !== undefined) return known;
  map.set(name, map.size);
  return map.size - 1;
};
const readSplit = (name: string): TripleSet => {
  const lines = readFileSync(path.join(values.data, `${name}.txt`), 'utf8').split('\n').filter((line) => line.trim() !== '');
  const set = { heads: new Int32Array(lines.length), relations: new Int32Array(lines.length), tails: new Int32Array(lines.length) };
  for (const [i, line] of lines.entries()) {
    const [h = '', r = '', t = ''] = line.split('\t');
    set.heads[i] = indexOf(entityIndex, h);
    set.relations[i] = indexOf(relationIndex, r);
    set.tails[i] = indexOf(entityIndex, t);
  }
  return set;
};
const train = readSplit('train');
const valid = readSplit('valid');
let test = readSplit('test');
if (values.limit !== undefined) {
  const n = Number(values.limit);
  test = { heads: test.heads.subarray(0, n), relations: test.relations.subarray(0, n), tails: test.tails.subarray(0, n) };
}

/** Seeded, so every run scores the same numbers. */
const generator = new Random(42);
const random = (): number => generator.nextFloat();
const table = (rows: number): Float32Array => Float32Array.from({ length: rows * dim }, () => random() * 2 - 1);
const embeddings: Embeddings = { dimension: dim, entity: table(entityIndex.size), relation: table(relationIndex.size) };

const seconds: number[] = [];
let mrr = 0;
for (let run = 1; run <= runs; run += 1) {
  const start = process.hrtime.bigint();
  const result = await evaluateLinkPrediction(embeddings, distance, test, [train, valid, test], { kernels });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  seconds.push(elapsed);
  mrr = result.mrr;
  console.log(`run ${run}: ${elapsed.toFixed(1)} s, ${Math.round(result.count / elapsed)} ranked queries/s (MRR ${result.mrr.toFixed(4)}, ${result.count} queries)`);
}
const sorted = [...seconds].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
console.log(
  JSON.stringify(
    {
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`,
      entities: entityIndex.size,
      relations: relationIndex.size,
      testTriples: test.heads.length,
      dimension: dim,
      distance,
      kernels,
      runs,
      medianSeconds: Number(median.toFixed(2)),
      rankedQueriesPerSecond: Math.round((2 * test.heads.length) / median),
      randomModelMrr: Number(mrr.toFixed(5)),
    },
    null,
    2,
  ),
);
