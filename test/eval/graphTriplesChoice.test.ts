import { describe, expect, it } from 'vitest';
import { chooseGraphTriples } from '../../src/eval/graphTriplesChoice.js';

describe('the choice of the TransE triples on validation', () => {
  it('keeps whichever fusion has the higher validation NDCG', () => {
    expect(chooseGraphTriples({ 'with-kg': 0.2042, 'without-kg': 0.2071 })).toBe('without-kg');
    expect(chooseGraphTriples({ 'with-kg': 0.2071, 'without-kg': 0.2042 })).toBe('with-kg');
  });

  it('keeps the KG triples on a tie', () => {
    expect(chooseGraphTriples({ 'with-kg': 0.2042, 'without-kg': 0.2042 })).toBe('with-kg');
  });
});
