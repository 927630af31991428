import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { readBehaviourChanges } from '../../src/graph/behaviourChanges.js';
import { writeEvents, writeProducts } from '../../src/graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/domain/behaviours.js';
import { loadCatalogueSnapshot, type CatalogueSnapshot } from '../../src/ranking/catalogueSnapshot.js';
import { FusedRanker } from '../../src/ranking/fusedRanker.js';
import { refreshPopularity } from '../../src/ranking/popularityRefresh.js';
import { FUSION_FILE } from '../../src/ranking/fusionWeights.js';
import { loadRankingState, modelFilesStamp } from '../../src/ranking/rankingState.js';
import { brandInterest, categoryInterest, userBasis } from '../../src/ranking/recommendSignals.js';
import { readProfiles } from '../../src/graph/shopReads.js';
import type { Config } from '../../src/config.js';
import { freshGraph, tempDir } from '../helpers.js';

/**
 * Popularity kept current from the behaviour change feed: a refresh that reads only the products the feed
 * names gives what a full read of the graph gives, and the served ranker uses it between full loads.
 */

let graph: Graph;
let config: Config;
const day = 24 * 3600 * 1000;
const start = Date.parse('2026-06-01T00:00:00Z');
const relationshipOf = (type: string) => BEHAVIOUR_RELATIONSHIP[type as EventType];
let eventCount = 0;
const event = (userId: string, productId: string, type: string, timestamp: number) => ({ id: `pr-${(eventCount += 1)}`, userId, productId, type, timestamp, quantity: 1 });
const record = (rows: ReturnType<typeof event>[]) => graph.transaction((tx) => writeEvents(tx, rows, relationshipOf, Date.now()));

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
  await graph.transaction((tx) => writeProducts(tx, ids.map((id) => ({ id, props: { title: `product ${id}`, price: 10, inStock: true } })), start));
  await record([
    event('ann', 'p1', 'view', start - 9 * day),
    event('ann', 'p1', 'view', start - 2 * day),
    event('bob', 'p1', 'purchase', start - 5 * day),
    event('bob', 'p2', 'view', start - day),
    event('cid', 'p3', 'add_to_cart', start - 4 * day),
    event('cid', 'p4', 'purchase', start),
  ]);
}, 120_000);

afterAll(async () => {
  await graph.close();
});

/** Relative difference, so that products near zero and far from it are held to the same precision. */
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function expectSamePopularity(actual: CatalogueSnapshot, expected: CatalogueSnapshot): void {
  expect(actual.popularityReference).toBe(expected.popularityReference);
  expect(actual.products.map((product) => product.id)).toEqual(expected.products.map((product) => product.id));
  for (const product of expected.products) {
    const refreshed = actual.byId.get(product.id);
    expect(refreshed?.purchases).toBe(product.purchases);
    expect(relative(refreshed?.popularity ?? NaN, product.popularity)).toBeLessThan(1e-9);
    expect(relative(refreshed?.recentPopularity ?? NaN, product.recentPopularity)).toBeLessThan(1e-9);
    expect(Math.abs((refreshed?.popularityScore ?? NaN) - product.popularityScore)).toBeLessThan(1e-9);
  }
}

describe('refreshPopularity', () => {
  it('reads only the products the feed names and equals a full read, the reference time moved', async () => {
    const before = await loadCatalogueSnapshot(graph, Date.now());
    expect(before.popularityReference).toBe(start);
    const { now: feedStart } = await readBehaviourChanges(graph, Number.MAX_SAFE_INTEGER);
    // Newer events for two products move the reference time three days on, which decays every other product.
    await record([event('dee', 'p2', 'purchase', start + 3 * day), event('ann', 'p3', 'view', start + day), event('ann', 'p2', 'view', start + 2 * day)]);
    const { changes } = await readBehaviourChanges(graph, feedStart);
    const named = new Set(changes.flatMap((change) => change.productIds ?? []));
    expect([...named].sort()).toEqual(['p2', 'p3']);

    const now = Date.now();
    const refreshed = await refreshPopularity(graph, before, named, now);
    const full = await loadCatalogueSnapshot(graph, now);
    expect(full.popularityReference).toBe(start + 3 * day);
    expect(refreshed).not.toBeNull();
    expectSamePopularity(refreshed as CatalogueSnapshot, full);
    // The products not named were scaled, not read: they decayed with the reference time.
    expect(refreshed?.byId.get('p1')?.popularity).toBeLessThan(before.byId.get('p1')?.popularity ?? 0);
  });

  it('keeps every product where it was when asked, with the popularity a full read gives', async () => {
    const before = await loadCatalogueSnapshot(graph, Date.now());
    const { now: feedStart } = await readBehaviourChanges(graph, Number.MAX_SAFE_INTEGER);
    // The least popular product is bought (p5 stays unbought for the write by hand below): a full read moves it up the order.
    const last = before.products.filter((product) => product.id !== 'p5').at(-1)?.id as string;
    await record([event('hal', last, 'purchase', start + 3 * day), event('ivy', last, 'purchase', start + 3 * day)]);
    const named = new Set((await readBehaviourChanges(graph, feedStart)).changes.flatMap((change) => change.productIds ?? []));
    const now = Date.now();
    const kept = (await refreshPopularity(graph, before, named, now, { keepPositions: true })) as CatalogueSnapshot;
    const full = await loadCatalogueSnapshot(graph, now);
    expect(full.products.at(-1)?.id).not.toBe(last);
    expect(full.popularityOrdered).toBe(true);
    expect(kept.popularityOrdered).toBe(false);
    expect(kept.products.map((product) => product.id)).toEqual(before.products.map((product) => product.id));
    expect(kept.products.map((product) => product.position)).toEqual(before.products.map((_, position) => position));
    expectSamePopularity(Object.assign(Object.create(Object.getPrototypeOf(kept) as object) as CatalogueSnapshot, { ...kept, products: full.products.map((product) => kept.byId.get(product.id) as CatalogueSnapshot['products'][number]) }), full);
  });

  it('leaves popularity as it was when nothing changed, and cannot refresh a snapshot built offline', async () => {
    const before = await loadCatalogueSnapshot(graph, Date.now());
    const refreshed = await refreshPopularity(graph, before, new Set(), Date.now());
    expectSamePopularity(refreshed as CatalogueSnapshot, before);
    const offline = Object.assign(Object.create(Object.getPrototypeOf(before) as object) as CatalogueSnapshot, { ...before, popularityReference: null });
    expect(await refreshPopularity(graph, offline, new Set(['p1']), Date.now())).toBeNull();
  });
});

