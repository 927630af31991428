/**
 * The starting point of training: every component uniform in ±6/√d, the initialisation of Bordes et al.
 * (2013) that PyKEEN's TransE calls Xavier-uniform; relation rows then rescaled to unit length (as both do),
 * entity rows too when the entity norm constraint is on.
 */
import { Random } from '../math/random.js';
import { normalizeAllRows } from './transe.js';
import type { Embeddings, TransEHyperparameters } from './types.js';

/** Seeded embeddings for `entityCount` entities and `relationCount` relations (entities drawn first). */
export function initialEmbeddings(
  entityCount: number,
  relationCount: number,
  params: Pick<TransEHyperparameters, 'dimension' | 'seed' | 'entityNormConstraint'>,
): Embeddings {
  const { dimension } = params;
  if (!Number.isInteger(dimension) || dimension < 1) throw new Error(`initialEmbeddings: dimension: expected an integer ≥ 1, got ${dimension}`);
  const random = new Random(params.seed);
  const bound = 6 / Math.sqrt(dimension);
  const fill = (values: Float32Array): Float32Array => {
    for (let i = 0; i < values.length; i += 1) values[i] = random.uniform(-bound, bound);
    return values;
  };
  const entity = fill(new Float32Array(entityCount * dimension));
  const relation = fill(new Float32Array(relationCount * dimension));
  normalizeAllRows(relation, dimension);
  if (params.entityNormConstraint) normalizeAllRows(entity, dimension);
  return { dimension, entity, relation };
}
