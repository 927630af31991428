import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { codeOf, startHarness, TOKENS, type GqlResponse, type Harness } from './harness.js';

/** Pin, boost and bury through the API, and what they do to recommend and search. */

let h: Harness;

interface Item {
  id: string;
  score: number;
  reasons: string[];
}

interface Rule {
  id: string;
  action: string;
  scope: string;
  productId: string;
  position: number | null;
  factor: number | null;
  categoryId: string | null;
  query: string | null;
  active: boolean;
  createdBy: string;
  product: { id: string } | null;
  category: { id: string } | null;
}

const RULE_FIELDS = 'id action scope productId position factor categoryId query active createdBy expiresAt product { id } category { id }';
const PIN = `mutation ($p: ID!, $position: Int!, $c: ID, $q: String, $expiresAt: DateTime) {
  pinProduct(productId: $p, position: $position, categoryId: $c, query: $q, expiresAt: $expiresAt) { ${RULE_FIELDS} } }`;
const BOOST = `mutation ($p: ID!, $factor: Float!, $c: ID, $q: String) { boostProduct(productId: $p, factor: $factor, categoryId: $c, query: $q) { ${RULE_FIELDS} } }`;
const BURY = `mutation ($p: ID!, $c: ID, $q: String) { buryProduct(productId: $p, categoryId: $c, query: $q) { ${RULE_FIELDS} } }`;
const REMOVE = 'mutation ($id: ID!) { removeRule(id: $id) }';
const RULES = `query ($c: ID, $q: String) { merchandisingRules(categoryId: $c, query: $q) { ${RULE_FIELDS} } }`;

const merchandiser = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => h.gql<T>(query, variables, TOKENS.merchandiser);

async function addRule(mutation: string, variables: Record<string, unknown>): Promise<Rule> {
  const response = await merchandiser<Record<string, Rule>>(mutation, variables);
  expect(response.errors).toBeUndefined();
  return Object.values(response.data ?? {})[0] as Rule;
}

async function removeRule(id: string): Promise<void> {
  expect((await merchandiser<{ removeRule: boolean }>(REMOVE, { id })).data?.removeRule).toBe(true);
}

const toItems = (items: Array<{ score: number; reasons: Array<{ kind: string }>; product: { id: string } }>): Item[] =>
  items.map((item) => ({ id: item.product.id, score: item.score, reasons: item.reasons.map((reason) => reason.kind) }));

async function recommend(first: number, categoryId?: string, userId = 'visitor'): Promise<Item[]> {
  const response = await h.gql<{ recommend: { items: Parameters<typeof toItems>[0] } }>(
    'query ($u: ID!, $first: Int, $filter: ProductFilter) { recommend(userId: $u, first: $first, filter: $filter) { items { score reasons { kind } product { id } } } }',
    { u: userId, first, filter: categoryId ? { categoryId } : null },
  );
  expect(response.errors).toBeUndefined();
  return toItems(response.data?.recommend.items ?? []);
}

async function search(query: string, first: number, categoryId?: string): Promise<Item[]> {
  const response = await h.gql<{ search: { items: Parameters<typeof toItems>[0] } }>(
    'query ($q: String!, $first: Int, $filter: ProductFilter) { search(query: $q, first: $first, filter: $filter) { items { score reasons { kind } product { id } } } }',
    { q: query, first, filter: categoryId ? { categoryId } : null },
  );
  expect(response.errors).toBeUndefined();
  return toItems(response.data?.search.items ?? []);
}

const ids = (items: Item[]) => items.map((item) => item.id);

function expectBadInput(response: GqlResponse<unknown>, field: string): void {
  expect(codeOf(response), JSON.stringify(response.errors)).toBe('BAD_USER_INPUT');
  expect(response.errors?.[0]?.extensions?.field).toBe(field);
}

/** Departments (root categories) of the demo shop, most products first, with every product of their subtree. */
let departments: Array<{ id: string; products: string[] }>;
/** The (leaf) category a product is in. */
let leafOf: (productId: string) => Promise<string>;