/** A ranker that reloads every 100 ms and reads the behaviour change feed every 50 ms. */
const feedRanker = (options: Partial<ConstructorParameters<typeof FusedRanker>[0]> = {}) =>
  new FusedRanker({
    graph,
    modelsDir: tempDir('kgrec-refresh-models-'),
    relationTypes: config.relationTypes,
    watchModels: false,
    ttlMs: 100,
    profileCache: { maxUsers: 100, pollMs: 50, maxAgeMs: 60_000 },
    ...options,
  });

describe('FusedRanker between full loads', () => {
  it('reloads the popularity of the products the feed names, and everything after an invalidation', async () => {
    const ranker = feedRanker();
    try {
      const first = await ranker.state();
      const popularityOf = async (id: string) => (await ranker.state()).snapshot.byId.get(id)?.popularity ?? NaN;
      // A write that bypasses the feed (Cypher by hand) on a product the feed never named: a refresh does not see it, a full load does.
      await graph.write("MATCH (p:Product {id: 'p5'}) CREATE (:User {id: 'by-hand'})-[:VIEWED {count: 1000, firstAt: $at, lastAt: $at}]->(p)", { at: start });
      const p4Before = first.snapshot.byId.get('p4')?.popularity ?? NaN;
      await record([event('eve', 'p4', 'purchase', start + 3 * day), event('fay', 'p4', 'purchase', start + 3 * day)]);
      await vi.waitFor(async () => expect(await popularityOf('p4')).toBeGreaterThan(p4Before), { timeout: 10_000, interval: 50 });
      const refreshed = await ranker.state();
      const full = await loadCatalogueSnapshot(graph, Date.now());
      expect(relative(refreshed.snapshot.byId.get('p4')?.popularity ?? NaN, full.byId.get('p4')?.popularity ?? NaN)).toBeLessThan(1e-9);
      expect(full.byId.get('p5')?.popularity).toBeGreaterThan(0);
      expect(refreshed.snapshot.byId.get('p5')?.popularity).toBe(0);

      ranker.invalidate();
      const reloaded = await ranker.state();
      expect(relative(reloaded.snapshot.byId.get('p5')?.popularity ?? NaN, full.byId.get('p5')?.popularity ?? NaN)).toBeLessThan(1e-9);
    } finally {
      ranker.close();
    }
  });

  it('moves only popularity while the lists are young: every other part of the state is kept, the lists it ranks equal a full load', async () => {
    const ranker = feedRanker({ listsOnThisThread: true });
    // Without a feed every reload reads the whole catalogue; its young lists are kept as the refreshed ranker's are.
    const whole = feedRanker({ listsOnThisThread: true, profileCache: undefined });
    try {
      const [first] = await Promise.all([ranker.state(), whole.state()]);
      const least = first.snapshot.products.at(-1)?.id as string;
      await record([event('jon', least, 'purchase', start + 4 * day), event('kim', least, 'purchase', start + 4 * day), event('jon', 'p2', 'view', start + 4 * day)]);
      await vi.waitFor(async () => expect((await ranker.state()).snapshot.byId.get(least)?.purchases).toBeGreaterThan(first.snapshot.byId.get(least)?.purchases ?? 0), { timeout: 10_000, interval: 50 });
      const refreshed = await ranker.state();
      expect(refreshed.snapshot.products.map((product) => product.id)).toEqual(first.snapshot.products.map((product) => product.id));
      for (const part of ['indexOf', 'neighbours', 'links', 'kg', 'itemItem', 'categoryIndex', 'brandIndex', 'weights'] as const) expect(refreshed[part]).toBe(first[part]);
      expect(refreshed.neighboursBuiltAt).toBe(first.neighboursBuiltAt);
      // What a shopper's rows give is derived once, not again after a reload that only moved popularity.
      const rows = (await readProfiles(graph, ['ann'])).get('ann') ?? [];
      expect(rows.length).toBeGreaterThan(0);
      const basis = userBasis(first, 'ann', rows);
      expect(userBasis(refreshed, 'ann', rows)).toBe(basis);
      // Their category and brand interest is built once per snapshot, and again for a new one.
      expect(categoryInterest(first, basis.profile)).toBe(categoryInterest(first, basis.profile));
      expect(brandInterest(first, basis.profile)).toBe(brandInterest(first, basis.profile));
      expect(categoryInterest(refreshed, basis.profile)).not.toBe(categoryInterest(first, basis.profile));
      expect(categoryInterest(refreshed, basis.profile).values).toEqual(categoryInterest(first, basis.profile).values);
      expect(userBasis(await loadRankingState({ graph, modelsDir: tempDir('kgrec-refresh-models-'), relationTypes: config.relationTypes, listsOnThisThread: true }), 'ann', rows)).not.toBe(basis);

      whole.invalidate();
      const fullState = await whole.state();
      expect(fullState.snapshot.products.map((product) => product.id)).not.toEqual(refreshed.snapshot.products.map((product) => product.id));
      for (const product of fullState.snapshot.products) {
        const at = refreshed.indexOf.get(product.id) as number;
        expect(Math.abs((refreshed.popularity[at] as number) - product.popularityScore)).toBeLessThan(1e-6);
        expect(Math.abs((refreshed.recency[at] as number) - product.recencyScore)).toBeLessThan(1e-6);
      }
      for (const userId of ['ann', 'bob', 'jon', 'nobody']) {
        const scored = async (from: FusedRanker) => (await from.recommend(userId, { first: 5 })).items.map((item) => [item.productId, item.score.toFixed(6)]).sort();
        expect(await scored(ranker)).toEqual(await scored(whole));
      }
    } finally {
      ranker.close();
      whole.close();
    }
  });

  it('serves the same state on while nothing changed, lists and all whatever their age, and reloads once a purchase is recorded', async () => {
    // Lists always "too old": only the feed's silence can keep them.
    const ranker = feedRanker({ neighboursMaxAgeMs: 0, listsOnThisThread: true });
    try {
      // Once the changes before the first poll are taken in, reloads find nothing to read.
      let last = await ranker.state();
      let lastLoadedAt = last.loadedAt;
      await vi.waitFor(
        async () => {
          const next = await ranker.state();
          const servedOn = next === last && next.loadedAt > lastLoadedAt;
          last = next;
          lastLoadedAt = next.loadedAt;
          expect(servedOn).toBe(true);
        },
        { timeout: 10_000, interval: 150 },
      );
      const served = last;
      await record([event('gus', 'p1', 'purchase', start + 3 * day), event('gus', 'p2', 'purchase', start + 3 * day)]);
      await vi.waitFor(async () => expect(await ranker.state()).not.toBe(served), { timeout: 10_000, interval: 50 });
      expect((await ranker.state()).neighboursBuiltAt).toBeGreaterThan(served.neighboursBuiltAt);
    } finally {
      ranker.close();
    }
  });
});

