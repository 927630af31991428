import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { Graph } from '../graph/graph.js';
import {
  readBehaviours,
  readCategories,
  readChildCategories,
  readProducts,
  readRelations,
  readUsers,
  type BehaviourData,
  type CategoryData,
  type NamedRef,
  type ProductData,
  type RelationData,
} from '../graph/shopReads.js';
import type { TrainingJobs } from '../jobs/trainingJobs.js';
import type { Ranker } from '../ranking/types.js';
import type { Principal } from './auth.js';
import type { ApiConfig } from './config.js';

/**
 * Per-request state. The DataLoaders collect every id asked for while one level of the query resolves and
 * fetch them with one query, so a 50-item list costs one query per kind of thing, not one per item (and
 * products bring their category and brand along, so those cost none). They live for one request only: nothing cached leaks between requests or users.
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
}

export interface ApiContext {
  graph: Graph;
  ranker: Ranker;
  /** Background retraining (admin). */
  jobs: TrainingJobs;
  config: ApiConfig;
  relationTypes: readonly string[];
  principal: Principal | null;
  loaders: Loaders;
  logger: Logger;
}

/** Orders rows by the keys asked for; DataLoader needs one answer per key, in order. */
function byKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (row: V) => K): Array<V | null> {
  const found = new Map<K, V>();
  for (const row of rows) if (!found.has(keyOf(row))) found.set(keyOf(row), row);
  return keys.map((key) => found.get(key) ?? null);
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

export function createLoaders(graph: Graph, relationTypes: readonly string[]): Loaders {
  return {
    product: new DataLoader(async (ids) => byKey(ids, await readProducts(graph, ids), (row) => row.id)),
    category: new DataLoader(async (ids) => byKey(ids, await readCategories(graph, ids), (row) => row.id)),
    children: new DataLoader(async (ids) => groupByKey(ids, await readChildCategories(graph, ids), (row) => row.parentId)),
    userExists: new DataLoader(async (ids) => {
      const users = await readUsers(graph, ids);
      return ids.map((id) => users.has(id));
    }),
    behaviours: new DataLoader(async (ids) => groupByKey(ids, await readBehaviours(graph, ids, MAX_BEHAVIOURS), (row) => row.userId)),
    relations: new DataLoader(async (ids) => groupByKey(ids, await readRelations(graph, ids, relationTypes), (row) => row.from)),
  };
}
