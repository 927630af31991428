/**
 * Training speed of the CPU TransE engine (SIMD WebAssembly kernels and the scalar TypeScript ones) at FB15k-237's sizes (14,541 entities, 237 relations),
 * dimension 200, batch 1,024, in positive triples per second:
 *   (a) 64 negatives, self-adversarial loss, Adam — the quality setting;
 *   (b) 1 negative, margin ranking loss, Adam — the cheapest step.
 * Each setting trains several epochs over a fixed sample of the training triples (FB15k-237's own when
 * ../shared/data/fb15k-237/train.txt or --train is there, else random triples) and reports the median epoch
 * after the first (which includes JIT warm-up). Run it when nothing else is busy: on 2 cores, another process
 * halves the figures.
 *
 *   npx tsx bench/kgeSpeed.ts [--workers 1,2] [--kernels simd,scalar] [--epochs 4] [--train path/to/train.txt]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CpuEngine } from '../src/kge/cpuEngine.js';
import { SHARED_DATA } from './paths.js';
import { BATCH, FB15K237_ENTITIES, FB15K237_RELATIONS, loadTriples, median, sample, speedBaseHyperparameters } from './trainingSpeed.js';


const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2' },
    kernels: { type: 'string', default: 'simd,scalar' },
    epochs: { type: 'string', default: '4' },
    train: { type: 'string', default: path.join(SHARED_DATA, 'fb15k-237', 'train.txt') },
  },
});
const workerCounts = values.workers.split(',').map(Number);
const kernelChoices = values.kernels.split(',').map((kernels) => {
  if (kernels !== 'simd' && kernels !== 'scalar') throw new Error(`--kernels: expected simd or scalar, got ${kernels}`);
  return kernels;
});
const epochs = Math.max(2, Number(values.epochs));

const base = speedBaseHyperparameters(epochs);

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
  for (const [kernels, workers] of kernelChoices.flatMap((kernels) => workerCounts.map((workers) => [kernels, workers] as const))) {
    const engine = await CpuEngine.create({ workers, kernels });
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