describe('loadRankingState', () => {
  const options = () => ({ graph, modelsDir: tempDir('kgrec-refresh-models-'), relationTypes: config.relationTypes, neighboursMaxAgeMs: 0, listsOnThisThread: true });

  it('keeps the previous neighbour lists, whatever their age, while the feeds say nothing they rest on changed', async () => {
    const settings = options();
    const first = await loadRankingState(settings, Date.now());
    const kept = await loadRankingState(settings, Date.now() + 1_000, first, { products: new Set(), listsCurrent: true });
    expect(kept.neighboursBuiltAt).toBe(first.neighboursBuiltAt);
    const rebuilt = await loadRankingState(settings, Date.now() + 2_000, first, { products: new Set(), listsCurrent: false });
    expect(rebuilt.neighboursBuiltAt).toBeGreaterThan(first.neighboursBuiltAt);
  });

  it('stamps the model files: another fusion fit or active version changes the stamp', async () => {
    const modelsDir = tempDir('kgrec-stamp-models-');
    expect(await modelFilesStamp({ modelsDir })).toBe('no model');
    mkdirSync(path.join(modelsDir, 'v1'));
    writeFileSync(path.join(modelsDir, 'active'), 'v1\n');
    const bare = await modelFilesStamp({ modelsDir });
    const fusion = path.join(modelsDir, 'v1', FUSION_FILE);
    writeFileSync(fusion, '{}');
    utimesSync(fusion, new Date(1_000_000), new Date(1_000_000));
    const fitted = await modelFilesStamp({ modelsDir });
    expect(fitted).not.toBe(bare);
    utimesSync(fusion, new Date(2_000_000), new Date(2_000_000));
    expect(await modelFilesStamp({ modelsDir })).not.toBe(fitted);
    expect(await modelFilesStamp({ modelsDir, modelVersion: 'v2' })).not.toBe(await modelFilesStamp({ modelsDir }));
  });
});
