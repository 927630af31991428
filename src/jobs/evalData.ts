import type { Graph } from '../graph/graph.js';
import { readCatalogueProducts, readProductLinks, streamEvents, type CatalogueProductRow, type ProductLink } from '../graph/rankingReads.js';
import { readAllCategories, readBrands } from '../graph/shopReads.js';
import type { CategoryRow, NamedRef } from '../graph/shopReads.js';
import { generateDemoShop } from '../demo/generate.js';
import type { DemoShop, DemoShopOptions } from '../demo/model.js';
import { holdoutRandomFraction } from '../eval/holdout.js';
import { interactionsFromPairs, type InteractionMatrix } from '../math/interactions.js';
import { KG_FILE, loadKgatInteractions, loadKgatKnowledgeGraph } from '../eval/kgat.js';
import { attributeKnowledgeGraph, type ItemKnowledgeGraph } from '../recommenders/knowledgeGraph.js';
import { BEHAVIOUR_RELATIONSHIP, HIDDEN_RELATIONSHIP, type EventType } from '../domain/behaviours.js';
import { readShopKnowledgeGraph } from '../ranking/shopKnowledgeGraph.js';

/**
 * The material of an offline evaluation, whatever its source: a catalogue, the behaviour models may learn
 * from (`fit`), and two sets of held-out purchases: `valid` to fit the fusion weights, `test` for the
 * figures. Time splits keep the future out of `fit`; benchmark splits are used as published.
 */

/** A product with what the ranker and TransE read of it (as `readCatalogueProducts` returns it). */
export type EvalProduct = CatalogueProductRow;

