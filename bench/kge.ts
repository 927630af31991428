/**
 * kgrec's TransE beside PyKEEN's.
 *
 * Speed (the default): at FB15k-237's sizes, dimension 200, batch 1,024: (a) 64 negatives with the
 * self-adversarial loss and (b) 1 negative with the margin loss, both with Adam. The two run one after the
 * other, never side by side (the machine has 2 cores), and the figures are positive triples per second with
 * each one's peak memory.
 *
 * Quality (`--quality fb15k-237,wn18rr`): `kgrec train --triples ../shared/data/NAME --preset NAME --workers 2
 * --time-limit MINUTES` (the bar's training time) for each data set, printing test MRR and Hits@10 (filtered,
 * all test triples), training time, triples/s and peak memory beside the bar and PyKEEN's recorded run on
 * this class of machine (docs/benchmarks.md). `--pykeen-quality` also trains PyKEEN's TransE on the
 * preset's settings for as long as kgrec trained (bench/pykeenQuality.py) and prints its figures instead of
 * the recorded ones. Tens of minutes per data set, twice that with PyKEEN.
 *
 *   npx tsx bench/kge.ts [--python .kgrec/pykeen-venv/bin/python] [--quality fb15k-237,wn18rr [--pykeen-quality]]
 *
 * PyKEEN comes from PyPI: `python3 -m venv .kgrec/pykeen-venv && .kgrec/pykeen-venv/bin/pip install pykeen==1.11.1`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config.js';
import { PRESETS } from '../src/kge/hyperparameters.js';
import { SHARED_DATA } from './paths.js';

const { values } = parseArgs({
  options: {
    python: { type: 'string', default: path.join(PROJECT_ROOT, '.kgrec', 'pykeen-venv', 'bin', 'python') },
    train: { type: 'string', default: path.join(SHARED_DATA, 'fb15k-237', 'train.txt') },
    quality: { type: 'string' },
    'pykeen-quality': { type: 'boolean', default: false },
  },
});

/** Runs a command, echoes its output, and returns the JSON object on its last line of stdout. */
function runJson(command: string, args: string[]): Record<string, number | string> {
  const started = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
  process.stdout.write(result.stdout);
  const last = result.stdout.trim().split('\n').pop() ?? '{}';
  console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
  return JSON.parse(last) as Record<string, number | string>;
}

/** PyKEEN 1.11.1 runs recorded on this class of machine, dimension 200, 64 negatives, self-adversarial loss, Adam 1e-3 (docs/benchmarks.md). */
const PYKEEN_QUALITY: Record<string, { mrr: number; hitsAt10: number; minutes: number; bar: string; barMinutes: number }> = {
  'fb15k-237': { mrr: 0.293, hitsAt10: 0.489, minutes: 34, bar: 'MRR ≥ 0.30 and Hits@10 ≥ 0.48 within 30 min', barMinutes: 30 },
  wn18rr: { mrr: 0.204, hitsAt10: 0.495, minutes: 29, bar: 'MRR ≥ 0.22 within 15 min', barMinutes: 15 },
};

/** PyKEEN's TransE on a preset's settings, trained for `minutes` (bench/pykeenQuality.py). */
function runPykeenQuality(name: string, minutes: number): string {
  const preset = PRESETS[name]!;
  const run = runJson(values.python, [
    path.join(PROJECT_ROOT, 'bench', 'pykeenQuality.py'), '--data', path.join(SHARED_DATA, name), '--minutes', minutes.toFixed(2),
    '--dimension', String(preset.dimension), '--distance', String(preset.distance), '--margin', String(preset.margin),
    '--temperature', String(preset.adversarialTemperature), '--negatives', String(preset.negatives), '--corruption', String(preset.corruption),
    '--learning-rate', String(preset.learningRate), '--batch-size', String(preset.batchSize), '--threads', '2',
  ]);
  const all = run.testAll as unknown as { mrr: number; 'hits@10': number };
  const known = run.testKnown as unknown as { mrr: number; 'hits@10': number; count: number };
  return `PyKEEN ${run.pykeen}, same settings and time: MRR ${all.mrr.toFixed(3)}, Hits@10 ${all['hits@10'].toFixed(3)} counting all (${known.mrr.toFixed(3)} / ${known['hits@10'].toFixed(3)} on the ${known.count} with known entities), ${run.epochs} epochs in ${(Number(run.seconds) / 60).toFixed(1)} min, ${Number(run.triplesPerSecond).toLocaleString('en-US')} triples/s, ${run.peakRssMiB} MiB`;
}

