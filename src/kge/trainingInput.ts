import type { Embeddings, KgeDataset, TransEHyperparameters, TripleSet } from './types.js';

/** Added to the seed for the shuffles and negatives, so they are not the stream that drew the initial vectors. */
export const TRAINING_STREAM = 0x5eed;

/**
 * Checks what every engine needs before training, with errors that name the engine and the field:
 * `${engine}: negatives: expected an integer ≥ 1, got 0`.
 */
export function validateTrainingInput(
  engine: string,
  dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>,
  params: TransEHyperparameters,
  lanes: number,
  initial?: Embeddings,
): void {
  const positiveInteger = (name: string, value: number): void => {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${engine}: ${name}: expected an integer ≥ 1, got ${value}`);
  };
  positiveInteger('dimension', params.dimension);
  positiveInteger('negatives', params.negatives);
  positiveInteger('batchSize', params.batchSize);
  positiveInteger('epochs', params.epochs);
  positiveInteger('workers', lanes);
  if (!(params.learningRate > 0)) throw new Error(`${engine}: learningRate: expected a positive number, got ${params.learningRate}`);
  if (!(params.regularization >= 0)) throw new Error(`${engine}: regularization: expected a number ≥ 0, got ${params.regularization}`);
  const entityCount = dataset.entities.length;
  const relationCount = dataset.relations.length;
  if (entityCount < 2) throw new Error(`${engine}: dataset: expected at least 2 entities to draw negatives from, got ${entityCount}`);
  const { heads, relations, tails } = dataset.train;
  if (heads.length === 0) throw new Error(`${engine}: dataset.train: expected at least one triple, got none`);
  if (relations.length !== heads.length || tails.length !== heads.length) {
    throw new Error(`${engine}: dataset.train: expected columns of equal length, got ${heads.length} heads, ${relations.length} relations, ${tails.length} tails`);
  }
  for (let i = 0; i < heads.length; i += 1) {
    const h = heads[i]!;
    const r = relations[i]!;
    const t = tails[i]!;
    if (h < 0 || h >= entityCount || t < 0 || t >= entityCount || r < 0 || r >= relationCount) {
      throw new Error(`${engine}: dataset.train: triple ${i} is (${h}, ${r}, ${t}); expected entities in [0, ${entityCount}) and relations in [0, ${relationCount})`);
    }
  }
  if (initial) {
    const { dimension } = params;
    if (initial.dimension !== dimension || initial.entity.length !== entityCount * dimension || initial.relation.length !== relationCount * dimension) {
      throw new Error(
        `${engine}: initial embeddings: expected dimension ${dimension}, ${entityCount} entity rows and ${relationCount} relation rows, got dimension ${initial.dimension}, ${initial.entity.length / initial.dimension} and ${initial.relation.length / initial.dimension}`,
      );
    }
  }
}

/** Copies the triples `order[first .. first + count)` of `train` into the front of `batch`. */
export function gatherBatch(train: TripleSet, order: Int32Array, first: number, count: number, batch: TripleSet): void {
  for (let i = 0; i < count; i += 1) {
    const triple = order[first + i]!;
    batch.heads[i] = train.heads[triple]!;
    batch.relations[i] = train.relations[triple]!;
    batch.tails[i] = train.tails[triple]!;
  }
}
