/**
 * kgrec's TransE engine beside PyKEEN's, at FB15k-237's sizes, dimension 200, batch 1,024: (a) 64
 * negatives with the self-adversarial loss and (b) 1 negative with the margin loss, both with Adam. The two
 * run one after the other, never side by side (the machine has 2 cores), and the figures are positive
 * triples per second with each one's peak memory.
 *
 *   npx tsx bench/kge.ts [--python .kgrec/pykeen-venv/bin/python]
 *
 * PyKEEN comes from PyPI: `python3 -m venv .kgrec/pykeen-venv && .kgrec/pykeen-venv/bin/pip install pykeen==1.11.1`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config.js';
import { SHARED_DATA } from './paths.js';

const { values } = parseArgs({
  options: {
    python: { type: 'string', default: path.join(PROJECT_ROOT, '.kgrec', 'pykeen-venv', 'bin', 'python') },
    train: { type: 'string', default: path.join(SHARED_DATA, 'fb15k-237', 'train.txt') },
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
