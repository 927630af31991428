import type { GraphTriples } from '../ranking/fusionWeights.js';

/**
 * Which TransE the fused ranking keeps, given the validation objective (`fitObjective`) of the fusion
 * fitted with each (docs/decisions/0027-transe-triples-chosen-on-validation.md): the higher wins. A tie
 * keeps the KG triples, what every fit before the choice was made with, so that a shop's training changes
 * only on evidence.
 */
export function chooseGraphTriples(validation: Readonly<Record<GraphTriples, number>>): GraphTriples {
  return validation['without-kg'] > validation['with-kg'] ? 'without-kg' : 'with-kg';
}
