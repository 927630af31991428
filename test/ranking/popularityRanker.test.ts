import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVectors } from '../../src/graph/embeddingWrites.js';
import { activeVersion } from '../../src/kge/modelStore.js';
import { PopularityRanker } from '../../src/ranking/popularityRanker.js';
import { startHarness, TOKENS, type Harness } from '../api/harness.js';

/**
 * The popularity ranker (time-decayed popularity with category and brand interest), served through the API
 * on the demo shop. `kgrec serve` serves the fused ranker; these are the popularity ranker's own tests.
 */

let h: Harness;

interface Item {
  score: number;
  reasons: Array<{ kind: string; text: string }>;
  breakdown: Array<{ name: string; value: number; weight: number; contribution: number }>;
  product: { id: string; title: string; description: string | null };
}
interface List {
  strategy: string;
  modelVersion: string | null;
  items: Item[];
}

const ITEM_FIELDS = 'score reasons { kind text } breakdown { name value weight contribution } product { id title description }';
const RECOMMEND = `query ($userId: ID!, $first: Int, $explain: Boolean) { recommend(userId: $userId, first: $first, explain: $explain) { strategy modelVersion items { ${ITEM_FIELDS} } } }`;
const SEARCH = `query ($query: String!, $userId: ID, $first: Int, $explain: Boolean) { search(query: $query, userId: $userId, first: $first, explain: $explain) { strategy modelVersion items { ${ITEM_FIELDS} } } }`;
const SIMILAR = `query ($id: ID!, $first: Int) { similarProducts(productId: $id, first: $first) { strategy modelVersion items { ${ITEM_FIELDS} } } }`;

async function list(query: string, variables: Record<string, unknown>, field: 'recommend' | 'search' | 'similarProducts'): Promise<List> {
  // A role token: the history behind personal reasons is shown only to callers allowed to see it.
  const response = await h.gql<Record<string, List>>(query, variables, TOKENS.frontend);
  expect(response.errors).toBeUndefined();
  return response.data?.[field] as List;
}

const descending = (scores: number[]): boolean => scores.every((score, i) => i === 0 || (scores[i - 1] as number) >= score);

beforeAll(async () => {
  // Built as the API server builds it when it is given no ranker.
  h = await startHarness({
    model: false,
    ranker: (graph, _config, api) => new PopularityRanker({ graph, modelVersion: () => activeVersion(api.modelsDir), snapshotTtlMs: api.snapshotTtlSeconds * 1000 }),
  });
});

afterAll(async () => {
  await h?.stop();
});

describe('PopularityRanker.recommend', () => {
  it('ranks popular products for a user it has never seen', async () => {
    const ranked = await list(RECOMMEND, { userId: 'visitor-never-seen', first: 10 }, 'recommend');
    expect(ranked.strategy).toBe('popularity');
    expect(ranked.modelVersion).toBeNull();
    expect(ranked.items).toHaveLength(10);
    expect(descending(ranked.items.map((item) => item.score))).toBe(true);
    expect(ranked.items.every((item) => item.reasons.some((reason) => reason.kind === 'POPULAR'))).toBe(true);
    expect(ranked.items.every((item) => item.breakdown.length === 0)).toBe(true);
  });

  it('personalises for a known user, leaving out what they bought, with reasons and a breakdown that adds up', async () => {
    const [buyer] = await h.graph.read<{ userId: string; bought: string[] }>(
      'MATCH (u:User)-[:PURCHASED]->(p:Product) WITH u, collect(p.id) AS bought ORDER BY size(bought) DESC, u.id LIMIT 1 RETURN u.id AS userId, bought',
    );
    if (!buyer) throw new Error('the demo shop has no purchases');
    const ranked = await list(RECOMMEND, { userId: buyer.userId, first: 100, explain: true }, 'recommend');
    expect(ranked.strategy).toBe('personalised-popularity');
    expect(ranked.items.length).toBe(100);
    expect(ranked.items.map((item) => item.product.id).filter((id) => buyer.bought.includes(id))).toEqual([]);
    for (const item of ranked.items) {
      const sum = item.breakdown.reduce((total, component) => total + component.contribution, 0);
      expect(sum).toBeCloseTo(item.score, 9);
      expect(item.breakdown.map((component) => component.name).sort()).toEqual(['brandAffinity', 'categoryAffinity', 'popularity']);
    }
    const texts = ranked.items.flatMap((item) => item.reasons.map((reason) => reason.text));
    expect(texts.some((text) => /^you (viewed|bought|clicked on|added) \d+ products? (in|of) /.test(text))).toBe(true);
    expect(texts.some((text) => text.startsWith('popular in '))).toBe(true);
  });
});

