import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { apiConfigSchema } from '../../src/api/config.js';
import { queryPricer, type CostVerdict } from '../../src/api/queryCost.js';
import { resolvers } from '../../src/api/resolvers.js';
import { loadTypeDefs } from '../../src/api/schema.js';
import { loadConfig } from '../../src/config.js';

/** Reused prices: a text is priced again only when a variable that feeds its cost changes. */

const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(loadConfig().relationTypes), resolvers });
const limits = apiConfigSchema.parse({ modelsDir: '/nonexistent' });
const RECOMMEND = 'query ($userId: ID!, $first: Int) { recommend(userId: $userId, first: $first) { items { score product { id title } } } }';
const RECORD = 'mutation ($events: [EventInput!]!) { recordEvents(events: $events) { created } }';

const requested = (verdict: CostVerdict): number | undefined => (verdict.kind === 'unpriced' ? undefined : verdict.cost?.requested);

describe('the prices of a query text', () => {
  it('follow the page size and the number of events, whatever the other variables', () => {
    const pricer = queryPricer(schema, limits);
    const first = (size: number, userId = 'u-1') => requested(pricer.priceText({ query: RECOMMEND, variables: { userId, first: size } }));
    expect(first(10)).toBeLessThan(first(20) as number);
    expect(first(20, 'u-2')).toBe(first(20, 'u-1'));
    // A price reused after another size was priced in between is still that size's, as a fresh pricer finds.
    const fresh = queryPricer(schema, limits);
    expect(first(10, 'u-3')).toBe(requested(fresh.priceText({ query: RECOMMEND, variables: { userId: 'x', first: 10 } })));
    const events = (count: number) =>
      requested(pricer.priceText({ query: RECORD, variables: { events: Array.from({ length: count }, (_, i) => ({ id: `e${i}`, userId: 'u', productId: 'p', type: 'VIEW' })) } }));
    expect(events(3)).toBeLessThan(events(30) as number);
    expect(events(3)).toBe(events(3));
  });

  it('refuse a page too costly every time, and never reuse a refusal for a cheaper page', () => {
    const pricer = queryPricer(schema, { ...limits, maxCost: 500 });
    const verdict = (size: number) => pricer.priceText({ query: RECOMMEND, variables: { userId: 'u-1', first: size } }).kind;
    expect(verdict(100)).toBe('refused');
    expect(verdict(100)).toBe('refused');
    expect(verdict(1)).toBe('priced');
  });
});