beforeAll(async () => {
  h = await startHarness();
  departments = await h.graph.read<{ id: string; products: string[] }>(
    `MATCH (d:Category) WHERE NOT (d)-[:SUBCATEGORY_OF]->()
     RETURN d.id AS id, COLLECT { MATCH (p:Product)-[:IN_CATEGORY]->(:Category)-[:SUBCATEGORY_OF*0..]->(d) RETURN p.id } AS products
     ORDER BY size(products) DESC, id`,
  );
  leafOf = async (productId) => {
    const [row] = await h.graph.read<{ id: string }>('MATCH (:Product {id: $id})-[:IN_CATEGORY]->(c:Category) RETURN c.id AS id', { id: productId });
    return row?.id as string;
  };
});

// Tests remove their rules; this only keeps a failed test from leaving rules behind for the next one.
afterEach(async () => {
  await h.graph.write('MATCH (r:MerchRule) DELETE r');
  h.server.ranker.invalidateRules?.();
});

afterAll(async () => {
  await h?.stop();
});

describe('rules in recommend', () => {
  it('a pin places its product in the category and the categories below it, and inserts one the ranking left out', async () => {
    const department = departments[0] as { id: string; products: string[] };
    const unfiltered = await recommend(10);
    const before = await recommend(30, department.id);
    const target = before[9]?.id as string;
    const pin = await addRule(PIN, { p: target, position: 1, c: department.id });
    expect(pin).toMatchObject({ action: 'PIN', scope: 'CATEGORY', position: 1, categoryId: department.id, product: { id: target }, active: true });
    expect(pin.createdBy).toMatch(/^api:merchandiser:/);

    const after = await recommend(30, department.id);
    expect(after[0]?.id).toBe(target);
    expect(after[0]?.reasons[0]).toBe('PINNED');
    expect(ids(after).slice(1, 10)).toEqual(ids(before).slice(0, 9));
    // A subcategory's requests see their ancestors' rules.
    expect((await recommend(5, await leafOf(target)))[0]?.id).toBe(target);
    // Without a category filter, category rules do not apply.
    expect(await recommend(10)).toEqual(unfiltered);

    // A product of the department the ranking did not pick is inserted at its position.
    const outsider = department.products.find((id) => !ids(before).includes(id)) as string;
    const inserted = await addRule(PIN, { p: outsider, position: 3, c: department.id });
    const page = await recommend(5, department.id);
    expect(ids(page)).toHaveLength(5);
    expect(page[2]?.id).toBe(outsider);
    // A pinned product outside the filter is not shown.
    const foreign = (departments[1] as { products: string[] }).products[0] as string;
    const foreignPin = await addRule(PIN, { p: foreign, position: 2, c: department.id });
    expect(ids(await recommend(30, department.id))).not.toContain(foreign);

    for (const rule of [pin, inserted, foreignPin]) await removeRule(rule.id);
    expect(await recommend(30, department.id)).toEqual(before);
  });

  it('a boost divides the place by the factor and lifts the product, keeping its score', async () => {
    const department = departments[1] as { id: string };
    const before = await recommend(20, department.id);
    const target = before[12] as Item;
    const boost = await addRule(BOOST, { p: target.id, factor: 100, c: department.id });
    expect(boost).toMatchObject({ action: 'BOOST', factor: 100 });
    const after = await recommend(20, department.id);
    expect(after[0]?.id).toBe(target.id);
    expect(after[0]?.reasons[0]).toBe('BOOSTED');
    expect(after[0]?.score).toBeCloseTo(target.score, 6);
    await removeRule(boost.id);
    // 13th place / 4 = 4th place (3.25 sorts after the 3rd).
    const gentle = await addRule(BOOST, { p: target.id, factor: 4, c: department.id });
    expect(gentle.factor).toBe(4);
    expect(ids(await recommend(20, department.id)).indexOf(target.id)).toBe(3);
    await removeRule(gentle.id);
  });

  it('a bury pushes the product off a full page, and to the end of a list it cannot fill', async () => {
    const department = departments[2] as { id: string; products: string[] };
    const before = await recommend(5, department.id);
    const top = before[0]?.id as string;
    // With a bury the ranker ranks one candidate more (diversity picks a page of 6 from a larger pool): the
    // page is that ranking without the buried product.
    const ranked = ids(await recommend(6, department.id));
    expect(ranked[0]).toBe(top);
    const bury = await addRule(BURY, { p: top, c: department.id });
    const page = await recommend(5, department.id);
    expect(ids(page)).not.toContain(top);
    expect(ids(page)).toEqual(ranked.slice(1));
    const all = await recommend(100, department.id);
    expect(all.length).toBeLessThan(100);
    expect(all[all.length - 1]?.id).toBe(top);
    await removeRule(bury.id);
  });

  it('applying cached rules costs no query', async () => {
    const department = departments[0] as { id: string };
    const rule = await addRule(BURY, { p: (departments[0] as { products: string[] }).products[0], c: department.id });
    await recommend(20, department.id); // loads the rules again after the change
    const before = h.graph.queryCount;
    await recommend(20, department.id);
    // The user's behaviour and one batch of products, as without rules.
    expect(h.graph.queryCount - before).toBeLessThanOrEqual(2);
    await removeRule(rule.id);
  });
});