describe('PopularityRanker.search', () => {
  it('finds products by their text, ranked by match and popularity', async () => {
    const [sample] = await h.graph.read<{ title: string }>('MATCH (p:Product) RETURN p.title AS title ORDER BY p.id LIMIT 1');
    const word = (sample?.title ?? '').split(' ').slice(1, 3).join(' ').toLowerCase();
    const ranked = await list(SEARCH, { query: word, first: 10, explain: true }, 'search');
    expect(ranked.strategy).toBe('fulltext+popularity');
    expect(ranked.items.length).toBeGreaterThan(0);
    const terms = word.split(' ');
    for (const item of ranked.items) {
      const text = `${item.product.title} ${item.product.description ?? ''}`.toLowerCase();
      expect(terms.some((term) => text.includes(term))).toBe(true);
      expect(item.reasons[0]?.kind).toBe('TEXT_MATCH');
    }
    expect(descending(ranked.items.map((item) => item.score))).toBe(true);
  });

  it('personalises with the category interest of a given user', async () => {
    const ranked = await list(SEARCH, { query: 'wireless', userId: 'u-0003', explain: true }, 'search');
    expect(ranked.items.length).toBeGreaterThan(0);
    expect(ranked.items[0]?.breakdown.map((component) => component.name)).toContain('categoryAffinity');
  });
});

describe('PopularityRanker.similar', () => {
  it('falls back to popular products of the same category without embeddings', async () => {
    const [product] = await h.graph.read<{ id: string }>('MATCH (p:Product)-[:IN_CATEGORY]->(:Category) RETURN p.id AS id ORDER BY p.id LIMIT 1');
    const ranked = await list(SIMILAR, { id: product?.id, first: 3 }, 'similarProducts');
    expect(ranked.strategy).toBe('category-popularity');
    expect(ranked.items).toHaveLength(3);
    expect(ranked.items.map((item) => item.product.id)).not.toContain(product?.id);
    expect(ranked.items.every((item) => item.reasons[0]?.kind === 'SAME_CATEGORY')).toBe(true);
  });

  it('uses the vector index when the product has an embedding, and names the active model', async () => {
    const ids = (await h.graph.read<{ id: string }>('MATCH (p:Product) RETURN p.id AS id ORDER BY id')).map((row) => row.id);
    const dimension = h.config.embeddingDimension;
    const vectors = new Float32Array(ids.length * dimension);
    // Random directions in 64 dimensions are nearly orthogonal; product 1 is product 0 with a little noise.
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    for (let i = 0; i < vectors.length; i += 1) vectors[i] = random();
    for (let d = 0; d < dimension; d += 1) vectors[dimension + d] = (vectors[d] as number) + 0.05 * random();
    await writeVectors(h.graph, { label: 'Product', ids, vectors }, dimension, 'test-model');
    mkdirSync(h.api.modelsDir, { recursive: true });
    writeFileSync(path.join(h.api.modelsDir, 'active'), 'test-model\n');
    // The vector index is populated asynchronously after the write.
    await h.graph.autoCommit('CALL db.awaitIndexes(60)');

    const ranked = await list(SIMILAR, { id: ids[0], first: 5 }, 'similarProducts');
    expect(ranked.strategy).toBe('embedding');
    expect(ranked.modelVersion).toBe('test-model');
    expect(ranked.items[0]?.product.id).toBe(ids[1]);
    expect(ranked.items.map((item) => item.product.id)).not.toContain(ids[0]);
    expect(ranked.items[0]?.reasons[0]?.kind).toBe('SIMILAR');
  });
});
