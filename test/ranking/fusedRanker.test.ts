import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashToken } from '../../src/api/auth.js';
import { apiConfigSchema } from '../../src/api/config.js';
import { createApiServer } from '../../src/api/server.js';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { writeEvents, writeProducts } from '../../src/graph/shopWrites.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/domain/behaviours.js';
import { writeDemoShopFiles } from '../../src/jobs/demoShop.js';
import { LOAD_ORDER } from '../../src/jobs/loadShop.js';
import { runTrainingJob } from '../../src/jobs/train.js';
import { activateModel } from '../../src/kge/modelStore.js';
import { topIndices } from '../../src/math/topK.js';
import { FusedRanker } from '../../src/ranking/fusedRanker.js';
import { loadRankingState } from '../../src/ranking/rankingState.js';
import { fuse } from '../../src/ranking/fusionKernel.js';
import { userBasis } from '../../src/ranking/recommendSignals.js';
import { standardised } from '../../src/ranking/signalMoments.js';
import { ThreadedRanker } from '../../src/ranking/threadedRanker.js';
import { readProfile } from '../../src/graph/shopReads.js';
import type { RankedList } from '../../src/ranking/types.js';
import { tokenize } from '../../src/text/tokenize.js';
import { freshGraph, saveFixtureModel, tempDir } from '../helpers.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The fused ranker against a real Neo4j holding a small demo shop and a model trained on it: the rules,
 * diversity, explanations, cold-start products, real-time events and semantic search.
 */

let graph: Graph;
let config: Config;
let ranker: FusedRanker;
const modelsDir = tempDir('kgrec-fused-models-');

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  const { files } = await writeDemoShopFiles(tempDir(), { products: 500, users: 300, events: 30_000, seed: 11 });
  for (const kind of LOAD_ORDER) await ingestFiles(graph, { kind, files: files[kind] ?? [], batchSize: 5_000, relationTypes: config.relationTypes });
  const trained = await runTrainingJob({
    source: { kind: 'graph', graph, config },
    hyperparameters: [{ dimension: 32, epochs: 30, negatives: 16, seed: 3 }],
    modelsDir,
    evalEvery: 0,
    holdout: { valid: 0.02, test: 0.05 },
  });
  await activateModel(modelsDir, trained.version);
  ranker = new FusedRanker({ graph, modelsDir, relationTypes: config.relationTypes, watchModels: false, diversity: 0 });
  await ranker.warmUp();
}, 240_000);

afterAll(async () => {
  ranker.close();
  await graph.close();
});

/** A user with purchases, and those purchases. */
async function buyer(): Promise<{ userId: string; bought: string[] }> {
  const [row] = await graph.read<{ userId: string; bought: string[] }>(
    'MATCH (u:User)-[:PURCHASED]->(p:Product) WITH u, collect(p.id) AS bought WHERE size(bought) >= 3 RETURN u.id AS userId, bought ORDER BY u.id LIMIT 1',
  );
  if (!row) throw new Error('the demo shop has no buyer');
  return row;
}

