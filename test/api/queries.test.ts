import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECOMMEND_SIGNALS } from '../../src/ranking/fusionWeights.js';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/**
 * The API's read side on the demo shop as `kgrec serve` serves it (the fused ranker with a trained model):
 * every query, filters, explanations, and the cost in Neo4j queries. The popularity ranker has its own
 * tests (test/ranking/popularityRanker.test.ts).
 */

let h: Harness;

interface Item {
  score: number;
  reasons: Array<{ kind: string; text: string; path: string[] | null }>;
  breakdown: Array<{ name: string; value: number; weight: number; contribution: number }>;
  product: { id: string; price: number | null; inStock: boolean; brand: { id: string } | null; category: { id: string; path: Array<{ id: string }> } | null };
}
interface List {
  strategy: string;
  modelVersion: string | null;
  items: Item[];
}

const ITEM_FIELDS = `score reasons { kind text path } breakdown { name value weight contribution }
  product { id price inStock brand { id } category { id path { id } } }`;

const RECOMMEND = `query ($userId: ID!, $first: Int, $filter: ProductFilter, $explain: Boolean, $unseenOnly: Boolean) {
  recommend(userId: $userId, first: $first, filter: $filter, explain: $explain, unseenOnly: $unseenOnly) { strategy modelVersion items { ${ITEM_FIELDS} } }
}`;

/** With a role token: personal reasons name the user's history, shown only to callers allowed to see it. */
async function recommend(variables: Record<string, unknown>): Promise<List> {
  const response = await h.gql<{ recommend: List }>(RECOMMEND, variables, TOKENS.frontend);
  expect(response.errors).toBeUndefined();
  return response.data?.recommend as List;
}

/** A user of the demo shop with purchases, and what they bought. */
async function buyer(): Promise<{ userId: string; bought: string[] }> {
  const [row] = await h.graph.read<{ userId: string; bought: string[] }>(
    'MATCH (u:User)-[:PURCHASED]->(p:Product) WITH u, collect(p.id) AS bought ORDER BY size(bought) DESC, u.id LIMIT 1 RETURN u.id AS userId, bought',
  );
  if (!row) throw new Error('the demo shop has no purchases');
  return row;
}

const descending = (scores: number[]): boolean => scores.every((score, i) => i === 0 || (scores[i - 1] as number) >= score);

/** The fused score is the sum of the breakdown's contributions (float32 arithmetic: a few digits). */
function expectBreakdownAddsUp(item: Item): void {
  const sum = item.breakdown.reduce((total, component) => total + component.contribution, 0);
  expect(sum).toBeCloseTo(item.score, 4);
  for (const component of item.breakdown) expect(component.contribution).toBeCloseTo(component.value * component.weight, 9);
}

/** Reasons that come from the user's own graph carry a path that starts at the user. */
const personalReasons = (item: Item, userId: string) => item.reasons.filter((reason) => reason.path?.[0] === `User:${userId}`);

beforeAll(async () => {
  // The catalogue watch polls the same connection; rarely, so that its reads stay out of the queries counted here.
  h = await startHarness({ api: { cataloguePollMs: 600_000 } });
});

afterAll(async () => {
  await h?.stop();
});

