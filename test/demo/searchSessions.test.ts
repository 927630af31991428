import { describe, expect, it } from 'vitest';
import { generateDemoWorld } from '../../src/demo/generate.js';
import { buildSearchSessions, catalogueAttributeWords, titleShare, type HeldOutPurchase } from '../../src/demo/searchSessions.js';
import { EVERYDAY_CATEGORY_WORDS } from '../../src/demo/shopperPhrasing.js';
import { tokenize } from '../../src/text/tokenize.js';

const world = generateDemoWorld({ seed: 5, products: 600, users: 200, events: 15_000 });
const purchases: HeldOutPurchase[] = world.shop.events.filter((event) => event.type === 'purchase').map((event) => ({ userId: event.userId, productId: event.productId }));
const worldParts = { shoppers: world.shoppers, products: world.catalogue.products };
const titleOf = new Map(world.shop.products.map((product) => [product.id, product.title]));

describe('search sessions of the demo shop', () => {
  it('are the same for the same purchases and seed, and differ for another seed', () => {
    const first = buildSearchSessions(purchases, worldParts, { seed: 9 });
    const again = buildSearchSessions(purchases, worldParts, { seed: 9 });
    const other = buildSearchSessions(purchases, worldParts, { seed: 10 });
    expect(first.length).toBe(purchases.length);
    expect(again).toEqual(first);
    expect(other.map((session) => session.query)).not.toEqual(first.map((session) => session.query));
  });

  it('keep one session per purchase, for the bought product and its shopper', () => {
    const sessions = buildSearchSessions(purchases, worldParts, { seed: 9 });
    sessions.forEach((session, index) => {
      expect(session.userId).toBe(purchases[index]?.userId);
      expect(session.productId).toBe(purchases[index]?.productId);
      expect(tokenize(session.query).length).toBeGreaterThan(0);
    });
  });

  it('do not leak the title: no model code, a bounded share of title words', () => {
    const sessions = buildSearchSessions(purchases, worldParts, { seed: 9 });
    const shares = sessions.map((session) => titleShare(session.query, titleOf.get(session.productId) ?? ''));
    const meanShare = shares.reduce((sum, share) => sum + share, 0) / shares.length;
    expect(meanShare).toBeLessThanOrEqual(0.5);
    expect(shares.filter((share) => share === 1).length / shares.length).toBeLessThanOrEqual(0.25);
    for (const session of sessions) {
      const modelCode = (titleOf.get(session.productId) ?? '').split(' ').at(-1)?.toLowerCase() ?? '';
      expect(session.query).not.toContain(modelCode);
    }
  });

  it('use words no product text carries (the shoppers\' own), not only catalogue words', () => {
    const catalogueTerms = new Set(world.shop.products.flatMap((product) => tokenize(`${product.title} ${product.description}`)));
    const queries = buildSearchSessions(purchases, worldParts, { seed: 9 }).map((session) => session.query);
    const outside = queries.filter((query) => tokenize(query).some((term) => !catalogueTerms.has(term)));
    expect(outside.length).toBeGreaterThan(queries.length * 0.1);
    expect(Object.keys(EVERYDAY_CATEGORY_WORDS).length).toBeGreaterThan(0);
  });

  it('take attribute words from the hook given', () => {
    const sessions = buildSearchSessions(purchases.slice(0, 200), worldParts, { seed: 9, attributeWords: () => ['crimson'] });
    const withAttribute = sessions.filter((session) => session.query.includes('crimson'));
    expect(withAttribute.length).toBeGreaterThan(50);
    expect(withAttribute.length).toBeLessThan(sessions.length);
    const product = world.catalogue.products[0];
    expect(product && catalogueAttributeWords(product).length).toBeGreaterThan(0);
  });
});
