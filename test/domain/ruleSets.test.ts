import { describe, expect, it } from 'vitest';
import { NO_RULES, rulesOfSet } from '../../src/domain/ruleSets.js';

/** Which merchandising rules a list gets under a variant's rule set. */

const rule = (id: string, productId: string, ruleSet: string | null, categoryId = 'shoes') => ({ id, productId, scope: 'category', categoryId, query: null, ruleSet });

const RULES = [
  rule('shop-a', 'a', null),
  rule('shop-b', 'b', null),
  rule('spring-b', 'b', 'spring'),
  rule('spring-c', 'c', 'spring'),
  rule('autumn-a', 'a', 'autumn'),
  rule('shop-b-hats', 'b', null, 'hats'),
];

const idsOf = (rules: ReadonlyArray<{ id: string }>) => rules.map((one) => one.id).sort();

describe('rulesOfSet', () => {
  it('gives the shop its own rules only, and no rules for "none"', () => {
    expect(idsOf(rulesOfSet(RULES, undefined))).toEqual(['shop-a', 'shop-b', 'shop-b-hats']);
    expect(rulesOfSet(RULES, NO_RULES)).toEqual([]);
  });

  it('adds a set to the shop rules, the set winning for the same product and target only', () => {
    expect(idsOf(rulesOfSet(RULES, 'spring'))).toEqual(['shop-a', 'shop-b-hats', 'spring-b', 'spring-c']);
    expect(idsOf(rulesOfSet(RULES, 'autumn'))).toEqual(['autumn-a', 'shop-b', 'shop-b-hats']);
    expect(idsOf(rulesOfSet(RULES, 'winter'))).toEqual(['shop-a', 'shop-b', 'shop-b-hats']);
  });
});
