/**
 * Training speed of the TensorFlow.js TransE engine at FB15k-237's sizes (14,541 entities, 237 relations),
 * dimension 200, batch 1,024, in positive triples per second:
 *   (a) 64 negatives, self-adversarial loss, Adam — the quality setting;
 *   (b) 1 negative, margin ranking loss, Adam — the cheapest step.
 * Each setting trains a few short epochs over a fixed sample of FB15k-237's training triples (or random
 * triples of the same sizes when the file is absent) and reports the median epoch after the first, which
 * includes the backend's warm-up. The same figures for the typed-array engine come from bench/kgeSpeed.ts.
 * Run it when nothing else is busy: on 2 cores, another process halves the figures.
 *
 *   npx tsx bench/kgeTfjs.ts [--backend wasm] [--epochs 3] [--batches 4,20] [--train path/to/train.txt]
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Random } from '../src/kge/random.js';
import type { BackendPreference } from '../src/kge/tfjsBackend.js';
import { TfjsEngine } from '../src/kge/tfjsEngine.js';
import type { TransEHyperparameters, TripleSet } from '../src/kge/types.js';
import { SHARED_DATA } from './paths.js';

const FB15K237_ENTITIES = 14_541;
const FB15K237_RELATIONS = 237;
const BATCH = 1024;
const BACKENDS: readonly BackendPreference[] = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '3' },
    // Batches per epoch for (a) and (b): on wasm (a) takes ~0.15 s a batch, (b) ~0.05 s.
    batches: { type: 'string', default: '4,20' },
    train: { type: 'string', default: path.join(SHARED_DATA, 'fb15k-237', 'train.txt') },
  },
});
const backend = BACKENDS.find((name) => name === values.backend);
if (backend === undefined) throw new Error(`--backend: expected one of ${BACKENDS.join(', ')}, got ${values.backend}`);
const epochs = Math.max(2, Number(values.epochs));
const [batchesA = 4, batchesB = 20] = values.batches.split(',').map(Number);

/** FB15k-237's training triples as indexes, or random triples of the same sizes when the file is absent. */
function loadTriples(path: string): { triples: TripleSet; source: string } {
  if (existsSync(path)) {
    const entities = new Map<string, number>();
    const relations = new Map<string, number>();
    const index = (map: Map<string, number>, key: string): number => {
      let id = map.get(key);
      if (id === undefined) map.set(key, (id = map.size));
      return id;
    };
    const heads: number[] = [];
    const rels: number[] = [];
    const tails: number[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const [h, r, t] = line.split('\t');
      if (h === undefined || r === undefined || t === undefined) continue;
      heads.push(index(entities, h));
      rels.push(index(relations, r));
      tails.push(index(entities, t));
    }
    if (entities.size <= FB15K237_ENTITIES && relations.size <= FB15K237_RELATIONS) {
      return { triples: { heads: Int32Array.from(heads), relations: Int32Array.from(rels), tails: Int32Array.from(tails) }, source: path };
    }
  }
  const random = new Random(1);
  const count = 272_115;
  const triples = { heads: new Int32Array(count), relations: new Int32Array(count), tails: new Int32Array(count) };
  for (let i = 0; i < count; i += 1) {
    triples.heads[i] = random.nextInt(FB15K237_ENTITIES);
    triples.relations[i] = random.nextInt(FB15K237_RELATIONS);
    triples.tails[i] = random.nextInt(FB15K237_ENTITIES);
  }
  return { triples, source: 'random triples' };
}

/** The first `count` triples of a seeded shuffle: every setting sees the same sample. */
function sample(triples: TripleSet, count: number): TripleSet {
  const order = new Int32Array(triples.heads.length);
  for (let i = 0; i < order.length; i += 1) order[i] = i;
  new Random(2).shuffle(order);
  const pick = (column: Int32Array): Int32Array => Int32Array.from(order.subarray(0, count), (i) => column[i]!);
  return { heads: pick(triples.heads), relations: pick(triples.relations), tails: pick(triples.tails) };
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const base: TransEHyperparameters = {
  dimension: 200,
  distance: 'L1',
  loss: 'self-adversarial',
  margin: 9,
  adversarialTemperature: 1,
  negatives: 64,
  corruption: 'uniform',
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: BATCH,
  epochs,
  entityNormConstraint: true,
  regularization: 0,
  workers: 1,
  seed: 42,
};

const settings = [
  { label: '(a) 64 negatives, self-adversarial, Adam', params: { ...base }, batches: batchesA },
  { label: '(b) 1 negative, margin, Adam', params: { ...base, negatives: 1, loss: 'margin' as const, margin: 1 }, batches: batchesB },
];

const engine = await TfjsEngine.create(backend);
const { triples, source } = loadTriples(values.train);
const entities = Array.from({ length: FB15K237_ENTITIES }, (_, i) => `e${i}`);
const relations = Array.from({ length: FB15K237_RELATIONS }, (_, i) => `r${i}`);
console.log(
  `kge tfjs speed: ${engine.name}; ${source}; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; load ${os.loadavg()[0]!.toFixed(2)}`,
);

const results: Record<string, number> = {};
for (const setting of settings) {
  const train = sample(triples, setting.batches * BATCH);
  const rates: number[] = [];
  await engine.train({ entities, relations, train }, setting.params, {
    onEpoch: (report) => {
      if (report.epoch > 1) rates.push(report.triplesPerSecond);
    },
  });
  const rate = Math.round(median(rates));
  results[`${setting.label} · ${engine.name}`] = rate;
  console.log(
    `${setting.label}, ${engine.name}: ${rate.toLocaleString('en-US')} positives/s (median of ${rates.length} epochs of ${train.heads.length.toLocaleString('en-US')}: ${rates.map((r) => Math.round(r)).join(', ')})`,
  );
}
console.log(JSON.stringify(results));