describe('FusedRanker.recommend', () => {
  it('ranks with the active model, leaves out what the user bought and honours filters', async () => {
    const { userId, bought } = await buyer();
    const list = await ranker.recommend(userId, { first: 20, explain: true });
    expect(list.strategy).toBe('fused');
    expect(list.modelVersion).not.toBeNull();
    expect(list.items).toHaveLength(20);
    for (const item of list.items) expect(bought).not.toContain(item.productId);
    const names = new Set(list.items[0]?.breakdown.map((component) => component.name));
    // Every signal the demo shop feeds, its product attributes (`kg`, `kgInterest`) and the tuned item × item model included.
    expect(names).toEqual(new Set(['graph', 'coBought', 'related', 'text', 'popularity', 'recency', 'category', 'brand', 'kg', 'kgInterest', 'itemItem']));
    const first = list.items[0];
    expect(first?.score).toBeCloseTo(first?.breakdown.reduce((sum, component) => sum + component.contribution, 0) ?? NaN, 3);

    const state = await ranker.state();
    const category = state.snapshot.products.find((product) => product.categoryId !== null)?.categoryId ?? '';
    const subtree = state.snapshot.subtree(category);
    const filtered = await ranker.recommend(userId, { first: 10, filter: { categoryId: category, maxPrice: 1_000, inStockOnly: true } });
    expect(filtered.items.length).toBeGreaterThan(0);
    for (const item of filtered.items) {
      const product = state.snapshot.byId.get(item.productId);
      expect(subtree.has(product?.categoryId ?? '')).toBe(true);
      expect(product?.inStock).toBe(true);
      expect(product?.price ?? 0).toBeLessThanOrEqual(1_000);
    }
  });

  it('with unseenOnly leaves out every product the user viewed, clicked, carted or bought', async () => {
    const [row] = await graph.read<{ userId: string; seen: string[] }>(
      `MATCH (u:User)-[:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->(p:Product) WITH u, collect(DISTINCT p.id) AS seen
       WHERE size(seen) >= 5 RETURN u.id AS userId, seen ORDER BY size(seen) DESC, u.id LIMIT 1`,
    );
    const { userId, seen } = row ?? { userId: '', seen: [] };
    const plain = await ranker.recommend(userId, { first: 50 });
    // The default page holds some of them (viewed products come back), so the option has work to do.
    expect(plain.items.filter((item) => seen.includes(item.productId)).length).toBeGreaterThan(0);
    const unseen = await ranker.recommend(userId, { first: 50, unseenOnly: true });
    expect(unseen.items).toHaveLength(50);
    expect(unseen.items.filter((item) => seen.includes(item.productId))).toEqual([]);
  });

  it('explains items with paths that exist in the graph', async () => {
    const { userId } = await buyer();
    const list = await ranker.recommend(userId, { first: 10 });
    const paths = list.items.flatMap((item) => item.reasons.filter((reason) => reason.path && reason.path[0] === `User:${userId}`).map((reason) => ({ item, reason })));
    expect(paths.length).toBeGreaterThan(0);
    for (const { item, reason } of paths) {
      const path = reason.path ?? [];
      expect(path.at(-1)).toBe(`Product:${item.productId}`);
      // The first hop is the user's own behaviour on a real product, which the text names.
      const [label, productId] = (path[1] ?? '').split(':');
      if (label !== 'Product') continue;
      const [edge] = await graph.read<{ n: number }>('MATCH (:User {id: $userId})-[r]->(:Product {id: $productId}) RETURN count(r) AS n', { userId, productId: productId ?? '' });
      expect(edge?.n).toBeGreaterThan(0);
    }
    const together = paths.find(({ reason }) => reason.kind === 'BOUGHT_TOGETHER');
    expect(together?.reason.text).toMatch(/^you .+; this is .*often bought with it$/);
  });

  it('ranks without an active model that is not the shop\'s, whatever models/active names', async () => {
    const { userId } = await buyer();
    for (const model of [
      { trainedOn: 'benchmark' as const, entities: ['00001740', '00001930'], relations: ['_hypernym'] },
      { trainedOn: 'shop' as const, entities: ['Product:not-here-1', 'Product:not-here-2'], relations: ['IN_CATEGORY'] },
    ]) {
      const foreignDir = tempDir('kgrec-foreign-models-');
      const version = await saveFixtureModel(foreignDir, model);
      // Written by hand, as activation would refuse it.
      writeFileSync(path.join(foreignDir, 'active'), `${version}\n`);
      const foreign = new FusedRanker({ graph, modelsDir: foreignDir, relationTypes: config.relationTypes, watchModels: false, diversity: 0 });
      try {
        const list = await foreign.recommend(userId, { first: 10, explain: true });
        expect(list.modelVersion, model.trainedOn).toBeNull();
        expect(list.items).toHaveLength(10);
        expect(list.items.every((item) => item.breakdown.every((part) => part.name !== 'graph'))).toBe(true);
        // A reload with the same refused model reuses the lists, as one with a served model does.
        const options = { graph, modelsDir: foreignDir, relationTypes: config.relationTypes, listsOnThisThread: true };
        const first = await loadRankingState(options);
        const again = await loadRankingState(options, Date.now(), first);
        expect(first.modelVersion).toBe(version);
        expect(again.neighbours).toBe(first.neighbours);
      } finally {
        foreign.close();
      }
    }
    // The shop's own model is served as before, its graph signal in the breakdown.
    const own = await ranker.recommend(userId, { first: 10, explain: true });
    expect(own.modelVersion).not.toBeNull();
    expect(own.items.some((item) => item.breakdown.some((part) => part.name === 'graph'))).toBe(true);
  });

  it('explains an item the served item × item model brought through a product the user had and another shopper shared', async () => {
    // Only the item × item signal and popularity: its reasons cannot come from co-purchases or the graph's space.
    const itemItemOnly = new FusedRanker({ graph, modelsDir, relationTypes: config.relationTypes, watchModels: false, diversity: 0, weights: { graph: 0, coBought: 0, related: 0, kg: 0, kgInterest: 0, text: 0, category: 0, brand: 0, recency: 0, popularity: 0.01, itemItem: 1 } });
    try {
      const { userId } = await buyer();
      const list = await itemItemOnly.recommend(userId, { first: 10 });
      const explained = list.items.flatMap((item) => item.reasons.filter((reason) => reason.kind === 'BOUGHT_TOGETHER').map((reason) => ({ item, reason })));
      expect(explained.length).toBeGreaterThan(0);
      for (const { item, reason } of explained) {
        expect(reason.text).toMatch(/^you (bought|put in your cart|looked at|viewed) .+; shoppers who did also chose this$/);
        const source = (reason.path?.[1] ?? '').replace(/^Product:/, '');
        expect(reason.path).toEqual([`User:${userId}`, `Product:${source}`, `Product:${item.productId}`]);
        // The user has the named product, and some other shopper engaged with both.
        const [row] = await graph.read<{ own: number; shared: number }>(
          `MATCH (u:User {id: $userId}) RETURN COUNT { (u)-->(:Product {id: $source}) } AS own,
                  COUNT { (o:User)-->(:Product {id: $source}) WHERE o <> u AND EXISTS { (o)-->(:Product {id: $target}) } } AS shared`,
          { userId, source, target: item.productId },
        );
        expect(row?.own, reason.text).toBeGreaterThan(0);
        expect(row?.shared, reason.text).toBeGreaterThan(0);
      }
    } finally {
      itemItemOnly.close();
    }
  });

  it("explains an item through the user's other products, never through the item itself", async () => {
    // Products users viewed are recommended too; "close to X, which you viewed" must not name X itself.
    const users = await graph.read<{ userId: string }>('MATCH (u:User)-[:VIEWED]->() WITH DISTINCT u RETURN u.id AS userId ORDER BY userId LIMIT 40');
    let seenBefore = 0;
    for (const { userId } of users) {
      const viewed = new Set((await readProfile(graph, userId)).map((row) => row.productId));
      const list = await ranker.recommend(userId, { first: 10, explain: true });
      for (const item of list.items) {
        if (viewed.has(item.productId)) seenBefore += 1;
        for (const reason of item.reasons) {
          if (reason.path && reason.path.length > 2) expect(reason.path[1], `${userId}: ${reason.text}`).not.toBe(`Product:${item.productId}`);
        }
      }
    }
    // The case arises: some recommended items are ones their user had viewed.
    expect(seenBefore).toBeGreaterThan(0);
  });

  it('moves with events recorded after training', async () => {
    const state = await ranker.state();
    const { userId } = await buyer();
    const before = await ranker.recommend(userId, { first: 10 });
    // Purchases in a category the user never touched: the next list must lean towards it at once.
    const [row] = await graph.read<{ categoryId: string }>(
      'MATCH (c:Category)<-[:IN_CATEGORY]-(p:Product) WHERE NOT EXISTS { MATCH (:User {id: $userId})-->(:Product)-[:IN_CATEGORY]->(c) } WITH c, count(p) AS n WHERE n >= 5 RETURN c.id AS categoryId ORDER BY c.id LIMIT 1',
      { userId },
    );
    const categoryId = row?.categoryId ?? '';
    const products = state.snapshot.products.filter((product) => product.categoryId === categoryId).slice(0, 3);
    const now = Date.now();
    await graph.transaction((tx) =>
      writeEvents(
        tx,
        products.map((product, i) => ({ id: `live-${userId}-${i}`, userId, productId: product.id, type: 'purchase', timestamp: now + i, quantity: 1 })),
        (type) => BEHAVIOUR_RELATIONSHIP[type as EventType],
        now,
      ),
    );
    const after = await ranker.recommend(userId, { first: 10 });
    expect(after.items.map((item) => item.productId)).not.toEqual(before.items.map((item) => item.productId));
    const inCategory = (list: typeof after) => list.items.filter((item) => state.snapshot.byId.get(item.productId)?.categoryId === categoryId).length;
    expect(inCategory(after)).toBeGreaterThan(inCategory(before));
    for (const product of products) expect(after.items.map((item) => item.productId)).not.toContain(product.id);
  });

  it('gives a user without history the popular and trending products', async () => {
    const list = await ranker.recommend('nobody-at-all', { first: 5 });
    expect(list.strategy).toBe('popularity');
    const state = await ranker.state();
    const n = state.snapshot.products.length;
    const expected = topIndices(fuse({ popularity: state.popularity, recency: state.recency }, state.weights, n), 5, () => true);
    expect(list.items.map((item) => item.productId)).toEqual(expected.map((i) => state.snapshot.products[i]?.id));
    expect(list.items[0]?.reasons.map((reason) => reason.kind)).toContain('POPULAR');
  });
});