describe('recommend', () => {
  it('leaves out every product the user met with unseenOnly, and only what they bought without it', async () => {
    // Users whose page of 100 holds products they viewed, clicked or carted: the option must change something.
    const users = await h.graph.read<{ userId: string; seen: string[]; bought: string[] }>(
      `MATCH (u:User)-[r:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->(p:Product)
       WITH u, collect(DISTINCT p.id) AS seen, collect(CASE WHEN type(r) = 'PURCHASED' THEN p.id END) AS bought
       WHERE size(seen) >= 5 RETURN u.id AS userId, seen, bought ORDER BY size(seen) DESC, u.id LIMIT 5`,
    );
    expect(users.length).toBeGreaterThan(0);
    let seenOnDefaultPages = 0;
    for (const { userId, seen, bought } of users) {
      const plain = (await recommend({ userId, first: 100 })).items.map((item) => item.product.id);
      expect(plain.filter((id) => bought.includes(id))).toEqual([]);
      seenOnDefaultPages += plain.filter((id) => seen.includes(id)).length;
      const unseen = await recommend({ userId, first: 100, unseenOnly: true });
      expect(unseen.items).toHaveLength(100);
      expect(unseen.items.map((item) => item.product.id).filter((id) => seen.includes(id))).toEqual([]);
    }
    expect(seenOnDefaultPages).toBeGreaterThan(0);
  });

  it('ranks a user it has never seen by what is the same for everyone: popularity and recency', async () => {
    const ranked = await recommend({ userId: 'visitor-never-seen', first: 10, explain: true });
    expect(ranked.strategy).toBe('popularity');
    expect(ranked.modelVersion).toBe(h.modelVersion);
    expect(ranked.items).toHaveLength(10);
    for (const item of ranked.items) {
      expectBreakdownAddsUp(item);
      expect(item.breakdown.map((component) => component.name).sort()).toEqual(['popularity', 'recency']);
      // Nothing places the visitor in the graph: every item is explained by its popularity.
      expect(item.reasons.map((reason) => reason.kind)).toEqual(['POPULAR']);
    }
    // Nothing personal: another visitor gets the same list.
    expect((await recommend({ userId: 'another-visitor', first: 10, explain: true })).items).toEqual(ranked.items);
    // Diversity reorders the page, but the best product overall leads it.
    const scores = ranked.items.map((item) => item.score);
    expect(scores[0]).toBe(Math.max(...scores));
  });

  it('personalises a known user with the trained model, leaving out what they bought, with reasons from their graph', async () => {
    const { userId, bought } = await buyer();
    const ranked = await recommend({ userId, first: 100, explain: true });
    expect(ranked.strategy).toBe('fused');
    expect(ranked.modelVersion).toBe(h.modelVersion);
    expect(ranked.items.length).toBe(100);
    const ids = ranked.items.map((item) => item.product.id);
    expect(ids.filter((id) => bought.includes(id))).toEqual([]);
    const signals = new Set<string>();
    for (const item of ranked.items) {
      expectBreakdownAddsUp(item);
      for (const component of item.breakdown) signals.add(component.name);
    }
    // The model places the user (graph), their baskets and categories count: signals a visitor has none of.
    expect([...signals].every((name) => (RECOMMEND_SIGNALS as readonly string[]).includes(name))).toBe(true);
    expect(signals).toContain('graph');
    expect(signals).toContain('category');
    const visitor = await recommend({ userId: 'visitor-never-seen', first: 100 });
    expect(ids).not.toEqual(visitor.items.map((item) => item.product.id));
    // Reasons walk the user's own graph: a product of theirs, a category they shop in, an attribute they share.
    const personal = ranked.items.flatMap((item) => personalReasons(item, userId));
    expect(personal.length).toBeGreaterThan(0);
    expect(personal.every((reason) => /^(BOUGHT_TOGETHER|RELATED|GRAPH_NEIGHBOUR|CATEGORY_AFFINITY|SHARED_ENTITY)$/.test(reason.kind))).toBe(true);
    expect(personal.some((reason) => /, which you (viewed|bought|looked at|put in your cart)$|often bought with it$/.test(reason.text))).toBe(true);

  });

  it('honours every part of the filter', async () => {
    const [root] = await h.graph.read<{ id: string }>('MATCH (c:Category) WHERE NOT (c)-[:SUBCATEGORY_OF]->() RETURN c.id AS id ORDER BY id LIMIT 1');
    const byCategory = await recommend({ userId: 'u-0001', first: 20, filter: { categoryId: root?.id } });
    expect(byCategory.items.length).toBeGreaterThan(0);
    expect(byCategory.items.every((item) => item.product.category?.path[0]?.id === root?.id)).toBe(true);

    const brands = [...new Set(byCategory.items.map((item) => item.product.brand?.id))].slice(0, 2);
    const byBrand = await recommend({ userId: 'u-0001', first: 20, filter: { brandIds: brands } });
    expect(byBrand.items.length).toBeGreaterThan(0);
    expect(byBrand.items.every((item) => brands.includes(item.product.brand?.id))).toBe(true);

    const byPrice = await recommend({ userId: 'u-0001', first: 50, filter: { minPrice: 20, maxPrice: 60, inStockOnly: true } });
    expect(byPrice.items.length).toBeGreaterThan(0);
    expect(byPrice.items.every((item) => item.product.price !== null && item.product.price >= 20 && item.product.price <= 60 && item.product.inStock)).toBe(true);

    const none = await recommend({ userId: 'u-0001', first: 5, filter: { categoryId: 'no-such-category' } });
    expect(none.items).toEqual([]);
  });

  it('refuses first outside 1..100 and inverted price ranges, naming the argument', async () => {
    for (const first of [0, 101]) {
      const response = await h.gql(RECOMMEND, { userId: 'u-0001', first });
      expect(codeOf(response)).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe('first');
    }
    const inverted = await h.gql(RECOMMEND, { userId: 'u-0001', filter: { minPrice: 50, maxPrice: 10 } });
    expect(inverted.errors?.[0]?.extensions?.field).toBe('filter.maxPrice');
  });

  it('costs a constant number of Neo4j queries, however many items with nested product, category and brand', async () => {
    const query = (first: number) => `{ recommend(userId: "u-0002", first: ${first}) { items { score product { id title category { name path { name } } brand { name } } } } }`;
    const cost = async (first: number): Promise<number> => {
      const before = h.graph.queryCount;
      const response = await h.gql<{ recommend: { items: unknown[] } }>(query(first), {}, TOKENS.frontend);
      expect(response.data?.recommend.items).toHaveLength(first);
      return h.graph.queryCount - before;
    };
    await cost(50); // loads the ranking state and the products
    // The user's behaviour; the ranking state is in memory, and the products (which bring their category path
    // and brand along) were read by the first request and are shared for a few seconds (KGREC_API_ENTITY_CACHE_SECONDS).
    expect(await cost(50)).toBeLessThanOrEqual(1);

    // A reload of the ranking state reads the catalogue in bulk: as many queries for 5 items as for 50.
    const cold = async (first: number): Promise<number> => {
      h.server.ranker.invalidate();
      return cost(first);
    };
    const forFive = await cold(5);
    expect(forFive).toBeGreaterThan(1);
    // At most one more: the larger page's products in one batch, when the shared rows have expired meanwhile.
    expect(await cold(50)).toBeLessThanOrEqual(forFive + 1);
  });
});

