import { initialEmbeddings } from './initialise.js';
import type { Embeddings, KgeDataset, TransEHyperparameters } from './types.js';

export interface PreviousModel {
  entities: string[];
  relations: string[];
  embeddings: Embeddings;
}

export interface WarmStart {
  embeddings: Embeddings;
  reused: number;
  fromNeighbours: number;
  fresh: number;
}

/**
 * Initial vectors for incremental retraining: entities and relations the previous model knew keep their
 * vectors; an entity new since then starts from the mean of its training neighbours' known vectors
 * (translated by the relation: h ≈ t − r, t ≈ h + r), which puts a new product near what it is related to;
 * anything else keeps the seeded initialisation.
 */
export function warmStartEmbeddings(previous: PreviousModel, dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>, params: TransEHyperparameters): WarmStart {
  const dimension = params.dimension;
  if (previous.embeddings.dimension !== dimension) {
    throw new Error(`--warm-start: the active model has dimension ${previous.embeddings.dimension}, this run ${dimension}`);
  }
  const embeddings = initialEmbeddings(dataset.entities.length, dataset.relations.length, params);
  const oldEntity = new Map(previous.entities.map((id, index) => [id, index]));
  const oldRelation = new Map(previous.relations.map((name, index) => [name, index]));
  const known = new Uint8Array(dataset.entities.length);
  dataset.entities.forEach((id, index) => {
    const old = oldEntity.get(id);
    if (old === undefined) return;
    embeddings.entity.set(previous.embeddings.entity.subarray(old * dimension, (old + 1) * dimension), index * dimension);
    known[index] = 1;
  });
  dataset.relations.forEach((name, index) => {
    const old = oldRelation.get(name);
    if (old !== undefined) embeddings.relation.set(previous.embeddings.relation.subarray(old * dimension, (old + 1) * dimension), index * dimension);
  });

  const sums = new Float64Array(dataset.entities.length * dimension);
  const counts = new Int32Array(dataset.entities.length);
  const { heads, relations, tails } = dataset.train;
  const add = (target: number, source: number, relation: number, sign: number) => {
    if (known[target] || !known[source]) return;
    for (let k = 0; k < dimension; k += 1) {
      sums[target * dimension + k]! += (embeddings.entity[source * dimension + k] as number) + sign * (embeddings.relation[relation * dimension + k] as number);
    }
    counts[target]! += 1;
  };
  for (let i = 0; i < heads.length; i += 1) {
    const h = heads[i] as number;
    const r = relations[i] as number;
    const t = tails[i] as number;
    add(t, h, r, 1); // t ≈ h + r
    add(h, t, r, -1); // h ≈ t − r
  }
  let fromNeighbours = 0;
  for (let e = 0; e < dataset.entities.length; e += 1) {
    const count = counts[e] as number;
    if (count === 0) continue;
    for (let k = 0; k < dimension; k += 1) embeddings.entity[e * dimension + k] = (sums[e * dimension + k] as number) / count;
    fromNeighbours += 1;
  }
  const reused = known.reduce((sum, flag) => sum + flag, 0);
  return { embeddings, reused, fromNeighbours, fresh: dataset.entities.length - reused - fromNeighbours };
}