describe('score arrays reused from request to request', () => {
  it('rank concurrent requests exactly as arrays of their own would, breakdowns included', async () => {
    const users = await graph.read<{ id: string }>('MATCH (u:User)-[:PURCHASED]->() WITH u, count(*) AS bought WHERE bought >= 2 RETURN u.id AS id ORDER BY u.id LIMIT 8');
    const state = await ranker.state();
    const word = state.snapshot.products[0]?.title.split(' ')[0] ?? '';
    // Searches and similar products in between, so that the arrays pass from one kind of request to another.
    const [lists] = await Promise.all([
      Promise.all(users.map(({ id }) => ranker.recommend(id, { first: 10, explain: true }))),
      Promise.all(users.map(({ id }) => ranker.search(word, { first: 10, userId: id }))),
      Promise.all(state.snapshot.products.slice(0, 8).map((product) => ranker.similar(product.id, { first: 10 }))),
    ]);
    for (const [k, { id }] of users.entries()) {
      const alone = ranker.rankForUser(state, id, await readProfile(graph, id), { first: 10 });
      const list = lists[k] as RankedList;
      expect(list.items.map((item) => item.productId)).toEqual(alone.page.map((i) => state.snapshot.products[i]?.id));
      list.items.forEach((item, position) => {
        const index = alone.page[position] as number;
        expect(item.score).toBe(alone.fused.scores[index]);
        for (const component of item.breakdown.filter((c) => alone.signals[c.name])) {
          expect(component.value).toBeCloseTo(standardised(alone.signals[component.name] as Float32Array, index), 6);
        }
      });
    }
  });
});

