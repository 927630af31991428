/**
 * EASE's cost on amazon-book's interactions cut to the N most popular items: the seconds of one fit (the
 * Gram matrix, the dense inverse of src/math/spdInverse.ts and B) per item count, the inverse's rate in
 * GFLOP/s (n³ operations), and the process's peak memory. It is what sets EASE_MAX_ITEMS. The inverse
 * is single-threaded: run it when nothing else is busy, on 2 cores another process halves the figures.
 * One fit per size (the median of `--runs`): at 15,000 items a fit takes minutes.
 *
 *   npx tsx bench/easeFit.ts [--items 2000,4000,8000] [--runs 1] [--data path/to/kgat-amazon-book] [--out ease.json]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadKgatInteractions } from '../src/eval/kgat.js';
import { interactionsFromPairs, itemDegrees, type InteractionMatrix } from '../src/math/interactions.js';
import { buildEase } from '../src/recommenders/ease.js';
import { SHARED_DATA } from './paths.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '2000,4000,8000' },
    runs: { type: 'string', default: '1' },
    data: { type: 'string', default: path.join(SHARED_DATA, 'kgat-amazon-book') },
    out: { type: 'string', default: 'ease-fit.json' },
  },
});
const sizes = values.items.split(',').map(Number);
const runs = Math.max(1, Number(values.runs));
const { train } = await loadKgatInteractions(values.data);

/** The interactions with the `n` most popular items, renumbered 0..n−1. */
function mostPopular(matrix: InteractionMatrix, n: number): InteractionMatrix {
  const degrees = itemDegrees(matrix);
  const order = Array.from(degrees.keys()).sort((a, b) => degrees[b]! - degrees[a]! || a - b);
  const newId = new Int32Array(matrix.itemCount).fill(-1);
  order.slice(0, n).forEach((item, rank) => (newId[item] = rank));
  const users: number[] = [];
  const items: number[] = [];
  for (let u = 0; u < matrix.userCount; u += 1) {
    for (let p = matrix.indptr[u]!; p < matrix.indptr[u + 1]!; p += 1) {
      const item = newId[matrix.indices[p]!]!;
      if (item >= 0) {
        users.push(u);
        items.push(item);
      }
    }
  }
  return interactionsFromPairs(Int32Array.from(users), Int32Array.from(items), matrix.userCount, n);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = [];
for (const n of sizes) {
  const cut = mostPopular(train, n);
  const seconds: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    buildEase(cut, { l2: 250 });
    seconds.push((performance.now() - started) / 1000);
  }
  const fit = median(seconds);
  const result = { items: n, interactions: cut.indices.length, seconds: fit, gflops: n ** 3 / fit / 1e9, peakRssGiB: process.resourceUsage().maxRSS / 1024 ** 2 };
  results.push(result);
  console.log(`${n} items: ${fit.toFixed(1)} s a fit, ${result.gflops.toFixed(2)} GFLOP/s, peak RSS ${result.peakRssGiB.toFixed(2)} GiB (${os.cpus().length} cores)`);
}
writeFileSync(values.out, `${JSON.stringify({ cores: os.cpus().length, runs, results }, null, 2)}\n`);
