import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { buildItemNeighbours, scoreFromNeighbours, strongestSources } from '../../src/ranking/itemNeighbours.js';

describe('strongestSources', () => {
  it("names, for each target, the given item whose neighbour link contributes most to the target's score, call after call", () => {
    const random = new Random(11);
    const items = 60;
    const baskets = Array.from({ length: 200 }, () => [...new Set(Array.from({ length: 2 + random.nextInt(6) }, () => random.nextInt(items)))]);
    const graph = buildItemNeighbours(baskets, items);
    for (let call = 0; call < 5; call += 1) {
      const history = [...new Set(Array.from({ length: 4 }, () => random.nextInt(items)))].map((index) => ({ index, weight: 0.5 + random.nextFloat() }));
      const scores = new Float32Array(items);
      scoreFromNeighbours(graph, history, scores);
      const targets = Array.from({ length: items }, (_, i) => i).filter((i) => (scores[i] as number) > 0).slice(0, 8);
      targets.push(items - 1);
      const sources = strongestSources(graph, history, targets);
      targets.forEach((target, position) => {
        // Brute force: every history item's link to the target, by contribution.
        let best = -1;
        let strongest = 0;
        for (const { index, weight } of history) {
          for (let k = graph.indptr[index] as number; k < (graph.indptr[index + 1] as number); k += 1) {
            if (graph.indices[k] !== target) continue;
            const contribution = weight * (graph.similarities[k] as number);
            if (contribution > strongest) {
              strongest = contribution;
              best = index;
            }
          }
        }
        expect(sources[position], `call ${call}, target ${target}`).toBe(best);
      });
    }
  });
});