describe('diversity', () => {
  it('swaps near-duplicates for the next-best different items', async () => {
    const { userId } = await buyer();
    const plain = await ranker.recommend(userId, { first: 10, diversity: 0 });
    const diverse = await ranker.recommend(userId, { first: 10, diversity: 0.7 });
    expect(diverse.items.map((item) => item.productId)).not.toEqual(plain.items.map((item) => item.productId));
    const state = await ranker.state();
    const categories = (list: typeof plain) => new Set(list.items.map((item) => state.snapshot.byId.get(item.productId)?.categoryId)).size;
    expect(categories(diverse)).toBeGreaterThanOrEqual(categories(plain));
    const capped = await ranker.recommend(userId, { first: 10, maxPerCategory: 2 });
    const counts = new Map<string, number>();
    for (const item of capped.items) {
      const category = state.snapshot.byId.get(item.productId)?.categoryId ?? '';
      counts.set(category, (counts.get(category) ?? 0) + 1);
    }
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
  });
});

describe('cold start and search', () => {
  it('places a product added after training next to its twin at once', async () => {
    const state = await ranker.state();
    const twin = state.snapshot.products[40];
    if (!twin) throw new Error('no twin');
    const [text] = await graph.read<{ title: string; description: string | null; brandId: string | null }>(
      'MATCH (p:Product {id: $id}) RETURN p.title AS title, p.description AS description, COLLECT { MATCH (p)-[:HAS_BRAND]->(b) RETURN b.id }[0] AS brandId',
      { id: twin.id },
    );
    const now = Date.now();
    await graph.transaction((tx) =>
      writeProducts(
        tx,
        [{ id: 'p-brand-new', props: { title: text?.title ?? '', description: text?.description ?? '', price: 10, inStock: true }, categoryId: twin.categoryId ?? undefined, brandId: text?.brandId ?? undefined }],
        now,
      ),
    );
    ranker.invalidate();
    const fresh = await ranker.state();
    const index = fresh.indexOf.get('p-brand-new') ?? -1;
    expect(fresh.space?.sources[index]).toBe('derived');
    // Its derived vector sits among the twin's nearest products in the model's space (of 500)...
    const space = fresh.space;
    if (!space) throw new Error('no model');
    const closeness = new Float32Array(space.size);
    space.score(space.row(fresh.indexOf.get(twin.id) ?? -1), closeness);
    const nearer = closeness.filter((value) => value > (closeness[index] ?? 0)).length;
    expect(nearer).toBeLessThan(10);
    // ...so it is recommendable before the next retraining.
    const similar = await ranker.similar(twin.id, { first: 30, diversity: 0 });
    expect(similar?.items.map((item) => item.productId)).toContain('p-brand-new');
  });

  it('finds a product by a word that only its neighbours carry', async () => {
    const state = await ranker.state();
    const rows = await graph.read<{ id: string; categoryId: string; text: string }>(
      "MATCH (p:Product)-[:IN_CATEGORY]->(c:Category) RETURN p.id AS id, c.id AS categoryId, p.title + ' ' + coalesce(p.description, '') AS text",
    );
    const vocabulary = new Set(state.model?.terms ?? []);
    // Terms most products of a category carry, each with a product of that category whose text lacks it.
    const pairs: Array<{ term: string; productId: string }> = [];
    const byCategory = new Map<string, typeof rows>();
    for (const row of [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))) byCategory.set(row.categoryId, [...(byCategory.get(row.categoryId) ?? []), row]);
    for (const members of byCategory.values()) {
      const counts = new Map<string, number>();
      for (const member of members) for (const term of new Set(tokenize(member.text))) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, count] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
        if (!vocabulary.has(term) || count < members.length * 0.6 || count === members.length) continue;
        const lacking = members.find((member) => !tokenize(member.text).includes(term));
        if (lacking) pairs.push({ term, productId: lacking.id });
        break;
      }
    }
    expect(pairs.length).toBeGreaterThan(0);
    let found = 0;
    let results = await ranker.search(pairs[0]?.term ?? '', { first: 50 });
    for (const pair of pairs.slice(0, 20)) {
      const list = await ranker.search(pair.term, { first: 50 });
      const hit = list.items.find((item) => item.productId === pair.productId);
      if (hit?.reasons[0]?.kind === 'SEMANTIC_MATCH') {
        found += 1;
        results = list;
      }
    }
    // Full-text alone can never return these products for these words; the graph's term vectors do.
    expect(found).toBeGreaterThan(0);
    expect(results.items[0]?.reasons[0]?.kind).toBe('TEXT_MATCH');
  });
});

