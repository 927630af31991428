import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentPoint, variantFor } from '../../src/domain/experiments.js';
import { runTrainingJob } from '../../src/jobs/train.js';
import { codeOf, SMALL_MODEL, startHarness, TOKENS, type Harness } from './harness.js';

/**
 * A variant's model version, fusion weights and rule set, through the API: each changes the lists of that
 * variant's shoppers and leaves the control's as the serving ranker makes them; bad settings are refused
 * naming the field, and experiments needing more variant rankers than are kept are refused at start.
 */

let h: Harness;
/** A second model version in the models folder, trained with another seed and never activated. */
let otherVersion: string;

const SHOP = { products: 120, users: 60, events: 3000, seed: 11 };

const CREATE = 'mutation ($input: ExperimentInput!) { createExperiment(input: $input) { id variants { name share modelVersion ruleSet fusionWeights { signal weight } } } }';
const START = 'mutation ($id: ID!) { startExperiment(id: $id) { state } }';
const STOP = 'mutation ($id: ID!) { stopExperiment(id: $id) { state } }';
const RECOMMEND = `query ($userId: ID!, $categoryId: ID) {
  recommend(userId: $userId, first: 8, filter: { categoryId: $categoryId }) { servedId modelVersion items { product { id } reasons { kind } } } }`;
const PIN = 'mutation ($p: ID!, $c: ID!, $set: String) { pinProduct(productId: $p, position: 1, categoryId: $c, ruleSet: $set) { id ruleSet } }';

interface Variant {
  name: string;
  share: number;
}
interface Served {
  servedId: string;
  modelVersion: string | null;
  items: Array<{ product: { id: string }; reasons: Array<{ kind: string }> }>;
}

const merchandiser = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>) => h.gql<T>(query, variables, TOKENS.merchandiser);

async function create(variants: Record<string, unknown>[]): Promise<{ id: string; variants: Variant[] }> {
  const response = await merchandiser<{ createExperiment: { id: string; variants: Variant[] } }>(CREATE, { input: { name: 'overrides', variants } });
  expect(response.errors).toBeUndefined();
  return response.data?.createExperiment as { id: string; variants: Variant[] };
}

async function recommend(userId: string, categoryId?: string): Promise<Served> {
  const response = await h.gql<{ recommend: Served }>(RECOMMEND, { userId, categoryId: categoryId ?? null }, TOKENS.frontend);
  expect(response.errors).toBeUndefined();
  return response.data?.recommend as Served;
}

const ids = (served: Served): string[] => served.items.map((item) => item.product.id);
/** The products a rule pinned (reason PINNED). */
const pinned = (served: Served): string[] => served.items.filter((item) => item.reasons.some((reason) => reason.kind === 'PINNED')).map((item) => item.product.id);

/** A shopper with a history whom the experiment puts in each variant, by the same hash the API uses. */
function shopperPerVariant(experiment: { id: string; variants: Variant[] }): Map<string, string> {
  const chosen = new Map<string, string>();
  for (let index = 1; index <= SHOP.users && chosen.size < experiment.variants.length; index += 1) {
    const userId = `u-${String(index).padStart(4, '0')}`;
    const variant = variantFor(experiment.variants, assignmentPoint(experiment.id, userId)).name;
    if (!chosen.has(variant)) chosen.set(variant, userId);
  }
  expect(chosen.size).toBe(experiment.variants.length);
  return chosen;
}

