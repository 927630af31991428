import { entityKey } from '../../src/graph/tripleExport.js';
import { demoEvalData, type EvalData } from '../../src/jobs/evalData.js';
import type { StoredModel } from '../../src/kge/modelStore.js';
import { Random } from '../../src/math/random.js';
import { ModelVectors } from '../../src/ranking/modelVectors.js';
import { selectProductTerms } from '../../src/text/vocabulary.js';

const DIMENSION = 16;

/** A small generated shop and a model with random vectors (drawn from `vectorSeed`) for its products, users and terms. */
export function randomShopModel(shop: { products: number; users: number; events: number; seed: number }, vectorSeed: number): { data: EvalData; model: ModelVectors } {
  const data = demoEvalData(shop);
  const terms = [...new Set(selectProductTerms(data.products).products.flatMap((product) => product.terms))];
  const entities = [
    ...data.products.map((product) => entityKey('Product', product.id)),
    ...data.users.map((user) => entityKey('User', user)),
    ...terms.map((term) => entityKey('Term', term)),
  ];
  const relations = ['VIEWED', 'PURCHASED', 'HAS_TERM'];
  const random = new Random(vectorSeed);
  const vectors = (n: number) => Float32Array.from({ length: n * DIMENSION }, () => random.gaussian(0, 0.3));
  const stored = {
    manifest: { version: 'test', distance: 'L2', createdAt: new Date(data.fitEndsAt).toISOString() },
    entities,
    relations,
    embeddings: { dimension: DIMENSION, entity: vectors(entities.length), relation: vectors(relations.length) },
  } as unknown as StoredModel;
  return { data, model: new ModelVectors(stored) };
}