describe('served through the GraphQL API', () => {
  it('answers recommend with the fused ranking, its reasons and their graph paths, and applies a pin', async () => {
    const { userId } = await buyer();
    const api = apiConfigSchema.parse({ port: 0, tokens: { [hashToken('merch')]: 'merchandiser' }, modelsDir });
    const server = await createApiServer({ graph, config, api, logger: pino({ level: 'silent' }), ranker, closeGraph: false });
    const gql = async (query: string, token?: string) => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as { data?: { recommend?: { strategy: string; modelVersion: string; items: Array<{ product: { id: string }; reasons: Array<{ kind: string; path: string[] | null }> }> } }; errors?: unknown[] };
    };
    try {
      const ask = `{ recommend(userId: "${userId}", first: 5) { strategy modelVersion items { product { id } reasons { kind text path } } } }`;
      // Reasons whose path starts at the shopper reveal their history: only for a caller with a token.
      const body = await gql(ask, 'merch');
      expect(body.errors).toBeUndefined();
      expect(body.data?.recommend?.strategy).toBe('fused');
      expect(body.data?.recommend?.items).toHaveLength(5);
      expect(body.data?.recommend?.items.some((item) => item.reasons.some((reason) => reason.path !== null && reason.path[0] === `User:${userId}`))).toBe(true);
      const anonymous = await gql(ask);
      expect(anonymous.data?.recommend?.items.some((item) => item.reasons.some((reason) => reason.path?.[0] === `User:${userId}`))).toBe(false);

      const state = await ranker.state();
      const pinned = state.snapshot.products.at(-1)?.id ?? '';
      const [inCategory] = await graph.read<{ id: string }>('MATCH (p:Product {id: $id})-[:IN_CATEGORY]->(c) RETURN c.id AS id', { id: pinned });
      const pin = await gql(`mutation { pinProduct(productId: "${pinned}", position: 1, categoryId: "${inCategory?.id ?? ''}") { id } }`, 'merch');
      expect(pin.errors).toBeUndefined();
      // A pin applies to lists filtered by its category: the least popular product of the shop now leads.
      const filtered = await gql(`{ recommend(userId: "${userId}", first: 5, filter: { categoryId: "${inCategory?.id ?? ''}" }) { strategy modelVersion items { product { id } reasons { kind text path } } } }`);
      expect(filtered.errors).toBeUndefined();
      expect(filtered.data?.recommend?.items[0]?.product.id).toBe(pinned);
    } finally {
      await server.stop();
    }
  });

  it('applies query rules to search and category rules to similar products; breakdowns show the raw text match', async () => {
    const api = apiConfigSchema.parse({ port: 0, tokens: { [hashToken('merch')]: 'merchandiser' }, modelsDir });
    const server = await createApiServer({ graph, config, api, logger: pino({ level: 'silent' }), ranker, closeGraph: false });
    type Items = { items: Array<{ product: { id: string }; reasons: Array<{ kind: string }>; breakdown: Array<{ name: string; value: number }> }> };
    const gql = async (query: string, token?: string) => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as { data?: { search?: Items; similarProducts?: Items }; errors?: unknown[] };
    };
    try {
      const state = await ranker.state();
      const [titled] = await graph.read<{ title: string }>('MATCH (p:Product {id: $id}) RETURN p.title AS title', { id: state.snapshot.products[0]?.id ?? '' });
      const [word] = tokenize(titled?.title ?? '');
      const search = `{ search(query: "${word}", first: 5, explain: true) { items { product { id } reasons { kind } breakdown { name value } } } }`;
      const before = await gql(search);
      expect(before.errors).toBeUndefined();
      expect(before.data?.search?.items.length, JSON.stringify({ word, before })).toBeGreaterThan(0);
      const lexical = before.data?.search?.items.map((item) => item.breakdown.find((component) => component.name === 'lexical')?.value ?? -1) ?? [];
      // The text match enters the fusion as relative BM25 (0..1, the best match 1), and the breakdown says so.
      expect(lexical.every((value) => value >= 0 && value <= 1)).toBe(true);
      expect(Math.max(...lexical)).toBeGreaterThan(0);

      const shown = new Set(before.data?.search?.items.map((item) => item.product.id));
      const pinned = state.snapshot.products.findLast((product) => !shown.has(product.id))?.id ?? '';
      const pin = await gql(`mutation { pinProduct(productId: "${pinned}", position: 1, query: "${word}") { id } }`, 'merch');
      expect(pin.errors).toBeUndefined();
      const after = await gql(search);
      expect(after.data?.search?.items[0]?.product.id).toBe(pinned);
      expect(after.data?.search?.items[0]?.reasons.map((reason) => reason.kind)).toContain('PINNED');

      const seed = state.snapshot.products[0];
      const similar = `{ similarProducts(productId: "${seed?.id ?? ''}", first: 5) { items { product { id } reasons { kind } breakdown { name value } } } }`;
      const top = (await gql(similar)).data?.similarProducts?.items[0]?.product.id ?? '';
      expect(top).not.toBe('');
      const bury = await gql(`mutation { buryProduct(productId: "${top}", categoryId: "${seed?.categoryId ?? ''}") { id } }`, 'merch');
      expect(bury.errors).toBeUndefined();
      const buried = await gql(similar);
      expect(buried.data?.similarProducts?.items).toHaveLength(5);
      expect(buried.data?.similarProducts?.items.map((item) => item.product.id)).not.toContain(top);
    } finally {
      await server.stop();
    }
  });
});

