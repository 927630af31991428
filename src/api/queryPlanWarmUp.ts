/**
 * Neo4j plans a query again for each size class of its list and string parameters: sizes 0 and 1 exactly,
 * then the next power of ten (2–10, 11–100, 101–1,000, …). Planning one of the serving path's queries
 * costs Neo4j 0.1–0.9 s of CPU on every core it has, so on a small machine the first request, or the first
 * reload, that brings a new size class stalls everything else running there (decision record 0024, fifth
 * pass). Before the API says it is ready, each of those queries is planned once per size class a request
 * or a reload can bring, run for real: reads with ids that match nothing, writes rolled back
 * (`Graph.rollingBack`).
 */
import type { Logger } from 'pino';
import type { Graph } from '../graph/graph.js';
import { writeServedLists, readServedLists, type ServedListRecord } from '../graph/servedLists.js';
import {
  fullTextProductsMany,
  readBehaviours,
  readCategories,
  readChildCategories,
  readPopularity,
  readProductAttributes,
  readProducts,
  readProfiles,
  readRelations,
  readUsers,
} from '../graph/shopReads.js';
import { existingIds, writeEvents, type EventRow } from '../graph/shopWrites.js';
import { DEFAULT_READ_BATCH_SIZE } from '../graph/batchedReads.js';
import { productCoverage } from '../graph/productCoverage.js';
import type { Config } from '../config.js';
import { servedPopularity } from '../ranking/catalogueSnapshot.js';
import type { ApiConfig } from './config.js';
import { MAX_BEHAVIOURS } from './context.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../domain/behaviours.js';
import { timeOrderedUuid } from '../util/timeOrderedId.js';

/** How many items the serving path puts in one query at most, per kind of query. */
export interface WarmUpBounds {
  /** Profiles and full-text queries are batched across requests (src/graph/batchedReads.ts). */
  readBatch: number;
  /** Products, categories, users and their relations asked for in one request (`first`, list filters). */
  requestItems: number;
  /** Events of one `recordEvents` call. */
  events: number;
  /** Served lists per log write. */
  servedBatch: number;
  /** Products a popularity-only reload reads again: any number, so up to the catalogue. */
  catalogue: number;
  relationTypes: readonly string[];
  behavioursPerUser: number;
}

export interface WarmUpSummary {
  /** Statements planned (or run) once per size class. */
  planned: number;
  failed: number;
  ms: number;
}

/** The bounds of this API's settings and catalogue. */
export async function warmUpBounds(graph: Graph, api: ApiConfig, config: Pick<Config, 'relationTypes'>): Promise<WarmUpBounds> {
  const { products } = await productCoverage(graph, []);
  return {
    readBatch: DEFAULT_READ_BATCH_SIZE,
    requestItems: api.maxFirst,
    events: api.maxEventsPerRequest,
    servedBatch: api.servedBatchSize,
    catalogue: products,
    relationTypes: config.relationTypes,
    behavioursPerUser: MAX_BEHAVIOURS,
  };
}

/** One item per size class up to `max`: 1, 10, 100, … and `max` itself for the last class. */
export function sizeClassesUpTo(max: number): number[] {
  const sizes: number[] = [];
  for (let size = 1; size < max; size *= 10) sizes.push(size);
  if (max >= 1) sizes.push(max);
  return sizes;
}

/** Ids no node carries: the reads find nothing and return at once. */
const unknownIds = (count: number): string[] => Array.from({ length: count }, (_, index) => `kgrec-warm-up-${index}`);

interface WarmUpStep {
  name: string;
  largest: number;
  run: (ids: string[]) => Promise<unknown>;
}

function steps(graph: Graph, rollingBack: Graph, bounds: WarmUpBounds, now: number): WarmUpStep[] {
  const popularity = servedPopularity(now);
  return [
    { name: 'profiles', largest: bounds.readBatch, run: (ids) => readProfiles(graph, ids) },
    { name: 'full text', largest: bounds.readBatch, run: (ids) => fullTextProductsMany(graph, ids.map(() => ({ query: 'kgrecwarmup', limit: 10 }))) },
    { name: 'products', largest: bounds.requestItems, run: (ids) => readProducts(graph, ids) },
    { name: 'categories', largest: bounds.requestItems, run: (ids) => readCategories(graph, ids) },
    { name: 'child categories', largest: bounds.requestItems, run: (ids) => readChildCategories(graph, ids) },
    { name: 'users', largest: bounds.requestItems, run: (ids) => readUsers(graph, ids) },
    { name: 'behaviours', largest: bounds.requestItems, run: (ids) => readBehaviours(graph, ids, bounds.behavioursPerUser) },
    { name: 'relations', largest: bounds.requestItems, run: (ids) => readRelations(graph, ids, bounds.relationTypes) },
    { name: 'attributes', largest: bounds.requestItems, run: (ids) => readProductAttributes(graph, ids) },
    { name: 'served lists read', largest: bounds.events, run: (ids) => readServedLists(graph, ids) },
    {
      name: 'popularity refresh',
      largest: bounds.catalogue,
      run: (ids) => readPopularity(graph, popularity, { productIds: ids, previousReference: now }),
    },
    { name: 'served lists write', largest: bounds.servedBatch, run: (ids) => writeServedLists(rollingBack, ids.map((id) => servedList(id, now))) },
    {
      name: 'events write',
      largest: bounds.events,
      // The products are unknown, so the statements that write aggregates for known ones are not reached.
      run: (ids) =>
        rollingBack.transaction(async (tx) => {
          await existingIds(tx, 'Product', ids);
          return writeEvents(tx, ids.map((id) => event(id, now)), (type) => BEHAVIOUR_RELATIONSHIP[type as EventType], now);
        }),
    },
  ];
}

const servedList = (id: string, now: number): ServedListRecord => ({
  servedId: timeOrderedUuid(now),
  userId: id,
  surface: 'recommend',
  at: now,
  productIds: [id],
  experimentId: null,
  variant: null,
});

const event = (id: string, now: number): EventRow => ({ id, userId: id, productId: id, type: 'view', timestamp: now });

/**
 * Plans the serving path's queries once per size class, one after another (each plan takes the machine's
 * cores for a moment). A statement that fails is logged and counted, never thrown: a plan missing here
 * is only made later, on the request that needs it.
 */
export async function warmQueryPlans(graph: Graph, bounds: WarmUpBounds, logger?: Logger, now = Date.now()): Promise<WarmUpSummary> {
  const started = performance.now();
  const rollingBack = graph.rollingBack();
  let planned = 0;
  let failed = 0;
  for (const step of steps(graph, rollingBack, bounds, now)) {
    for (const size of sizeClassesUpTo(step.largest)) {
      try {
        await step.run(unknownIds(size));
        planned += 1;
      } catch (error) {
        failed += 1;
        logger?.warn({ err: error, query: step.name, size }, 'planning a serving query failed; the first request that needs it plans it');
      }
    }
  }
  const summary = { planned, failed, ms: Math.round(performance.now() - started) };
  logger?.info(summary, 'serving queries planned');
  return summary;
}