/** One aggregated behaviour: a user's `count` events of one kind on one product. */
export interface EvalBehaviour {
  user: number;
  item: number;
  relationship: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface EvalData {
  dataset: string;
  /** What the figures rest on, e.g. "interactions only, no knowledge graph". */
  note: string;
  users: string[];
  /** Item index → product; the item order of every matrix. */
  products: EvalProduct[];
  categories: CategoryRow[];
  brands: NamedRef[];
  relations: ProductLink[];
  /** The knowledge graph around the products (items keyed `Product:<id>`), where the data has one. */
  kg?: ItemKnowledgeGraph | null;
  fit: EvalBehaviour[];
  /** Behaviour of the validation period (time splits): history at test time, unseen by the trained models. */
  validBehaviour: EvalBehaviour[];
  valid: InteractionMatrix;
  test: InteractionMatrix;
  /** End of the fit period: behaviour after it is "new since training" to the ranker. */
  fitEndsAt: number;
  /** End of the validation period (the test period starts here). */
  validEndsAt: number;
}

/** Shares of the event period held out: the last 20 % for test, the 10 % before it for validation. */
export const TEST_SHARE = 0.2;
export const VALID_SHARE = 0.1;

interface RawEvent {
  user: number;
  item: number;
  relationship: string;
  timestamp: number;
}

/** Aggregates events per (user, item, relationship), as the graph does. */
function aggregate(events: readonly RawEvent[]): EvalBehaviour[] {
  const byKey = new Map<string, EvalBehaviour>();
  for (const event of events) {
    const key = `${event.user}\u0000${event.item}\u0000${event.relationship}`;
    const found = byKey.get(key);
    if (found) {
      found.count += 1;
      found.firstAt = Math.min(found.firstAt, event.timestamp);
      found.lastAt = Math.max(found.lastAt, event.timestamp);
    } else byKey.set(key, { user: event.user, item: event.item, relationship: event.relationship, count: 1, firstAt: event.timestamp, lastAt: event.timestamp });
  }
  return [...byKey.values()];
}

/**
 * A time split of a shop's events: the cut times are quantiles of the event times. Held-out sets are the
 * purchases of users seen before the cut, of products they had not bought before it.
 */
export function timeSplit(
  base: Omit<EvalData, 'fit' | 'validBehaviour' | 'valid' | 'test' | 'fitEndsAt' | 'validEndsAt'>,
  events: readonly RawEvent[],
): EvalData {
  const times = events.map((event) => event.timestamp).sort((a, b) => a - b);
  const at = (share: number): number => times[Math.min(times.length - 1, Math.floor(share * times.length))] ?? 0;
  const testFrom = at(1 - TEST_SHARE);
  const validFrom = at(1 - TEST_SHARE - VALID_SHARE);
  const fitEvents = events.filter((event) => event.timestamp < validFrom);
  const validEvents = events.filter((event) => event.timestamp >= validFrom && event.timestamp < testFrom);
  const seen = new Set(fitEvents.map((event) => event.user));
  const bought = new Set(fitEvents.filter((event) => event.relationship === 'PURCHASED').map((event) => `${event.user}:${event.item}`));
  const heldOut = (period: readonly RawEvent[], known: Set<string>): InteractionMatrix => {
    const pairs = period.filter((event) => event.relationship === 'PURCHASED' && seen.has(event.user) && !known.has(`${event.user}:${event.item}`));
    return interactionsFromPairs(Int32Array.from(pairs, (pair) => pair.user), Int32Array.from(pairs, (pair) => pair.item), base.users.length, base.products.length);
  };
  const valid = heldOut(validEvents, bought);
  const boughtByTest = new Set([...bought, ...validEvents.filter((event) => event.relationship === 'PURCHASED').map((event) => `${event.user}:${event.item}`)]);
  const test = heldOut(
    events.filter((event) => event.timestamp >= testFrom),
    boughtByTest,
  );
  return { ...base, fit: aggregate(fitEvents), validBehaviour: aggregate(validEvents), valid, test, fitEndsAt: validFrom, validEndsAt: testFrom };
}

/** A freshly generated demo shop, split by time. */
export function demoEvalData(options: DemoShopOptions = {}): EvalData {
  return demoShopEvalData(generateDemoShop(options));
}

/** A generated demo shop, split by time. */
export function demoShopEvalData(shop: DemoShop): EvalData {
  const userIndex = new Map(shop.users.map((user, index) => [user.id, index]));
  const itemIndex = new Map(shop.products.map((product, index) => [product.id, index]));
  const events: RawEvent[] = [];
  for (const event of shop.events) {
    const user = userIndex.get(event.userId);
    const item = itemIndex.get(event.productId);
    const relationship = BEHAVIOUR_RELATIONSHIP[event.type as EventType];
    if (user === undefined || item === undefined || relationship === undefined) continue;
    events.push({ user, item, relationship, timestamp: Date.parse(event.timestamp) });
  }
  const kg = attributeKnowledgeGraph(shop.products);
  const attributes = kg ? `, with its product attributes as knowledge graph (${kg.heads.length.toLocaleString('en-US')} triples): fused-no-kg is the same ranking without them` : '';
  return timeSplit(
    {
      dataset: 'demo',
      note: `generated demo shop, time split (last 20 % of the period for test, the 10 % before for validation)${attributes}`,
      users: shop.users.map((user) => user.id),
      products: shop.products,
      categories: shop.categories.map((category) => ({ id: category.id, name: category.name, parentId: category.parentId ?? null })),
      brands: shop.brands,
      relations: shop.relations.map((relation) => ({ from: relation.from, to: relation.to, type: relation.type, weight: relation.weight ?? 1 })),
      kg,
    },
    events,
  );
}

/**
 * KGAT's split, as published: test.txt is the test set; a seeded 10 % of each user's train.txt items
 * becomes the validation set (for the fusion weights) and the rest is what every model trains on.
 */
export async function kgatEvalData(dir: string, name: string): Promise<EvalData> {
  const split = await loadKgatInteractions(dir);
  const { kept, heldOut } = holdoutRandomFraction(split.train, { fraction: VALID_SHARE, seed: 7 });
  const fit: EvalBehaviour[] = [];
  for (let user = 0; user < kept.userCount; user += 1) {
    for (let p = kept.indptr[user] as number; p < (kept.indptr[user + 1] as number); p += 1) {
      fit.push({ user, item: kept.indices[p] as number, relationship: 'PURCHASED', count: 1, firstAt: 0, lastAt: 0 });
    }
  }
  const validBehaviour: EvalBehaviour[] = [];
  for (let user = 0; user < heldOut.userCount; user += 1) {
    for (let p = heldOut.indptr[user] as number; p < (heldOut.indptr[user + 1] as number); p += 1) {
      validBehaviour.push({ user, item: heldOut.indices[p] as number, relationship: 'PURCHASED', count: 1, firstAt: 1, lastAt: 1 });
    }
  }
  const kg = await loadKgatKnowledgeGraph(dir, split.itemCount);
  const note = kg
    ? `KGAT split with its knowledge graph (${KG_FILE}: ${kg.heads.length.toLocaleString('en-US')} triples, ${(kg.nodeKeys.length - kg.itemCount).toLocaleString('en-US')} entities besides the items, ${kg.relationNames.length} relations): TransE trains on the KG triples and the kg signal ranks through shared entities; fused-no-kg is the same ranking without any KG triple`
    : `interactions only: the knowledge-graph file ${KG_FILE} is not in this copy, so no model here uses a knowledge graph`;
  return {
    dataset: name,
    note,
    users: Array.from({ length: split.userCount }, (_, user) => String(user)),
    products: Array.from({ length: split.itemCount }, (_, item) => ({ id: String(item), title: '', description: null, categoryId: null, brandId: null, price: null, inStock: true })),
    categories: [],
    brands: [],
    relations: [],
    kg,
    fit,
    validBehaviour,
    valid: heldOut,
    test: split.test,
    fitEndsAt: 0.5,
    validEndsAt: 1.5,
  };
}

/** The shop in Neo4j (its raw event log and catalogue), split by time like the demo. */
export async function graphEvalData(graph: Graph, relationTypes: readonly string[]): Promise<EvalData> {
  const [products, categories, brands, relations, kg] = await Promise.all([
    readCatalogueProducts(graph),
    readAllCategories(graph),
    readBrands(graph),
    readProductLinks(graph, relationTypes),
    readShopKnowledgeGraph(graph),
  ]);
  const itemIndex = new Map(products.map((product, index) => [product.id, index]));
  const userIndex = new Map<string, number>();
  const events: RawEvent[] = [];
  for await (const event of streamEvents(graph)) {
    const item = itemIndex.get(event.productId);
    const relationship = BEHAVIOUR_RELATIONSHIP[event.type as EventType] as string | undefined;
    // Hides are negative feedback, not an interaction to predict or learn from (impressions have no aggregate).
    if (item === undefined || relationship === undefined || relationship === HIDDEN_RELATIONSHIP || !Number.isFinite(event.timestamp)) continue;
    let user = userIndex.get(event.userId);
    if (user === undefined) {
      user = userIndex.size;
      userIndex.set(event.userId, user);
    }
    events.push({ user, item, relationship, timestamp: event.timestamp });
  }
  if (events.length === 0) throw new Error('kgrec eval: the graph has no behaviour events to evaluate on');
  return timeSplit(
    {
      dataset: 'graph',
      note: `the shop in Neo4j, time split (last 20 % of the event period for test, the 10 % before for validation)${
        kg
          ? `, with its knowledge graph (${kg.heads.length.toLocaleString('en-US')} KG_RELATION and product attribute triples): fused-no-kg is the same ranking without them`
          : ', no knowledge-graph triples (KG_RELATION or product attributes)'
      }`,
      users: [...userIndex.keys()],
      products,
      categories,
      brands,
      relations,
      kg,
    },
    events,
  );
}