describe('reloads', () => {
  const neighbourIds = (state: Awaited<ReturnType<FusedRanker['state']>>, productId: string): string[] => {
    const index = state.indexOf.get(productId) ?? -1;
    const { indptr, indices } = state.neighbours;
    return Array.from(indices.subarray(indptr[index] ?? 0, indptr[index + 1] ?? 0), (other) => state.snapshot.products[other]?.id ?? '');
  };

  it('reuse the co-behaviour neighbours, re-indexed, until behaviour is deleted', async () => {
    const first = await ranker.state();
    const busiest = first.snapshot.products.find((product) => neighbourIds(first, product.id).length > 3)?.id ?? '';
    expect(busiest).not.toBe('');
    ranker.invalidate();
    const second = await ranker.state();
    expect(second).not.toBe(first);
    expect(second.neighboursBuiltAt).toBe(first.neighboursBuiltAt);
    expect(neighbourIds(second, busiest)).toEqual(neighbourIds(first, busiest));
    // Terms change only with a training: the same model's terms are not read again.
    expect(first.productTerms.size).toBeGreaterThan(0);
    expect(second.productTerms).toBe(first.productTerms);
    expect(second.terms).toBe(first.terms);

    // A later build must carry a later time: the clock has moved on since the first.
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(first.neighboursBuiltAt), { interval: 1 });
    ranker.invalidate({ behaviour: true });
    const third = await ranker.state();
    // Rebuilt from the shoppers' behaviour, including the events earlier tests recorded.
    expect(third.neighboursBuiltAt).toBeGreaterThan(first.neighboursBuiltAt);
    expect(neighbourIds(third, busiest).length).toBeGreaterThan(3);
  });
});