/** Polls the exposure log until the list is written, and gives its variant. */
async function loggedVariant(servedId: string): Promise<string | null> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await h.graph.read<{ variant: string | null }>('MATCH (s:ServedList {id: $servedId}) RETURN s.variant AS variant', { servedId });
    if (row) return row.variant;
    if (Date.now() > deadline) throw new Error(`served list ${servedId} was never written`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Serves each variant's shopper before and during the experiment: the control's list stays the default,
 * every other variant's differs from it, and each list is logged with its variant. Returns the lists served.
 */
async function servedPerVariant(variants: Record<string, unknown>[], categoryId?: string): Promise<Map<string, { before: Served; during: Served }>> {
  const experiment = await create(variants);
  const shoppers = shopperPerVariant(experiment);
  const before = new Map<string, Served>();
  for (const [variant, userId] of shoppers) before.set(variant, await recommend(userId, categoryId));
  expect(codeOf(await merchandiser(START, { id: experiment.id }))).toBeUndefined();
  const lists = new Map<string, { before: Served; during: Served }>();
  for (const [variant, userId] of shoppers) {
    const during = await recommend(userId, categoryId);
    expect(await loggedVariant(during.servedId)).toBe(variant);
    lists.set(variant, { before: before.get(variant) as Served, during });
  }
  expect(codeOf(await merchandiser(STOP, { id: experiment.id }))).toBeUndefined();
  const control = lists.get('control');
  expect(ids(control?.during as Served)).toEqual(ids(control?.before as Served));
  return lists;
}

beforeAll(async () => {
  h = await startHarness({ shop: SHOP, api: { servedFlushMs: 20 } });
  ({ version: otherVersion } = await runTrainingJob({
    source: { kind: 'graph', graph: h.graph, config: h.config },
    hyperparameters: [{ ...SMALL_MODEL, seed: 2 }],
    modelsDir: h.api.modelsDir,
    engine: 'cpu',
    evalEvery: 0,
    holdout: { valid: 0.02, test: 0.02 },
  }));
});

afterAll(async () => {
  await h?.stop();
});

describe('variant overrides', () => {
  it('are refused naming the field: an unknown model version, settings a strategy has no use for, a reserved rule set', async () => {
    const unknown = await merchandiser(CREATE, { input: { name: 'x', variants: [{ name: 'control', share: 0.5 }, { name: 'old', share: 0.5, modelVersion: 'v-never-saved' }] } });
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors?.[0]?.extensions?.field).toBe('input.variants[1].modelVersion');
    const popular = await merchandiser(CREATE, {
      input: { name: 'x', variants: [{ name: 'control', share: 0.5 }, { name: 'p', share: 0.5, strategy: 'POPULARITY', fusionWeights: { graph: 1 } }] },
    });
    expect(popular.errors?.[0]?.extensions?.field).toBe('input.variants[1].fusionWeights');
    const noWeights = await merchandiser(CREATE, { input: { name: 'x', variants: [{ name: 'control', share: 0.5 }, { name: 'w', share: 0.5, fusionWeights: {} }] } });
    expect(noWeights.errors?.[0]?.extensions?.field).toBe('input.variants[1].fusionWeights');
    const heavy = await merchandiser(CREATE, { input: { name: 'x', variants: [{ name: 'control', share: 0.5 }, { name: 'w', share: 0.5, fusionWeights: { kg: 11 } }] } });
    expect(heavy.errors?.[0]?.extensions?.field).toBe('input.variants[1].fusionWeights.kg');
    const badSet = await merchandiser(CREATE, { input: { name: 'x', variants: [{ name: 'control', share: 0.5 }, { name: 'r', share: 0.5, ruleSet: 'Spring Sale' }] } });
    expect(badSet.errors?.[0]?.extensions?.field).toBe('input.variants[1].ruleSet');
    const reserved = await merchandiser(PIN, { p: 'p-00001', c: 'c-001', set: 'none' });
    expect(reserved.errors?.[0]?.extensions?.field).toBe('ruleSet');
    const many = await merchandiser(CREATE, {
      input: {
        name: 'x',
        variants: [1, 2, 3, 4].map((weight) => ({ name: `w${weight}`, share: 0.25, fusionWeights: { popularity: weight } })),
      },
    });
    expect(many.errors?.[0]?.extensions?.field).toBe('input.variants');
  });

  it('rank a variant with another saved model version, and only that variant', async () => {
    const lists = await servedPerVariant([{ name: 'control', share: 0.5 }, { name: 'older', share: 0.5, modelVersion: otherVersion }]);
    expect(lists.get('control')?.during.modelVersion).toBe(h.modelVersion);
    const older = lists.get('older');
    expect(older?.during.modelVersion).toBe(otherVersion);
    expect(ids(older?.during as Served)).not.toEqual(ids(older?.before as Served));
  });

  it('rank a variant with its own fusion weights, and only that variant', async () => {
    const lists = await servedPerVariant([{ name: 'control', share: 0.5 }, { name: 'popular', share: 0.5, fusionWeights: { popularity: 10, graph: 0 } }]);
    const popular = lists.get('popular');
    expect(popular?.during.modelVersion).toBe(h.modelVersion);
    expect(ids(popular?.during as Served)).not.toEqual(ids(popular?.before as Served));
  });

  it('give a variant its rule set or no rules, while the control keeps the shop rules', async () => {
    // Two new products, which no shopper bought (a pin never shows a product to a shopper who bought it).
    const [category] = await h.graph.read<{ id: string }>('MATCH (:Product)-[:IN_CATEGORY]->(c:Category) RETURN DISTINCT c.id AS id ORDER BY id LIMIT 1');
    const [shopPick, springPick] = ['p-shop-pick', 'p-spring-pick'];
    for (const id of [shopPick, springPick]) {
      const added = await merchandiser('mutation ($input: ProductInput!) { upsertProduct(input: $input) { id } }', { input: { id, title: `New ${id}`, categoryId: category?.id } });
      expect(added.errors).toBeUndefined();
    }
    // A shop rule every list of the category gets, and a rule only the "spring" set has.
    expect((await merchandiser(PIN, { p: shopPick, c: category?.id, set: null })).errors).toBeUndefined();
    const spring = await merchandiser<{ pinProduct: { ruleSet: string } }>(PIN, { p: springPick, c: category?.id, set: 'spring' });
    expect(spring.data?.pinProduct.ruleSet).toBe('spring');
    const lists = await servedPerVariant(
      [
        { name: 'control', share: 0.34 },
        { name: 'spring', share: 0.33, ruleSet: 'spring' },
        { name: 'bare', share: 0.33, ruleSet: 'none' },
      ],
      category?.id,
    );
    expect(ids(lists.get('control')?.during as Served)[0]).toBe(shopPick);
    expect(ids(lists.get('control')?.during as Served)[0]).not.toBe(springPick);
    expect(ids(lists.get('spring')?.during as Served)[0]).toBe(springPick);
    const bare = lists.get('bare');
    expect(ids(bare?.before as Served)[0]).toBe(shopPick);
    expect(pinned(bare?.before as Served)).toEqual([shopPick]);
    // No rules at all: nothing pinned (the new product may still rank first on its own merits).
    expect(pinned(bare?.during as Served)).toEqual([]);
  });

  it('are refused at start when the running experiments would need more variant rankers than are kept', async () => {
    const three = await create([1, 2, 3].map((weight) => ({ name: `w${weight}`, share: weight === 1 ? 0.34 : 0.33, fusionWeights: { recency: weight } })));
    expect(codeOf(await merchandiser(START, { id: three.id }))).toBeUndefined();
    const search = await merchandiser<{ createExperiment: { id: string } }>(CREATE, {
      input: { name: 'search', surfaces: ['SEARCH'], variants: [{ name: 'control', share: 0.5 }, { name: 'bare', share: 0.5, ruleSet: 'none' }] },
    });
    const refused = await merchandiser(START, { id: search.data?.createExperiment.id });
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors?.[0]?.message).toMatch(/at most 3 are kept/);
    await merchandiser(STOP, { id: three.id });
  });
});