if (values.quality) {
  const rows: string[] = [];
  const results: Record<string, unknown> = {};
  for (const name of values.quality.split(',')) {
    const reference = PYKEEN_QUALITY[name];
    if (!reference) throw new Error(`--quality: expected fb15k-237 or wn18rr, got ${name}`);
    const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'kgrec-bench-kge-'));
    try {
      const run = runJson(process.execPath, [
        '--import', 'tsx', path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), 'train',
        '--triples', path.join(SHARED_DATA, name), '--preset', name, '--workers', '2',
        '--time-limit', String(reference.barMinutes), '--models-dir', modelsDir, '--no-activate', '--json',
      ]);
      const test = run.test as unknown as { mrr: number; 'hits@1': number; 'hits@3': number; 'hits@10': number; count: number };
      const { version, backend, seconds, evalSeconds, peakRssMiB, triplesPerSecond, epochs } = run;
      results[name] = { version, backend, seconds, evalSeconds, peakRssMiB, triplesPerSecond, epochs, test: { ...test, perRelation: undefined } };
      const minutes = Number(run.seconds) / 60;
      const pykeen = values['pykeen-quality'] ? runPykeenQuality(name, minutes) : `recorded: MRR ${reference.mrr}, Hits@10 ${reference.hitsAt10} in ${reference.minutes} min`;
      rows.push(
        `${name} | MRR ${test.mrr.toFixed(3)}, Hits@10 ${test['hits@10'].toFixed(3)} (${test.count.toLocaleString('en-US')} ranked queries) | ${minutes.toFixed(1)} min, ${Math.round(Number(run.triplesPerSecond)).toLocaleString('en-US')} triples/s, ${run.peakRssMiB} MiB | ${pykeen} | ${reference.bar}`,
      );
    } finally {
      rmSync(modelsDir, { recursive: true, force: true });
    }
  }
  console.log('\ndata set | kgrec test (filtered, all test triples) | training time, speed, peak memory | PyKEEN here | bar');
  for (const row of rows) console.log(row);
  console.log(JSON.stringify(results));
  process.exit(0);
}

const ours = runJson(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', 'kgeSpeed.ts'), '--train', values.train]);
if (!existsSync(values.python)) {
  console.log(`PyKEEN: no Python at ${values.python}; install it as described at the top of this file to compare.`);
  process.exit(0);
}
const theirs = runJson(values.python, [path.join(PROJECT_ROOT, 'bench', 'pykeenSpeed.py'), '--train', values.train, '--threads', '2']);

console.log('\nsetting | PyKEEN (2 threads) | kgrec SIMD, 1 thread | kgrec SIMD, 2 workers | ratio (2 workers / PyKEEN) | scalar kernels, 2 workers');
for (const setting of ['(a) 64 negatives, self-adversarial, Adam', '(b) 1 negative, margin, Adam']) {
  const pykeen = Number(theirs[setting]);
  const one = Number(ours[`${setting} · cpu-simd (1 thread)`]);
  const two = Number(ours[`${setting} · cpu-simd (2 workers)`]);
  const scalar = Number(ours[`${setting} · cpu-typed-arrays (2 workers)`]);
  const figure = (value: number): string => value.toLocaleString('en-US');
  console.log(`${setting} | ${figure(pykeen)} | ${figure(one)} | ${figure(two)} | ${(two / pykeen).toFixed(1)}× | ${figure(scalar)} (${(scalar / pykeen).toFixed(1)}×)`);
}
console.log(`peak RSS: kgrec ${ours.peakRssMiB} MiB, PyKEEN ${theirs.peakRssMiB} MiB (PyKEEN ${theirs.pykeen})`);
console.log(JSON.stringify({ kgrec: ours, pykeen: theirs }));
