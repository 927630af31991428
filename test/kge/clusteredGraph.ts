import { Random } from '../../src/math/random.js';
import { score } from '../../src/kge/transe.js';
import type { Embeddings, KgeDataset, TransEHyperparameters, TripleSet } from '../../src/kge/types.js';

/** The small graph both training engines are checked on, and how to judge what they learnt. */
const CLUSTERS = 4;
const CLUSTER_SIZE = 10;
export const ENTITIES = CLUSTERS * CLUSTER_SIZE;
const LINKS_PER_HEAD = 4;

/**
 * 40 entities in 4 clusters of 10, laid out as a 2 × 2 grid: `right` links each entity of cluster 0 to 4
 * random entities of cluster 1 and cluster 2 to 3; `down` links 0 to 2 and 1 to 3. TransE can represent
 * it exactly (cluster centres at the corners of a parallelogram, which fits on a sphere too, so the entity
 * norm constraint does not get in the way; a cycle of clusters would force the relation vector to zero).
 * Every fifth triple is held out: its tail is unseen for that head, but its cluster follows from the rest.
 */
export function clusteredGraph(): { dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>; heldOut: TripleSet } {
  const random = new Random(2024);
  const rows: Array<[number, number, number]> = [];
  const link = (relation: number, pairs: Array<[number, number]>) => {
    for (const [from, to] of pairs) {
      for (let member = 0; member < CLUSTER_SIZE; member += 1) {
        const targets = new Set<number>();
        while (targets.size < LINKS_PER_HEAD) targets.add(to * CLUSTER_SIZE + random.nextInt(CLUSTER_SIZE));
        for (const tail of targets) rows.push([from * CLUSTER_SIZE + member, relation, tail]);
      }
    }
  };
  link(0, [
    [0, 1],
    [2, 3],
  ]);
  link(1, [
    [0, 2],
    [1, 3],
  ]);
  const toTriples = (selected: Array<[number, number, number]>): TripleSet => ({
    heads: Int32Array.from(selected, ([h]) => h),
    relations: Int32Array.from(selected, ([, r]) => r),
    tails: Int32Array.from(selected, ([, , t]) => t),
  });
  return {
    dataset: {
      entities: Array.from({ length: ENTITIES }, (_, i) => `e${i}`),
      relations: ['right', 'down'],
      train: toTriples(rows.filter((_, i) => i % 5 !== 0)),
    },
    heldOut: toTriples(rows.filter((_, i) => i % 5 === 0)),
  };
}

/**
 * Over the true tails of `triples`: their mean rank among all entities (1 = best; ties count against the
 * true tail), and the mean number of entities from other clusters that score at least as high.
 */
export function tailRanking(embeddings: Embeddings, params: TransEHyperparameters, triples: TripleSet): { meanRank: number; wrongClusterAbove: number } {
  let rankSum = 0;
  let wrongSum = 0;
  for (let i = 0; i < triples.heads.length; i += 1) {
    const [h, r, t] = [triples.heads[i]!, triples.relations[i]!, triples.tails[i]!];
    const truth = score(embeddings, params.distance, h, r, t);
    let rank = 1;
    for (let e = 0; e < ENTITIES; e += 1) {
      if (e === t || score(embeddings, params.distance, h, r, e) < truth) continue;
      rank += 1;
      if (Math.floor(e / CLUSTER_SIZE) !== Math.floor(t / CLUSTER_SIZE)) wrongSum += 1;
    }
    rankSum += rank;
  }
  return { meanRank: rankSum / triples.heads.length, wrongClusterAbove: wrongSum / triples.heads.length };
}

export const base: TransEHyperparameters = {
  dimension: 16,
  distance: 'L1',
  loss: 'self-adversarial',
  margin: 3,
  adversarialTemperature: 1,
  negatives: 8,
  corruption: 'bernoulli',
  reflexiveNegatives: false,
  optimizer: 'adam',
  learningRate: 0.02,
  learningRateDecay: 1,
  batchSize: 16,
  epochs: 120,
  entityNormConstraint: false,
  regularization: 0,
  workers: 1,
  seed: 7,
};


/**
 * A fixed batch for holding one implementation of the loss to another: 6 positives over 30 entities and 4
 * relations, with repeated heads and tails so that rows collect gradient from several triples, and 5
 * negatives each that keep their positive's head or tail, as the sampler makes them.
 */
export function fixedBatch(): { entityCount: number; relationCount: number; count: number; k: number; positives: TripleSet; keptSide: { heads: Int32Array; tails: Int32Array } } {
  const entityCount = 30;
  const count = 6;
  const k = 5;
  const positives: TripleSet = {
    heads: Int32Array.from([0, 1, 2, 0, 3, 1]),
    relations: Int32Array.from([0, 1, 2, 3, 0, 1]),
    tails: Int32Array.from([4, 5, 6, 5, 4, 7]),
  };
  const keptSide = { heads: new Int32Array(count * k), tails: new Int32Array(count * k) };
  for (let i = 0; i < count; i += 1) {
    for (let j = 0; j < k; j += 1) {
      const replaced = 8 + ((i * k + j) % (entityCount - 8));
      keptSide.heads[i * k + j] = j % 2 === 0 ? replaced : positives.heads[i]!;
      keptSide.tails[i * k + j] = j % 2 === 0 ? positives.tails[i]! : replaced;
    }
  }
  return { entityCount, relationCount: 4, count, k, positives, keptSide };
}
