import type { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import { Graph } from '../graph/graph.js';
import { readBaskets } from '../graph/rankingReads.js';
import { buildKgSimilarity, type KgSimilarityModel } from '../recommenders/kgSimilarity.js';
import type { ItemKnowledgeGraph } from '../recommenders/knowledgeGraph.js';
import { startModuleWorker } from '../util/moduleWorker.js';
import { buildItemItemIndex, type ItemItemIndex, type ItemItemSpec } from './itemItemSignal.js';
import { buildItemNeighbours, type ItemNeighbours } from './itemNeighbours.js';
import { readShopKnowledgeGraph } from './shopKnowledgeGraph.js';
import { CO_BEHAVIOUR_TYPES } from './weights.js';

/**
 * The ranking state's lists that are built from every shopper's behaviour and from the whole knowledge
 * graph: the co-behaviour neighbours, the served item × item model and the KG similarity. They cost the
 * most of a state's build (seconds at 100,000 products) and are rebuilt only every NEIGHBOURS_MAX_AGE_MS,
 * so the API builds them on a short-lived thread of their own: the ranking thread keeps answering from
 * the state it has meanwhile, instead of stalling every request for the build's length.
 */

export interface BehaviourListsInput {
  /** Each shopper's distinct product indices (snapshot order), as CSR rows: shopper u is indices[indptr[u] .. indptr[u+1]). */
  baskets: { indptr: Int32Array; indices: Int32Array };
  productCount: number;
  /** The item × item model to build, or null when the fusion does not weigh it. */
  itemItem: ItemItemSpec | null;
  knowledgeGraph: ItemKnowledgeGraph | null;
}

/**
 * The same lists with their inputs read by the build thread itself: the baskets (200,000 rows in the demo
 * shop) and the knowledge graph would otherwise be decoded on the ranking thread, between its requests.
 */
export interface BehaviourListsFromNeo4j {
  /** Where the build thread connects (the ranking thread's own settings). */
  neo4j: Config;
  /** The snapshot's product ids, in its order: the lists' indices. */
  productIds: readonly string[];
  itemItem: ItemItemSpec | null;
}

export interface BehaviourLists {
  neighbours: ItemNeighbours;
  itemItem: ItemItemIndex | null;
  kg: KgSimilarityModel | null;
  /** The knowledge graph the KG lists were built from, when the build thread read it (BehaviourListsFromNeo4j). */
  knowledgeGraph?: ItemKnowledgeGraph | null;
}

/** Each shopper's distinct products that the snapshot holds, by snapshot index (shoppers with none left out). */
export function userItemsOf(baskets: Iterable<ReadonlySet<string> | readonly string[]>, indexOf: ReadonlyMap<string, number>): number[][] {
  const userItems: number[][] = [];
  for (const basket of baskets) {
    const items = [...new Set(basket)].map((id) => indexOf.get(id)).filter((index): index is number => index !== undefined);
    if (items.length > 0) userItems.push(items);
  }
  return userItems;
}

/** Reads the baskets and the knowledge graph from Neo4j, then builds the lists from them. */
export async function buildBehaviourListsFromNeo4j(request: BehaviourListsFromNeo4j): Promise<BehaviourLists> {
  const graph = Graph.open(request.neo4j);
  try {
    const [baskets, knowledgeGraph] = await Promise.all([readBaskets(graph, CO_BEHAVIOUR_TYPES), readShopKnowledgeGraph(graph)]);
    const indexOf = new Map(request.productIds.map((id, index) => [id, index]));
    const rows = basketRows(userItemsOf(baskets.values(), indexOf));
    const lists = buildBehaviourLists({ baskets: rows, productCount: request.productIds.length, itemItem: request.itemItem, knowledgeGraph });
    return { ...lists, knowledgeGraph };
  } finally {
    await graph.close();
  }
}

/** Shoppers' product lists as CSR rows (what crosses to the build thread without a copy). */
export function basketRows(userItems: readonly (readonly number[])[]): BehaviourListsInput['baskets'] {
  const indptr = new Int32Array(userItems.length + 1);
  userItems.forEach((items, user) => {
    indptr[user + 1] = (indptr[user] as number) + items.length;
  });
  const indices = new Int32Array(indptr[userItems.length] as number);
  userItems.forEach((items, user) => indices.set(items, indptr[user] as number));
  return { indptr, indices };
}

function basketLists(rows: BehaviourListsInput['baskets']): number[][] {
  const lists: number[][] = [];
  for (let user = 0; user + 1 < rows.indptr.length; user += 1) {
    lists.push(Array.from(rows.indices.subarray(rows.indptr[user] as number, rows.indptr[user + 1] as number)));
  }
  return lists;
}

/** Builds the lists on the calling thread. */
export function buildBehaviourLists(input: BehaviourListsInput): BehaviourLists {
  const userItems = basketLists(input.baskets);
  return {
    neighbours: buildItemNeighbours(userItems.filter((items) => items.length > 1), input.productCount),
    itemItem: input.itemItem ? buildItemItemIndex(userItems, input.productCount, input.itemItem) : null,
    kg: input.knowledgeGraph ? buildKgSimilarity(input.knowledgeGraph) : null,
  };
}

/** Every buffer of the lists, handed over rather than copied. */
export function behaviourListBuffers(lists: BehaviourLists): ArrayBuffer[] {
  const arrays = [lists.neighbours.indptr, lists.neighbours.indices, lists.neighbours.similarities];
  if (lists.itemItem) arrays.push(lists.itemItem.model.indptr, lists.itemItem.model.indices, lists.itemItem.model.similarities);
  if (lists.kg) {
    const { neighbours, entities } = lists.kg;
    arrays.push(neighbours.indptr, neighbours.indices, neighbours.similarities, entities.indptr, entities.nodes, entities.weights, entities.relations, entities.via);
  }
  if (lists.knowledgeGraph) arrays.push(lists.knowledgeGraph.heads, lists.knowledgeGraph.relations, lists.knowledgeGraph.tails);
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}

export type BehaviourListsReply = { lists: BehaviourLists } | { error: { name: string; message: string } };

/**
 * Builds the lists on a thread of their own and resolves with them. A thread that cannot start (or dies)
 * rejects: the caller keeps its previous state and logs, as for any failed reload.
 */
export function buildBehaviourListsOffThread(input: BehaviourListsInput | BehaviourListsFromNeo4j): Promise<BehaviourLists> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = startModuleWorker(import.meta.url, 'behaviourListsThread', input);
    } catch (error) {
      reject(error);
      return;
    }
    let settled = false;
    worker.once('message', (reply: BehaviourListsReply) => {
      settled = true;
      if ('lists' in reply) resolve(reply.lists);
      else reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the behaviour lists' build thread stopped (exit code ${code}) before it answered`));
      settled = true;
    });
  });
}