describe('search', () => {
  const SEARCH = `query ($query: String!, $userId: ID, $first: Int, $filter: ProductFilter, $explain: Boolean) {
    search(query: $query, userId: $userId, first: $first, filter: $filter, explain: $explain) { strategy items { ${ITEM_FIELDS} product { title description } } }
  }`;
  type SearchList = { strategy: string; items: Array<Item & { product: { title: string; description: string | null } }> };

  it('finds products by their text: matches first, each explained, with a breakdown that adds up', async () => {
    const [sample] = await h.graph.read<{ title: string }>('MATCH (p:Product) RETURN p.title AS title ORDER BY p.id LIMIT 1');
    const word = (sample?.title ?? '').split(' ').slice(1, 3).join(' ').toLowerCase();
    const response = await h.gql<{ search: SearchList }>(SEARCH, { query: word, first: 10, explain: true });
    expect(response.errors).toBeUndefined();
    const list = response.data?.search as SearchList;
    expect(list.strategy).toBe('fused-search');
    expect(list.items.length).toBeGreaterThan(0);
    const terms = word.split(' ');
    const matches = (item: SearchList['items'][number]) => {
      const text = `${item.product.title} ${item.product.description ?? ''}`.toLowerCase();
      return terms.some((term) => text.includes(term));
    };
    const lexical = (item: SearchList['items'][number]) => item.breakdown.find((component) => component.name === 'lexical')?.value ?? 0;
    // The text leads: the best match heads the page.
    expect(lexical(list.items[0] as SearchList['items'][number])).toBe(1);
    for (const item of list.items) {
      expectBreakdownAddsUp(item);
      // A full-text match contains the words and says so; a product found through the graph's term vectors
      // says what it is related to.
      if (lexical(item) > 0) expect(matches(item)).toBe(true);
      expect(item.reasons[0]?.kind).toBe(lexical(item) > 0 ? 'TEXT_MATCH' : 'SEMANTIC_MATCH');
    }
  });

  it('treats Lucene syntax in the text as words, never as a query', async () => {
    for (const query of ['head(phones', 'wireless AND "speaker', 'title:* ~2 [a TO z]', 'a\\', '!!! &&', '/regex/', '-*']) {
      const response = await h.gql<{ search: SearchList }>(SEARCH, { query });
      expect(response.errors, query).toBeUndefined();
    }
  });

  it('personalises when given a user, and honours the filter', async () => {
    const response = await h.gql<{ search: SearchList }>(SEARCH, { query: 'wireless', userId: 'u-0003', explain: true, filter: { inStockOnly: true, maxPrice: 200 } });
    expect(response.errors).toBeUndefined();
    const items = response.data?.search.items ?? [];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.product.inStock && (item.product.price ?? 0) <= 200)).toBe(true);
    // The user's place in the trained graph orders the text matches.
    expect(items[0]?.breakdown.map((component) => component.name)).toEqual(expect.arrayContaining(['graph', 'lexical']));
  });

  it('refuses empty text', async () => {
    const response = await h.gql(SEARCH, { query: '   ' });
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('query');
  });
});

