import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MerchRuleData } from '../../src/graph/merchRules.js';
import { applyRules, normaliseQuery, RuleCache, RuleSet, selectRules, type RuleLookup } from '../../src/ranking/rules.js';
import type { RankedItem } from '../../src/ranking/types.js';

/**
 * src/ranking/rules.ts without a database: which rules apply to a request, and what pin, boost and bury do
 * to a ranked list. (Kept with the API tests, which exercise the same rules end to end.)
 */

const NOW = Date.UTC(2026, 0, 1);

let sequence = 0;
function rule(fields: Partial<MerchRuleData> & Pick<MerchRuleData, 'action' | 'productId'>): MerchRuleData {
  sequence += 1;
  return {
    id: `r${sequence}`,
    position: fields.action === 'pin' ? 1 : null,
    factor: fields.action === 'boost' ? 2 : null,
    scope: fields.query ? 'query' : 'category',
    categoryId: fields.query ? null : 'shoes',
    query: null,
    createdAt: NOW - 1000 + sequence,
    createdBy: 'test',
    expiresAt: null,
    ...fields,
  };
}

const item = (productId: string, score: number, breakdown = false): RankedItem => ({
  productId,
  score,
  reasons: [{ kind: 'POPULAR', text: 'popular' }],
  breakdown: breakdown ? [{ name: 'popularity', value: score, weight: 1, contribution: score }] : [],
});

/** p1..pN scored N..1 */
const ranked = (count: number): RankedItem[] => Array.from({ length: count }, (_, i) => item(`p${i + 1}`, count - i));
const ids = (items: RankedItem[]) => items.map((entry) => entry.productId);
const noLookup: RuleLookup = () => null;
const context = { categoryPath: ['shoes'], now: NOW };

describe('normaliseQuery', () => {
  it('lowercases, trims and collapses whitespace', () => {
    expect(normaliseQuery('  Trail \t Running\nSHOES ')).toBe('trail running shoes');
  });
});

describe('selectRules', () => {
  it('applies category rules of the filter and its ancestors, and query rules of the normalised text', () => {
    const rules = new RuleSet([
      rule({ action: 'bury', productId: 'a', categoryId: 'shoes' }),
      rule({ action: 'bury', productId: 'b', categoryId: 'footwear' }),
      rule({ action: 'bury', productId: 'c', categoryId: 'hats' }),
      rule({ action: 'bury', productId: 'd', query: 'red shoes' }),
    ]);
    const chosen = selectRules(rules, { categoryPath: ['shoes', 'footwear'], query: ' Red  SHOES', now: NOW });
    expect([...chosen.byProduct.keys()].sort()).toEqual(['a', 'b', 'd']);
    expect(chosen.overfetch).toBe(3);
    expect(selectRules(rules, { categoryPath: [], now: NOW }).byProduct.size).toBe(0);
  });

  it('keeps the most specific rule per product: query, then the nearest category', () => {
    const rules = new RuleSet([
      rule({ action: 'bury', productId: 'a', categoryId: 'footwear' }),
      rule({ action: 'boost', productId: 'a', categoryId: 'shoes' }),
      rule({ action: 'pin', productId: 'b', categoryId: 'shoes' }),
      rule({ action: 'bury', productId: 'b', query: 'boots' }),
    ]);
    const chosen = selectRules(rules, { categoryPath: ['shoes', 'footwear'], query: 'boots', now: NOW });
    expect(chosen.byProduct.get('a')?.action).toBe('boost');
    expect(chosen.byProduct.get('b')?.action).toBe('bury');
  });

  it('ignores expired rules', () => {
    const rules = new RuleSet([rule({ action: 'bury', productId: 'a', expiresAt: NOW }), rule({ action: 'bury', productId: 'b', expiresAt: NOW + 1 })]);
    expect([...selectRules(rules, context).byProduct.keys()]).toEqual(['b']);
  });
});

