import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import { recordCatalogueChange, type CatalogueWatch } from '../graph/catalogueChanges.js';
import type { Graph, Transaction } from '../graph/graph.js';
import {
  readBehaviours,
  readCategories,
  readChildCategories,
  readProductAttributes,
  readProducts,
  readRelations,
  readUsers,
  type BehaviourData,
  type CategoryData,
  type NamedRef,
  type ProductAttributeRow,
  type ProductData,
  type RelationData,
} from '../graph/shopReads.js';
import type { TrainingJobs } from '../jobs/trainingJobs.js';
import type { Ranker } from '../ranking/types.js';
import type { Principal } from './auth.js';
import type { ExperimentAssigner } from './experimentAssigner.js';
import type { ExperimentMetrics } from './experimentMetrics.js';
import type { VariantRankers } from './variantRankers.js';
import type { Shopper } from './shopperTokens.js';
import type { ServedListLog } from './servedListLog.js';
import type { ApiConfig } from './config.js';
import { clearEntityCaches, createEntityCaches, type EntityCaches } from './entityCache.js';

/**
 * Per-request state. The DataLoaders collect every id asked for while one level of the query resolves and
 * fetch them with one query, so a 50-item list costs one query per kind of thing, not one per item (and
 * products bring their category and brand along, so those cost none). They live for one request; behind the
 * product and category loaders, rows are shared between requests for a few seconds (entityCache.ts): the
 * catalogue is the same for everyone, and catalogue edits through the API clear it.
 */

/** The most behaviours a user's `behaviours` field can list (its `first` is capped at this). */
export const MAX_BEHAVIOURS = 100;

export interface Loaders {
  product: DataLoader<string, ProductData | null>;
  category: DataLoader<string, CategoryData | null>;
  children: DataLoader<string, NamedRef[]>;
  userExists: DataLoader<string, boolean>;
  behaviours: DataLoader<string, BehaviourData[]>;
  relations: DataLoader<string, RelationData[]>;
  attributes: DataLoader<string, ProductAttributeRow[]>;
}

export interface ApiContext {
  graph: Graph;
  ranker: Ranker;
  /** The caller's experiment variant (src/api/experimentAssigner.ts), and the rankers variants may ask for. */
  experiments: ExperimentAssigner;
  variantRankers: VariantRankers;
  /** Per-variant Prometheus figures (absent: not counted). */
  experimentMetrics?: ExperimentMetrics | undefined;
  /** Background retraining (admin). */
  jobs: TrainingJobs;
  config: ApiConfig;
  /** Where `kgrec eval` leaves its reports (`<KGREC_HOME>/eval`), read by latestEvaluation. */
  evaluationsDir: string;
  relationTypes: readonly string[];
  /** How far an event's timestamp may lie ahead of the server's clock (the `maxClockSkewSeconds` setting). */
  maxClockSkewSeconds: number;
  /** A role token's principal (null: none). */
  principal: Principal | null;
  /** The shopper a shopper token stands for (null: none); never set together with `principal`. */
  shopper: Shopper | null;
  loaders: Loaders;
  /** Catalogue rows shared by requests (cleared by `catalogueChanged`). */
  caches: EntityCaches;
  /** The watch on the catalogue change marker, told of the versions this process writes (absent: no watch). */
  catalogueWatch?: Pick<CatalogueWatch, 'recordedHere'> | undefined;
  /** The exposure log: each served list's id, and the products of earlier pages. */
  servedLists: ServedListLog;
  logger: Logger;
}

/** After a catalogue edit: shared rows are dropped and the ranker reloads its snapshot. */
export function catalogueChanged(ctx: Pick<ApiContext, 'caches' | 'ranker'> & { variantRankers?: VariantRankers | undefined }): void {
  clearEntityCaches(ctx.caches);
  ctx.ranker.invalidate();
  ctx.variantRankers?.invalidate();
}

/**
 * A change that can also take merchandising rules with it (a product or category deleted, or an edit by
 * another process, which may be a rule's): the catalogue and the rules reload.
 */
export function catalogueAndRulesChanged(ctx: Pick<ApiContext, 'caches' | 'ranker'> & { variantRankers?: VariantRankers | undefined }): void {
  catalogueChanged(ctx);
  ctx.ranker.invalidateRules?.();
}

/**
 * A catalogue edit by a mutation: `work` runs in one transaction which, when the edit changed something
 * (`changed`, default always), also bumps the catalogue change marker, so other API processes reload.
 * After the commit this process applies the change to its own memory at once (`local`, default
 * `catalogueChanged`), and its watch is told the version is its own, so it does not reload twice.
 */
export async function editCatalogue<T>(
  ctx: ApiContext,
  work: (tx: Transaction) => Promise<T>,
  options: { changed?: (result: T) => boolean; local?: () => void } = {},
): Promise<T> {
  const { result, version } = await ctx.graph.transaction(async (tx) => {
    const result = await work(tx);
    return { result, version: (options.changed?.(result) ?? true) ? await recordCatalogueChange(tx) : null };
  });
  if (version !== null) {
    ctx.catalogueWatch?.recordedHere(version);
    (options.local ?? (() => catalogueChanged(ctx)))();
  }
  return result;
}

function groupByKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>();
  for (const row of rows) {
    const group = groups.get(keyOf(row));
    if (group) group.push(row);
    else groups.set(keyOf(row), [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

/** Without shared caches (`caches` omitted) every request reads its rows from Neo4j. */
export function createLoaders(graph: Graph, relationTypes: readonly string[], caches: EntityCaches = createEntityCaches(0)): Loaders {
  const rowsById = <V extends { id: string }>(rows: readonly V[]): Map<string, V> => new Map(rows.map((row) => [row.id, row]));
  return {
    product: new DataLoader((ids) => caches.products.load(ids, async (missing) => rowsById(await readProducts(graph, missing)))),
    category: new DataLoader((ids) => caches.categories.load(ids, async (missing) => rowsById(await readCategories(graph, missing)))),
    children: new DataLoader(async (ids) => groupByKey(ids, await readChildCategories(graph, ids), (row) => row.parentId)),
    userExists: new DataLoader(async (ids) => {
      const users = await readUsers(graph, ids);
      return ids.map((id) => users.has(id));
    }),
    behaviours: new DataLoader(async (ids) => groupByKey(ids, await readBehaviours(graph, ids, MAX_BEHAVIOURS), (row) => row.userId)),
    relations: new DataLoader(async (ids) => groupByKey(ids, await readRelations(graph, ids, relationTypes), (row) => row.from)),
    attributes: new DataLoader(async (ids) => groupByKey(ids, await readProductAttributes(graph, ids), (row) => row.productId)),
  };
}
