import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { movements, previewAfter, type DraftRule } from '../../console/src/rulePreview.js';
import { applyRules, RuleSet, selectRules, type MerchRule } from '../../src/ranking/rules.js';
import type { RankedItem } from '../../src/ranking/types.js';

/**
 * The console's preview against the server's own rules (src/ranking/rules.ts): for a list the ranker made,
 * "after" as the console computes it from the served list must be what the server serves once the rule is saved.
 */

const CATEGORY = 'c-1';
const ranked = (count: number): RankedItem[] =>
  Array.from({ length: count }, (_, i) => ({ productId: `p-${i}`, score: count - i, reasons: [], breakdown: [] }));

const serverRule = (draft: DraftRule, createdAt: number): MerchRule => ({
  id: `r-${draft.productId}-${createdAt}`,
  action: draft.action.toLowerCase() as MerchRule['action'],
  productId: draft.productId,
  position: draft.action === 'PIN' ? draft.position : null,
  factor: draft.action === 'BOOST' ? draft.factor : null,
  scope: 'category',
  categoryId: CATEGORY,
  query: null,
  createdAt,
  createdBy: 'test',
  expiresAt: null,
});

/** What the server serves for the category with these rules, `first` at a time. */
function served(candidates: readonly RankedItem[], rules: readonly MerchRule[], first: number): RankedItem[] {
  const applicable = selectRules(new RuleSet(rules), { categoryPath: [CATEGORY], now: Date.now() });
  const byId = new Map(candidates.map((item) => [item.productId, item]));
  return applyRules(candidates.slice(0, first + applicable.overfetch), applicable, { first, lookup: (id) => byId.get(id) ?? null });
}

function preview(before: RankedItem[], draft: DraftRule, existing: readonly MerchRule[], all: readonly RankedItem[], first: number): string[] {
  const pinned = new Set(before.filter((item) => item.reasons.some((reason) => reason.kind === 'PINNED')).map((item) => item.productId));
  const buried = new Set(existing.filter((rule) => rule.action === 'bury').map((rule) => rule.productId));
  const missing = all.find((item) => item.productId === draft.productId) ?? null;
  return previewAfter(before, draft, { idOf: (item) => item.productId, first, pinned, buried, missing }).map((item) => item.productId);
}

const draftRule = (size: number, maxPosition: number) =>
  fc.oneof(
    fc.record({ action: fc.constant('PIN' as const), productId: fc.nat(size - 1).map((i) => `p-${i}`), position: fc.integer({ min: 1, max: maxPosition }) }),
    fc.record({ action: fc.constant('BOOST' as const), productId: fc.nat(size - 1).map((i) => `p-${i}`), factor: fc.double({ min: 1.01, max: 100, noNaN: true }) }),
    fc.record({ action: fc.constant('BURY' as const), productId: fc.nat(size - 1).map((i) => `p-${i}`) }),
  );

describe('the rule preview', () => {
  it('is what the server serves after saving, when the rule is the only one of its target', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 40 }), (size, first) =>
        fc.assert(
          fc.property(draftRule(size, first + 2), (draft) => {
            const all = ranked(size);
            const wide = served(all, [], size);
            const after = preview(wide, draft, [], all, first);
            expect(after).toEqual(served(all, [serverRule(draft, 2)], first).map((item) => item.productId));
          }),
          { numRuns: 20 },
        ),
      ),
      { numRuns: 40 },
    );
  });

  it('keeps pins and burials in force, and replaces the product\'s own earlier rule', () => {
    fc.assert(
      fc.property(draftRule(30, 10), fc.integer({ min: 1, max: 8 }), fc.nat(29), fc.nat(9), (draft, pinAt, pinnedIndex, buriedIndex) => {
        fc.pre(pinnedIndex !== buriedIndex);
        const all = ranked(30);
        const existing = [
          serverRule({ action: 'PIN', productId: `p-${pinnedIndex}`, position: pinAt }, 1),
          serverRule({ action: 'BURY', productId: `p-${buriedIndex}` }, 1),
        ];
        // A boost counts places from the served list, where other rules moved products from their ranked places.
        fc.pre(draft.action !== 'BOOST');
        const wide = served(all, existing, 30);
        const after = preview(wide, draft, existing, all, 10);
        const replaced = existing.filter((rule) => rule.productId !== draft.productId);
        expect(after).toEqual(served(all, [...replaced, serverRule(draft, 2)], 10).map((item) => item.productId));
      }),
      { numRuns: 300 },
    );
  });

  it('pins a product from outside the list, and leaves out one that cannot be shown', () => {
    const before = ranked(5);
    const outsider = { productId: 'p-99', score: 0, reasons: [], breakdown: [] };
    const context = { idOf: (item: RankedItem) => item.productId, first: 10, pinned: new Set<string>(), buried: new Set<string>() };
    expect(previewAfter(before, { action: 'PIN', productId: 'p-99', position: 1 }, { ...context, missing: outsider }).map((item) => item.productId)).toEqual(['p-99', 'p-0', 'p-1', 'p-2', 'p-3', 'p-4']);
    expect(previewAfter(before, { action: 'PIN', productId: 'p-99', position: 1 }, { ...context, missing: null })).toEqual(before);
  });

  it('reports how far each product moved', () => {
    const idOf = (id: string) => id;
    expect([...movements(['a', 'b', 'c'], ['c', 'a', 'x'], idOf)]).toEqual([['c', 2], ['a', -1], ['x', null]]);
  });
});