describe('rules in search', () => {
  /** A word of the demo vocabulary that matches more than a page of products. */
  let word: string;
  beforeAll(async () => {
    const titles = await h.graph.read<{ title: string }>('MATCH (p:Product) RETURN p.title AS title');
    const counts = new Map<string, number>();
    for (const { title } of titles) for (const term of new Set(title.toLowerCase().split(/\W+/))) if (term.length > 3) counts.set(term, (counts.get(term) ?? 0) + 1);
    word = [...counts].filter(([, count]) => count >= 15 && count <= 60).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] as string;
    expect(word).toBeTruthy();
  });

  it('query rules match the normalised text: bury, boost and pin, even a product that does not match', async () => {
    const before = await search(word, 10);
    expect(before).toHaveLength(10);
    const bury = await addRule(BURY, { p: before[0]?.id, q: `  ${word.toUpperCase()}  ` });
    expect(bury).toMatchObject({ scope: 'QUERY', query: word });
    const boost = await addRule(BOOST, { p: before[6]?.id, factor: 50, q: word });
    const matches = new Set(ids(await search(word, 100)));
    const stranger = departments.flatMap((d) => d.products).find((id) => !matches.has(id)) as string;
    const pin = await addRule(PIN, { p: stranger, position: 1, q: word });

    const after = await search(` ${word}   `, 10);
    expect(ids(after)).not.toContain(before[0]?.id);
    expect(after[0]?.id).toBe(stranger);
    expect(after[0]?.reasons[0]).toBe('PINNED');
    expect(after[1]?.id).toBe(before[6]?.id);
    expect(after[1]?.reasons[0]).toBe('BOOSTED');
    // Another query is untouched.
    expect(ids(await search(`${word} x`, 10))).not.toContain(stranger);

    for (const rule of [bury, boost, pin]) await removeRule(rule.id);
    expect(await search(word, 10)).toEqual(before);
  });

  it('category rules apply to searches filtered by the category', async () => {
    const department = departments[0] as { id: string; products: string[] };
    const before = await search(word, 10, department.id);
    const pinned = department.products.find((id) => !ids(before).includes(id)) as string;
    const rule = await addRule(PIN, { p: pinned, position: 1, c: department.id });
    expect((await search(word, 10, department.id))[0]?.id).toBe(pinned);
    expect(ids(await search(word, 10))).not.toContain(pinned);
    await removeRule(rule.id);
  });
});

