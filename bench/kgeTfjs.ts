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
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BackendPreference } from '../src/kge/tfjsBackend.js';
import { TfjsEngine } from '../src/kge/tfjsEngine.js';
import { SHARED_DATA } from './paths.js';
import { BATCH, FB15K237_ENTITIES, FB15K237_RELATIONS, loadTriples, median, sample, speedBaseHyperparameters } from './trainingSpeed.js';

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

const base = speedBaseHyperparameters(epochs);

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