describe('applyRules', () => {
  it('returns the first items unchanged without rules', () => {
    const list = ranked(5);
    expect(applyRules(list, selectRules(new RuleSet([]), context), { first: 3, lookup: noLookup })).toEqual(list.slice(0, 3));
  });

  it('buries below everything else, so an overfetched page loses the item', () => {
    const rules = selectRules(new RuleSet([rule({ action: 'bury', productId: 'p1' })]), context);
    expect(ids(applyRules(ranked(4), rules, { first: 4, lookup: noLookup }))).toEqual(['p2', 'p3', 'p4', 'p1']);
    // The ranker asked for first + overfetch candidates: p1 falls off a page of 3.
    expect(ids(applyRules(ranked(3 + rules.overfetch), rules, { first: 3, lookup: noLookup }))).toEqual(['p2', 'p3', 'p4']);
  });

  it('boosts by dividing the place by the factor, keeping the score, with a reason', () => {
    const list = [item('p1', 10, true), item('p2', 6, true), item('p3', 4, true), item('p4', 3, true)];
    const rules = selectRules(new RuleSet([rule({ action: 'boost', productId: 'p4', factor: 2 })]), context);
    const result = applyRules(list, rules, { first: 4, lookup: noLookup });
    // 4th place / 2 = 2nd place: the tie goes to the boosted product.
    expect(ids(result)).toEqual(['p1', 'p4', 'p2', 'p3']);
    const boosted = result[1] as RankedItem;
    expect(boosted.score).toBe(3);
    expect(boosted.reasons[0]?.kind).toBe('BOOSTED');
    expect(boosted.breakdown).toEqual(list[3]?.breakdown);
  });

  it('raises a product with a negative score, where multiplying the score would have sunk it', () => {
    // Fused scores are standardised sums: the whole list can be below zero.
    const list = [item('p1', -0.01), item('p2', -0.012), item('p3', -0.015), item('p4', -0.2)];
    const rules = selectRules(new RuleSet([rule({ action: 'boost', productId: 'p3', factor: 100 })]), context);
    expect(ids(applyRules(list, rules, { first: 4, lookup: noLookup }))).toEqual(['p3', 'p1', 'p2', 'p4']);
  });

  it('never moves a boosted product down nor a buried one up, whatever the scores and factors', () => {
    const scores = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 });
    const setting = scores.chain((values) =>
      fc.record({
        values: fc.constant(values),
        target: fc.nat({ max: values.length - 1 }),
        other: fc.nat({ max: values.length - 1 }),
        factor: fc.double({ min: 1.000001, max: 100, noNaN: true }),
        otherAction: fc.constantFrom('boost' as const, 'bury' as const, 'none' as const),
      }),
    );
    fc.assert(
      fc.property(setting, ({ values, target, other, factor, otherAction }) => {
        // The ranker's order, best first, whatever the sign of the scores.
        const list = [...values].sort((a, b) => b - a).map((score, i) => item(`p${i}`, score));
        const targetId = `p${target}`;
        const otherId = `p${other}`;
        const ruleList = [rule({ action: 'boost', productId: targetId, factor })];
        if (other !== target && otherAction !== 'none') ruleList.push(rule({ action: otherAction, productId: otherId, factor: otherAction === 'boost' ? 1 + factor / 2 : null }));
        const result = ids(applyRules(list, selectRules(new RuleSet(ruleList), context), { first: list.length, lookup: noLookup }));
        expect(result).toHaveLength(list.length);
        const boostedBefore = otherAction === 'bury' && other < target ? target - 1 : target;
        expect(result.indexOf(targetId)).toBeLessThanOrEqual(boostedBefore);
        if (otherAction === 'bury' && other !== target) expect(result.indexOf(otherId)).toBeGreaterThanOrEqual(other);
        // The unruled products keep the ranker's order.
        const untouched = result.filter((id) => id !== targetId && id !== otherId);
        expect(untouched).toEqual(ids(list).filter((id) => id !== targetId && id !== otherId));
      }),
      { seed: 20260101, numRuns: 300 },
    );
  });

  it('looks up a boosted product that was not a candidate: it enters below the last one, then rises', () => {
    const rules = selectRules(new RuleSet([rule({ action: 'boost', productId: 'x', factor: 3 })]), context);
    const lookup: RuleLookup = (id, action) => (id === 'x' && action === 'boost' ? item('x', 0.8) : null);
    // 6th place (below 5 candidates) / 3 = 2nd place.
    expect(ids(applyRules(ranked(5), rules, { first: 3, lookup }))).toEqual(['p1', 'x', 'p2']);
  });

  it('pins to a position, moving a candidate or inserting a looked-up product, and drops what cannot be resolved', () => {
    const rules = selectRules(
      new RuleSet([
        rule({ action: 'pin', productId: 'p5', position: 1 }),
        rule({ action: 'pin', productId: 'x', position: 3 }),
        rule({ action: 'pin', productId: 'gone', position: 2 }),
      ]),
      context,
    );
    const lookup: RuleLookup = (id, action) => (id === 'x' && action === 'pin' ? item('x', 0.1) : null);
    const result = applyRules(ranked(5), rules, { first: 5, lookup });
    expect(ids(result)).toEqual(['p5', 'p1', 'x', 'p2', 'p3']);
    expect(result[0]?.reasons[0]).toEqual({ kind: 'PINNED', text: 'featured by the shop' });
    expect(result[2]?.reasons[0]?.kind).toBe('PINNED');
  });

  it('gives pins of the same position the following places, and puts a pin beyond the list last', () => {
    const rules = selectRules(
      new RuleSet([
        rule({ action: 'pin', productId: 'p3', position: 1, categoryId: 'footwear' }),
        rule({ action: 'pin', productId: 'p4', position: 1, categoryId: 'shoes' }),
        rule({ action: 'pin', productId: 'p2', position: 50 }),
      ]),
      { categoryPath: ['shoes', 'footwear'], now: NOW },
    );
    // The nearer category's pin wins position 1.
    expect(ids(applyRules(ranked(4), rules, { first: 10, lookup: noLookup }))).toEqual(['p4', 'p3', 'p1', 'p2']);
  });
});

describe('RuleCache', () => {
  it('shares one load, serves until invalidated, then waits for a fresh load', async () => {
    let loads = 0;
    const cache = new RuleCache({ ttlMs: 60_000, load: async () => [rule({ action: 'bury', productId: `p${(loads += 1)}` })] });
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
    expect(await cache.get()).toBe(a);
    cache.invalidate();
    const fresh = await cache.get();
    expect(loads).toBe(2);
    expect(fresh.rules[0]?.productId).toBe('p2');
  });
});