describe('ThreadedRanker', () => {
  const summary = (list: RankedList | null) => list && { strategy: list.strategy, modelVersion: list.modelVersion, ids: list.items.map((item) => item.productId), reasons: list.items.map((item) => item.reasons.map((reason) => reason.text)) };

  it('answers as the fused ranker does from threads of its own, and sees a behaviour change told before a call', async () => {
    const rankerOptions = { modelsDir, relationTypes: config.relationTypes, watchModels: false, diversity: 0 };
    const threaded = new ThreadedRanker({
      threads: 2,
      config: { ...config, neo4jDatabase: graph.database },
      ranker: rankerOptions,
      // Polls once an hour: only the notice below can tell the threads that a user changed.
      profileCache: { maxUsers: 1_000, pollMs: 3_600_000, maxAgeMs: 3_600_000 },
      logLevel: 'silent',
    });
    const reference = new FusedRanker({ graph, ...rankerOptions });
    try {
      expect(threaded.health()).toEqual({ threads: 2, running: 0, callsInFlight: 0, failures: 0 });
      await threaded.warmUp();
      expect(threaded.health()).toEqual({ threads: 2, running: 2, callsInFlight: 0, failures: 0 });
      const users = (await graph.read<{ id: string }>('MATCH (u:User)-[:PURCHASED]->() RETURN DISTINCT u.id AS id ORDER BY id LIMIT 6')).map((row) => row.id);
      // Concurrent calls spread over both threads.
      const calls = users.map((userId) => threaded.recommend(userId, { first: 8, explain: true }));
      expect(threaded.health().callsInFlight).toBe(users.length);
      const lists = await Promise.all(calls);
      expect(threaded.health().callsInFlight).toBe(0);
      for (const [i, userId] of users.entries()) expect(summary(lists[i] ?? null)).toEqual(summary(await reference.recommend(userId, { first: 8, explain: true })));
      const query = (await reference.state()).snapshot.products[0]?.title.split(' ')[0] ?? '';
      expect(summary(await threaded.search(query, { first: 5, userId: users[0] }))).toEqual(summary(await reference.search(query, { first: 5, userId: users[0] })));
      const productId = lists[0]?.items[0]?.productId ?? '';
      expect(summary(await threaded.similar(productId, { first: 5 }))).toEqual(summary(await reference.similar(productId, { first: 5 })));
      expect(await threaded.similar('no-such-product', { first: 5 })).toBeNull();

      // A purchase of the user's top item: the threads' cached behaviour hides it until they are told.
      const userId = users[0] ?? '';
      const top = lists[0]?.items[0]?.productId ?? '';
      const now = Date.now();
      await graph.transaction((tx) => writeEvents(tx, [{ id: `threaded-${userId}`, userId, productId: top, type: 'purchase', timestamp: now, quantity: 1 }], (type) => BEHAVIOUR_RELATIONSHIP[type as EventType], now));
      const stale = await threaded.recommend(userId, { first: 8, explain: true });
      expect(stale.items[0]?.productId).toBe(top);
      threaded.behaviourChanged([userId]);
      const fresh = await threaded.recommend(userId, { first: 8, explain: true });
      expect(fresh.items.map((item) => item.productId)).not.toContain(top);
      expect(summary(fresh)).toEqual(summary(await reference.recommend(userId, { first: 8, explain: true })));
    } finally {
      threaded.close();
      reference.close();
    }
    await expect(threaded.recommend('anyone', { first: 1 })).rejects.toThrow(/closed/);
  });

  it("rejects a call with the thread's error, and tries to connect again on the next call", async () => {
    const unreachable = new ThreadedRanker({
      threads: 1,
      config: { ...config, neo4jUri: 'bolt://127.0.0.1:1' },
      ranker: { modelsDir, relationTypes: config.relationTypes, watchModels: false },
      logLevel: 'silent',
    });
    try {
      await expect(unreachable.recommend('anyone', { first: 1 })).rejects.toThrow(/cannot reach Neo4j/);
      await expect(unreachable.recommend('anyone', { first: 1 })).rejects.toThrow(/cannot reach Neo4j/);
    } finally {
      unreachable.close();
    }
  });
});

describe('userBasis', () => {
  it('derives a user once per rows array and ranking state, equal to deriving it anew', async () => {
    const state = await ranker.state();
    const { userId } = await buyer();
    const rows = await readProfile(graph, userId);
    const basis = userBasis(state, userId, rows);
    expect(userBasis(state, userId, rows)).toBe(basis);
    const fresh = userBasis(state, userId, [...rows]);
    expect(fresh).not.toBe(basis);
    expect(fresh.history).toEqual(basis.history);
    expect(fresh.query).toEqual(basis.query);
    expect([...fresh.profile.purchased]).toEqual([...basis.profile.purchased]);
    // Another user or another state is derived again.
    expect(userBasis(state, 'someone-else', rows)).not.toBe(basis);
  });
});