describe('similarProducts', () => {
  const SIMILAR = `query ($id: ID!, $first: Int) { similarProducts(productId: $id, first: $first) { strategy modelVersion items { ${ITEM_FIELDS} } } }`;

  it("ranks neighbours in the active model's space, with co-purchases, naming the model", async () => {
    const [product] = await h.graph.read<{ id: string; categoryId: string }>(
      'MATCH (p:Product)-[:IN_CATEGORY]->(c:Category) RETURN p.id AS id, c.id AS categoryId ORDER BY p.id LIMIT 1',
    );
    const response = await h.gql<{ similarProducts: List }>(SIMILAR, { id: product?.id, first: 5 });
    expect(response.errors).toBeUndefined();
    const list = response.data?.similarProducts as List;
    expect(list.strategy).toBe('embedding');
    expect(list.modelVersion).toBe(h.modelVersion);
    expect(list.items).toHaveLength(5);
    expect(list.items.map((item) => item.product.id)).not.toContain(product?.id);
    for (const item of list.items) {
      const kinds = item.reasons.map((reason) => reason.kind);
      expect(kinds).toContain('SIMILAR');
      expect(kinds.includes('SAME_CATEGORY')).toBe(item.product.category?.id === product?.categoryId);
    }
  });

  it('answers NOT_FOUND for an unknown product', async () => {
    const response = await h.gql(SIMILAR, { id: 'no-such-product' });
    expect(codeOf(response)).toBe('NOT_FOUND');
  });
});