describe('managing rules', () => {
  it('lists the rules that apply to a category (its ancestors included) or a query; one rule per product and target', async () => {
    const department = departments[0] as { id: string; products: string[] };
    const product = department.products[0] as string;
    const leaf = await leafOf(product);
    const pin = await addRule(PIN, { p: product, position: 2, c: department.id });
    const onLeaf = await addRule(BOOST, { p: product, factor: 2, c: leaf });
    const onQuery = await addRule(BURY, { p: product, q: 'Garden  Hose' });
    // A second rule for the same product and target replaces the first.
    const replacing = await addRule(BURY, { p: product, c: department.id });

    const forLeaf = await merchandiser<{ merchandisingRules: Rule[] }>(RULES, { c: leaf });
    expect(forLeaf.data?.merchandisingRules.map((rule) => rule.id).sort()).toEqual([onLeaf.id, replacing.id].sort());
    const forQuery = await merchandiser<{ merchandisingRules: Rule[] }>(RULES, { q: 'garden hose ' });
    expect(forQuery.data?.merchandisingRules.map((rule) => rule.id)).toEqual([onQuery.id]);
    const all = await merchandiser<{ merchandisingRules: Rule[] }>(RULES);
    expect(all.data?.merchandisingRules.map((rule) => rule.id)).not.toContain(pin.id);

    const [entry] = (await merchandiser<{ auditLog: { nodes: Array<{ action: string; summary: string }> } }>(
      'query ($id: ID) { auditLog(entityId: $id) { nodes { action summary } } }',
      { id: replacing.id },
    )).data?.auditLog.nodes ?? [];
    expect(entry?.action).toBe('bury');
    expect(JSON.parse(entry?.summary ?? '{}').replaced).toEqual([expect.objectContaining({ id: pin.id, action: 'pin', position: 2 })]);

    for (const rule of [onLeaf, onQuery, replacing]) await removeRule(rule.id);
    expect((await merchandiser<{ removeRule: boolean }>(REMOVE, { id: replacing.id })).data?.removeRule).toBe(false);
  });

  it('a rule stops applying when it expires', async () => {
    const department = departments[1] as { id: string };
    const before = await recommend(5, department.id);
    const target = before[4]?.id as string;
    // Long enough that a busy machine still serves the pinned list before the rule expires.
    const expiresAt = Date.now() + 6_000;
    const rule = await addRule(PIN, { p: target, position: 1, c: department.id, expiresAt: new Date(expiresAt).toISOString() });
    expect((await recommend(5, department.id))[0]?.id).toBe(target);
    // Polled until the pin is gone, which must not be before it expires.
    await vi.waitFor(async () => expect(await recommend(5, department.id)).toEqual(before), { timeout: 30_000, interval: 100 });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    const listed = await merchandiser<{ merchandisingRules: Rule[] }>(RULES, { c: department.id });
    expect(listed.data?.merchandisingRules.find((entry) => entry.id === rule.id)?.active).toBe(false);
    await removeRule(rule.id);
  });

  it('refuses bad rules naming the field, writing nothing', async () => {
    const department = departments[0] as { id: string; products: string[] };
    const product = department.products[0] as string;
    const count = async () => JSON.stringify(await h.graph.read('MATCH (n) WHERE n:MerchRule OR n:AuditEntry RETURN count(n) AS n'));
    const before = await count();
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [PIN, { p: 'no-such-product', position: 1, c: department.id }, 'productId'],
      [PIN, { p: '  ', position: 1, c: department.id }, 'productId'],
      [PIN, { p: product, position: 0, c: department.id }, 'position'],
      [PIN, { p: product, position: h.api.maxFirst + 1, c: department.id }, 'position'],
      [PIN, { p: product, position: 1 }, 'categoryId'],
      [PIN, { p: product, position: 1, c: department.id, q: 'shoes' }, 'query'],
      [PIN, { p: product, position: 1, c: 'no-such-category' }, 'categoryId'],
      [PIN, { p: product, position: 1, q: '   ' }, 'query'],
      [PIN, { p: product, position: 1, c: department.id, expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      [BOOST, { p: product, factor: 1, c: department.id }, 'factor'],
      [BOOST, { p: product, factor: 0.5, c: department.id }, 'factor'],
      [BOOST, { p: product, factor: 1000, c: department.id }, 'factor'],
      [BURY, { p: product }, 'categoryId'],
    ];
    for (const [mutation, variables, field] of cases) expectBadInput(await merchandiser(mutation, variables), field);
    expect(await count()).toBe(before);
  });

  it('needs the merchandiser role to read or change rules', async () => {
    expect(codeOf(await h.gql(RULES))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(RULES, {}, TOKENS.frontend))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(BURY, { p: 'p-00001', q: 'x' }, TOKENS.frontend))).toBe('FORBIDDEN');
    expect((await h.gql(RULES, {}, TOKENS.admin)).errors).toBeUndefined();
  });
});
