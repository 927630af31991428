import { existsSync, readFileSync } from 'node:fs';
import { Random } from '../src/math/random.js';
import type { TransEHyperparameters, TripleSet } from '../src/kge/types.js';

/**
 * What the training-speed benchmarks share: FB15k-237's sizes and triples, a fixed sample of them, and
 * the hyperparameters of the two timed settings.
 */
export const FB15K237_ENTITIES = 14_541;
export const FB15K237_RELATIONS = 237;
export const BATCH = 1024;

/** FB15k-237's training triples as indexes, or random triples of the same sizes when the file is absent. */
export function loadTriples(path: string): { triples: TripleSet; source: string } {
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
export function sample(triples: TripleSet, count: number): TripleSet {
  const order = new Int32Array(triples.heads.length);
  for (let i = 0; i < order.length; i += 1) order[i] = i;
  new Random(2).shuffle(order);
  const pick = (column: Int32Array): Int32Array => Int32Array.from(order.subarray(0, count), (i) => column[i]!);
  return { heads: pick(triples.heads), relations: pick(triples.relations), tails: pick(triples.tails) };
}

export { median } from './benchServer.js';

/** Setting (a): 64 negatives, self-adversarial loss, Adam, with PyKEEN's entity rescaling. (b) varies it. */
export function speedBaseHyperparameters(epochs: number): TransEHyperparameters {
  return {
  dimension: 200,
  distance: 'L1',
  loss: 'self-adversarial',
  margin: 9,
  adversarialTemperature: 1,
  negatives: 64,
  corruption: 'uniform',
  reflexiveNegatives: false,
  optimizer: 'adam',
  learningRate: 0.001,
  learningRateDecay: 1,
  batchSize: BATCH,
  epochs,
  entityNormConstraint: true,
  regularization: 0,
  workers: 1,
  seed: 42,
};
}
