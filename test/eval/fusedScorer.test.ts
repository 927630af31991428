import { describe, expect, it } from 'vitest';
import { randomShopModel } from '../ranking/randomShopModel.js';
import type { Graph } from '../../src/graph/graph.js';
import { HIDDEN_RELATIONSHIP } from '../../src/domain/behaviours.js';
import { ServedFusionScorer, scoreStandardised, snapshotItemOrder } from '../../src/eval/fusedScorer.js';
import { offlineState, profileRows } from '../../src/jobs/evaluateRecommenders.js';
import { interactionsFromPairs } from '../../src/math/interactions.js';
import { topIndices } from '../../src/math/topK.js';
import { FusedRanker } from '../../src/ranking/fusedRanker.js';
import { fuse } from '../../src/ranking/fusionKernel.js';
import type { FusionWeights } from '../../src/ranking/fusionWeights.js';
import type { ItemItemSpec } from '../../src/ranking/itemItemSignal.js';
import { maskKnownItems } from '../../src/recommenders/scorer.js';

const FIRST = 20;

const shopAndModel = () => randomShopModel({ products: 400, users: 120, events: 6_000, seed: 5 }, 19);

/** Fitted-looking weights: every signal the shop feeds, the item × item one and the KG interest among them. */
const WEIGHTS: FusionWeights = { graph: 0.3, coBought: 0.1, related: 0, text: 0.1, popularity: 0.1, recency: 0.05, category: 0.1, brand: 0.05, kg: 0, kgInterest: 0.1, itemItem: 0.2 };
const ITEM_ITEM: ItemItemSpec = { model: 'rp3beta', params: { alpha: 0.5, beta: 0.3, neighbours: 30 } };
const EASE_ITEM_ITEM: ItemItemSpec = { model: 'ease', params: { l2: 25, neighbours: 50 } };

describe('the offline fused scorer', () => {
  it.each([ITEM_ITEM, EASE_ITEM_ITEM])('ranks each user as the served ranker does, for the same state (itemItem $model)', (itemItem) => {
    const { data, model } = shopAndModel();
    const state = offlineState(data, model, data.fit, null, { fitted: WEIGHTS, itemItem });
    expect(state.itemItem?.spec).toEqual(itemItem);
    const rows = profileRows(data, data.fit);
    const itemCount = data.products.length;
    const purchases = data.fit.filter((row) => row.relationship === 'PURCHASED');
    const bought = interactionsFromPairs(Int32Array.from(purchases, (row) => row.user), Int32Array.from(purchases, (row) => row.item), data.users.length, itemCount);
    const itemOf = snapshotItemOrder(state, data.products.map((product) => product.id));
    const scorer = new ServedFusionScorer(state, data.users, rows, itemOf, 'fused');
    const ranker = new FusedRanker({ graph: null as unknown as Graph, modelsDir: '', relationTypes: [], watchModels: false });

    const users = Int32Array.from(rows.flatMap((userRows, user) => (userRows.length > 0 ? [user] : [])).slice(0, 40));
    expect(users.length).toBe(40);
    const out = new Float32Array(users.length * itemCount);
    scorer.scoreUsers(users, out);
    maskKnownItems(bought, users, out, itemCount);
    let withItemItem = 0;
    let withKgInterest = 0;
    users.forEach((user, b) => {
      const offline = topIndices(out.subarray(b * itemCount, (b + 1) * itemCount), FIRST);
      const served = ranker.rankForUser(state, data.users[user] ?? '', rows[user] ?? [], { first: FIRST, diversity: 0 });
      expect(offline).toEqual(served.page.map((position) => itemOf[position]));
      if (served.fused.signals.itemItem?.some((value) => value > 0)) withItemItem += 1;
      if (served.fused.signals.kgInterest?.some((value) => value !== 0)) withKgInterest += 1;
    });
    expect(withItemItem).toBeGreaterThan(30);
    expect(withKgInterest).toBeGreaterThan(30);
  });


  it('applies a user\'s hides as the served ranker does: the hidden product out, its neighbours lowered', () => {
    const { data, model } = shopAndModel();
    const state = offlineState(data, model, data.fit, null, { fitted: WEIGHTS, itemItem: ITEM_ITEM });
    const rows = profileRows(data, data.fit);
    const itemCount = data.products.length;
    const itemOf = snapshotItemOrder(state, data.products.map((product) => product.id));
    const ranker = new FusedRanker({ graph: null as unknown as Graph, modelsDir: '', relationTypes: [], watchModels: false });
    const user = rows.findIndex((userRows) => userRows.length > 0);
    const scoresOf = (userRows: typeof rows) => {
      const out = new Float32Array(itemCount);
      new ServedFusionScorer(state, data.users, userRows, itemOf, 'fused').scoreUsers(Int32Array.of(user), out);
      return out;
    };
    const before = scoresOf(rows);
    // Hide the user's best-scored product that has co-behaviour neighbours.
    const order = topIndices(before, itemCount);
    const hiddenPosition = order.map((item) => state.indexOf.get(data.products[item]?.id ?? '') ?? -1).find((position) => state.neighbours.indptr[position + 1]! > state.neighbours.indptr[position]!);
    expect(hiddenPosition).toBeDefined();
    const hiddenItem = itemOf[hiddenPosition!]!;
    const neighbour = itemOf[state.neighbours.indices[state.neighbours.indptr[hiddenPosition!]!]!]!;
    const hide = { productId: data.products[hiddenItem]!.id, relationship: HIDDEN_RELATIONSHIP, count: 1, firstAt: data.fitEndsAt, lastAt: data.fitEndsAt };
    const withHide = rows.map((userRows, u) => (u === user ? [...userRows, hide] : userRows));
    const after = scoresOf(withHide);
    expect(after[hiddenItem]).toBe(Number.NEGATIVE_INFINITY);
    expect(after[neighbour]).toBeLessThan(before[neighbour]!);
    const served = ranker.rankForUser(state, data.users[user] ?? '', withHide[user] ?? [], { first: FIRST, diversity: 0 });
    expect(served.page.map((position) => itemOf[position])).not.toContain(hiddenItem);
    expect(served.fused.scores[hiddenPosition!]).toBe(Number.NEGATIVE_INFINITY);
  });
  it('standardises a component over the whole row, as the served fusion does, before masking known items', async () => {
    const itemCount = 6;
    const values = [5, 1, 3, 3, 9, 0];
    const component = { name: 'c', scoreUsers: (_users: Int32Array, out: Float32Array) => out.set(values) };
    const known = interactionsFromPairs(Int32Array.of(0), Int32Array.of(4), 1, itemCount);
    const out = new Float32Array(itemCount);
    await scoreStandardised(component, Int32Array.of(0), out, itemCount, known);
    const served = fuse({ c: Float32Array.from(values) }, { c: 1 }, itemCount);
    for (const item of [0, 1, 2, 3, 5]) expect(out[item]).toBeCloseTo(served[item]!, 6);
    expect(out[4]).toBe(Number.NEGATIVE_INFINITY);
    const constant = { name: 'flat', scoreUsers: (_users: Int32Array, row: Float32Array) => void row.fill(2) };
    await scoreStandardised(constant, Int32Array.of(0), out, itemCount, undefined);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
