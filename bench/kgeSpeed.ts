/**
 * Training speed of the typed-array TransE engine at FB15k-237's sizes (14,541 entities, 237 relations),
 * dimension 200, batch 1,024, in positive triples per second:
 *   (a) 64 negatives, self-adversarial loss, Adam — the quality setting;
 *   (b) 1 negative, margin ranking loss, Adam — the cheapest step.
 * Each setting trains several epochs over a fixed sample of the training triples (FB15k-237's own when
 * ../shared/data/fb15k-237/train.txt or --train is there, else random triples) and reports the median epoch
 * after the first (which includes JIT warm-up). Run it when nothing else is busy: on 2 cores, another process
 * halves the figures.
 *
 *   npx tsx bench/kgeSpeed.ts [--workers 1,2] [--epochs 4] [--train path/to/train.txt]
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CpuEngine } from '../src/kge/cpuEngine.js';
import { Random } from '../src/kge/random.js';
import type { TransEHyperparameters, TripleSet } from '../src/kge/types.js';
import { SHARED_DATA } from './paths.js';

const FB15K237_ENTITIES = 14_541;
const FB15K237_RELATIONS = 237;
const BATCH = 1024;

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2' },
    epochs: { type: 'string', default: '4' },
    train: { type: 'string', default: path.join(SHARED_DATA, 'fb15k-237', 'train.txt') },
  },
});
const workerCounts = values.workers.split(',').map(Number);
const epochs = Math.max(2, Number(values.epochs));

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
  // ~3 s an epoch on one thread: long enough to time, short enough to repeat.
  { label: '(a) 64 negatives, self-adversarial, Adam', params: { ...base }, batches: 20 },
  { label: '(b) 1 negative, margin, Adam', params: { ...base, negatives: 1, loss: 'margin' as const, margin: 1 }, batches: 100 },
];

const { triples, source } = loadTriples(values.train);
const entities = Array.from({ length: FB15K237_ENTITIES }, (_, i) => `e${i}`);
const relations = Array.from({ length: FB15K237_RELATIONS }, (_, i) => `r${i}`);
console.log(`kge speed: ${source}; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; load ${os.loadavg()[0]!.toFixed(2)}`);

const results: Record<string, number> = {};
for (const setting of settings) {
  const train = sample(triples, setting.batches * BATCH);
  for (const workers of workerCounts) {
    const engine = new CpuEngine({ workers });
    const rates: number[] = [];
    await engine.train({ entities, relations, train }, setting.params, {
      onEpoch: (report) => {
        if (report.epoch > 1) rates.push(report.triplesPerSecond);
      },
    });
    const rate = Math.round(median(rates));
    results[`${setting.label} · ${engine.name}`] = rate;
    console.log(`${setting.label}, ${engine.name}: ${rate.toLocaleString('en-US')} positives/s (median of ${rates.length} epochs of ${train.heads.length.toLocaleString('en-US')}: ${rates.map((r) => Math.round(r)).join(', ')})`);
  }
}
results.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(results));