describe('catalogue reads', () => {
  it('product: fields, category path, brand and merchandiser relations; null when unknown', async () => {
    const [related] = await h.graph.read<{ from: string; to: string; type: string }>(
      'MATCH (a:Product)-[r:COMPLEMENTS|SUBSTITUTES|ACCESSORY_OF]->(b:Product) RETURN a.id AS from, b.id AS to, type(r) AS type ORDER BY a.id LIMIT 1',
    );
    const response = await h.gql<{ product: Record<string, unknown> & { relations: Array<{ type: string; product: { id: string }; from: { id: string } }> }; missing: null }>(
      `query ($id: ID!) {
        product(id: $id) { id title description price currency inStock createdAt
          category { id name path { id } parent { id } } brand { id name }
          relations { type weight updatedBy from { id } product { id } } }
        missing: product(id: "no-such-product") { id }
      }`,
      { id: related?.from },
    );
    expect(response.errors).toBeUndefined();
    const product = response.data?.product;
    expect(product?.id).toBe(related?.from);
    expect(typeof product?.title).toBe('string');
    expect(product?.currency).toBe('EUR');
    expect(product?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(product?.relations).toContainEqual(expect.objectContaining({ type: related?.type, product: { id: related?.to }, from: { id: related?.from } }));
    expect(response.data?.missing).toBeNull();
  });

  it('products: pages through a filter with cursors, and takes ids', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const response: Awaited<ReturnType<typeof h.gql<{ products: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>>> =
        await h.gql(
          `query ($after: String) { products(first: 7, after: $after, filter: { inStockOnly: true, maxPrice: 100 }) {
            nodes { id } edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
      expect(response.errors).toBeUndefined();
      const connection = response.data?.products;
      seen.push(...(connection?.nodes.map((node) => node.id) ?? []));
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    const [expected] = await h.graph.read<{ ids: string[] }>(
      'MATCH (p:Product) WHERE coalesce(p.inStock, true) AND p.price <= 100 WITH p ORDER BY p.id RETURN collect(p.id) AS ids',
    );
    expect(seen).toEqual(expected?.ids);

    const byIds = await h.gql<{ products: { nodes: Array<{ id: string }> } }>('{ products(ids: ["p-00003", "p-00001", "nope"]) { nodes { id } } }');
    expect(byIds.data?.products.nodes.map((node) => node.id)).toEqual(['p-00001', 'p-00003']);

    const badCursor = await h.gql('{ products(after: "garbage") { nodes { id } } }');
    expect(codeOf(badCursor)).toBe('BAD_USER_INPUT');
    expect(badCursor.errors?.[0]?.extensions?.field).toBe('after');
  });

  it('category and categories: the tree with parents, paths and children', async () => {
    const all = await h.gql<{ categories: Array<{ id: string; parent: { id: string } | null; path: Array<{ id: string }> }> }>(
      '{ categories { id parent { id } path { id } } }',
    );
    const [count] = await h.graph.read<{ n: number }>('MATCH (c:Category) RETURN count(c) AS n');
    expect(all.data?.categories).toHaveLength(count?.n ?? -1);
    const leaf = all.data?.categories.find((category) => category.path.length === 3);
    expect(leaf?.parent?.id).toBe(leaf?.path[1]?.id);

    const response = await h.gql<{ category: { name: string; parent: { id: string }; children: Array<{ id: string; path: Array<{ id: string }> }> } | null }>(
      'query ($id: ID!) { category(id: $id) { name parent { id } children { id path { id } } } none: category(id: "nope") { id } }',
      { id: leaf?.path[1]?.id },
    );
    expect(response.data?.category?.parent.id).toBe(leaf?.path[0]?.id);
    expect(response.data?.category?.children.map((child) => child.id)).toContain(leaf?.id);
    expect(response.data?.category?.children[0]?.path.map((entry) => entry.id).slice(0, 2)).toEqual(leaf?.path.slice(0, 2).map((entry) => entry.id));
  });

  it('user: recent behaviours, newest first, by type; null when unknown', async () => {
    const { userId } = await buyer();
    const response = await h.gql<{ user: { id: string; behaviours: Array<{ type: string; count: number; lastAt: string; product: { id: string } }>; purchases: Array<{ type: string }> }; none: null }>(
      `query ($id: ID!) { user(id: $id) { id behaviours(first: 10) { type count quantity firstAt lastAt product { id } }
        purchases: behaviours(type: PURCHASE) { type } } none: user(id: "nobody") { id } }`,
      { id: userId },
      TOKENS.frontend,
    );
    expect(response.errors).toBeUndefined();
    const behaviours = response.data?.user.behaviours ?? [];
    expect(behaviours.length).toBeGreaterThan(0);
    expect(behaviours.length).toBeLessThanOrEqual(10);
    const times = behaviours.map((behaviour) => Date.parse(behaviour.lastAt));
    expect(descending(times)).toBe(true);
    expect(response.data?.user.purchases.every((behaviour) => behaviour.type === 'PURCHASE')).toBe(true);
    expect(response.data?.user.purchases.length).toBeGreaterThan(0);
    expect(response.data?.none).toBeNull();
  });
});
