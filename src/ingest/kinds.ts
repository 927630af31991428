import type { z } from 'zod';
import { recordCatalogueChange } from '../graph/catalogueChanges.js';
import type { Graph, Transaction } from '../graph/graph.js';
import { lockCategoryTree } from '../graph/catalogueEdits.js';
import { readAllCategories, type CategoryRow } from '../graph/shopReads.js';
import {
  existingIds,
  writeBrands,
  writeCategories,
  writeEvents,
  writeProducts,
  writeRelations,
  writeUsers,
  type EventDifference,
  type ProductRow,
} from '../graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../domain/behaviours.js';
import {
  brandSchema,
  categorySchema,
  eventSchemaFor,
  productSchemaFor,
  relationSchema,
  userSchema,
  type BrandRecord,
  type ClockLimit,
  type CategoryRecord,
  type EventRecord,
  type Kind,
  type ProductRecord,
  type RelationRecord,
  type UserRecord,
} from './records.js';

/** A validated record and where it came from. */
export interface Located<T> {
  file: string;
  line: number;
  value: T;
}

export interface Rejection {
  file: string;
  line: number;
  field: string;
  reason: string;
}

/** A record whose id is stored with other values: not written, the stored one left as it was. */
export interface Conflict {
  file: string;
  line: number;
  id: string;
  differences: EventDifference[];
}

export interface BatchResult {
  /** Records that created or changed something in the graph. */
  written: number;
  /** Records refused by a check against the graph (an unknown product, say). */
  rejected: Rejection[];
  /** Records that clash with what the graph holds under their id (events only). */
  conflicts?: Conflict[];
}

export interface WriteContext {
  graph: Graph;
  now: number;
  /** Who is recorded as `updatedBy` on merchandiser relations. */
  by: string;
}

/** What the generic pipeline needs to know about one kind of record. */
export interface KindHandler<T> {
  schema: z.ZodType<T>;
  /** Records with the same key are duplicates of each other. */
  key(record: T): string;
  /**
   * When set, records are spread over concurrent write lanes by these keys (the ids of the nodes a record
   * locks): transactions running side by side never share a key, so they neither update the same aggregate
   * nor wait on each other's locks (events: the user and the product).
   */
  conflictKeys?(record: T): readonly string[];
  /** Reorders a kind's records when later ones depend on earlier ones (categories: parents first). */
  order?(records: Located<T>[], ctx: WriteContext): Promise<{ ordered: Located<T>[]; rejected: Rejection[] }>;
  writeBatch(batch: Located<T>[], ctx: WriteContext): Promise<BatchResult>;
}

export const reject = <T>(item: Located<T>, field: string, reason: string): Rejection => ({ file: item.file, line: item.line, field, reason });

/** Splits a batch by whether a referenced id exists, in the graph or among ids written earlier in this transaction. */
export function partitionByReference<T>(
  batch: Located<T>[],
  reference: (value: T) => string | undefined,
  known: ReadonlySet<string>,
  field: string,
  what: string,
  hint: string,
): { kept: Located<T>[]; rejected: Rejection[] } {
  const kept: Located<T>[] = [];
  const rejected: Rejection[] = [];
  for (const item of batch) {
    const id = reference(item.value);
    if (id === undefined || known.has(id)) kept.push(item);
    else rejected.push(reject(item, field, `unknown ${what} ${JSON.stringify(id)}${hint}`));
  }
  return { kept, rejected };
}

/**
 * Awaits a catalogue write and, when it changed anything, records a catalogue change in the same
 * transaction: running APIs reload their catalogue within a poll (src/graph/catalogueChanges.ts).
 */
export async function changingCatalogue(tx: Transaction, write: Promise<number>): Promise<number> {
  const written = await write;
  if (written > 0) await recordCatalogueChange(tx);
  return written;
}

const categories: KindHandler<CategoryRecord> = {
  schema: categorySchema,
  key: (record) => record.id,
  // Parents must be written before their children, wherever they appear in the files; cycles are refused.
  async order(records, ctx) {
    const byId = new Map(records.map((item) => [item.value.id, item]));
    // The tree as it stands (small in any shop): a file may hang a category below one of its own
    // descendants in the graph, a cycle no record of the file shows by itself.
    const graphParent = new Map((await readAllCategories(ctx.graph)).map((row) => [row.id, row.parentId ?? undefined]));
    const parentAfter = (id: string): string | undefined => byId.get(id)?.value.parentId ?? graphParent.get(id);
    const rejected: Rejection[] = [];
    const depth = new Map<string, number>();
    const depthOf = (id: string, path: Set<string>): number => {
      const cached = depth.get(id);
      if (cached !== undefined) return cached;
      const item = byId.get(id);
      const parentId = item?.value.parentId;
      if (!item || parentId === undefined || !byId.has(parentId)) return 0;
      if (path.has(parentId)) return Number.POSITIVE_INFINITY;
      path.add(id);
      const value = depthOf(parentId, path) + 1;
      depth.set(id, value);
      return value;
    };
    const ordered: Located<CategoryRecord>[] = [];
    const refused = new Set<string>();
    for (const item of records) {
      const { id, parentId } = item.value;
      let problem: string | undefined;
      if (parentId === id) problem = 'a category cannot be its own parent';
      else if (parentId !== undefined && !byId.has(parentId) && !graphParent.has(parentId)) problem = `unknown category ${JSON.stringify(parentId)}`;
      else if (!Number.isFinite(depthOf(id, new Set())) || closesCycle(id, parentAfter, byId.size + graphParent.size)) problem = `parent chain of ${JSON.stringify(id)} forms a cycle`;
      if (problem === undefined) ordered.push(item);
      else {
        rejected.push(reject(item, 'parentId', problem));
        refused.add(id);
      }
    }
    // A child whose ancestor was refused cannot be linked either.
    const kept = ordered.filter((item) => {
      for (let parentId = item.value.parentId; parentId !== undefined; parentId = byId.get(parentId)?.value.parentId) {
        if (refused.has(parentId)) {
          rejected.push(reject(item, 'parentId', `parent category ${JSON.stringify(item.value.parentId)} was rejected`));
          return false;
        }
      }
      return true;
    });
    kept.sort((a, b) => (depth.get(a.value.id) ?? 0) - (depth.get(b.value.id) ?? 0));
    return { ordered: kept, rejected };
  },
  // `order` checked the parents against the tree as read before the first batch; a move committed since
  // (the API, another ingestion) could close a cycle with this batch. So a batch that names parents takes
  // the tree's lock, which every move takes, and checks again against the tree as it stands under it. (A
  // row naming the parent it already has could skip it only if read under the lock: a move committed
  // after an unlocked read would be undone unchecked.)
  async writeBatch(batch, ctx) {
    return ctx.graph.transaction(async (tx) => {
      const moves = batch.some((item) => item.value.parentId !== undefined);
      if (moves) await lockCategoryTree(tx);
      const { kept, rejected } = moves ? withoutCycles(batch, await readAllCategories(tx)) : { kept: batch, rejected: [] };
      const written = await changingCatalogue(tx, writeCategories(tx, kept.map((item) => item.value), ctx.now));
      return { written, rejected };
    });
  },
};

/**
 * The batch's categories whose parent keeps the tree acyclic, taken in order on top of `tree` (each kept
 * one joins it); the others rejected on `parentId`.
 */
function withoutCycles(batch: readonly Located<CategoryRecord>[], tree: readonly CategoryRow[]): { kept: Located<CategoryRecord>[]; rejected: Rejection[] } {
  const parentOf = new Map(tree.map((row) => [row.id, row.parentId ?? undefined]));
  const kept: Located<CategoryRecord>[] = [];
  const rejected: Rejection[] = [];
  for (const item of batch) {
    const { id, parentId } = item.value;
    if (closesCycle(id, (at) => (at === id ? parentId : parentOf.get(at)), parentOf.size + 1)) {
      rejected.push(reject(item, 'parentId', `parent chain of ${JSON.stringify(id)} forms a cycle with a move made while the file was read`));
      continue;
    }
    // A row without a parent keeps the one it has (writeCategories).
    if (parentId !== undefined) parentOf.set(id, parentId);
    kept.push(item);
  }
  return { kept, rejected };
}

/**
 * Whether following `parentOf` up from `id` comes back to `id`. A walk longer than `bound` (the number of
 * categories there can be) also counts: only a cycle above `id` makes one.
 */
function closesCycle(id: string, parentOf: (category: string) => string | undefined, bound: number): boolean {
  let steps = 0;
  for (let at = parentOf(id); at !== undefined; at = parentOf(at)) if (at === id || (steps += 1) > bound) return true;
  return false;
}

const brands: KindHandler<BrandRecord> = {
  schema: brandSchema,
  key: (record) => record.id,
  async writeBatch(batch, ctx) {
    const written = await ctx.graph.transaction((tx) => changingCatalogue(tx, writeBrands(tx, batch.map((item) => item.value), ctx.now)));
    return { written, rejected: [] };
  },
};

const users: KindHandler<UserRecord> = {
  schema: userSchema,
  key: (record) => record.id,
  async writeBatch(batch, ctx) {
    const written = await ctx.graph.transaction((tx) => writeUsers(tx, batch.map((item) => item.value.id), ctx.now));
    return { written, rejected: [] };
  },
};

/** The graph's row for a validated product record: only what it carries, so absent fields stay as they are. */
export function productRow(record: ProductRecord): ProductRow {
  const props: ProductRow['props'] = { title: record.title };
  if (record.description !== undefined) props.description = record.description;
  if (record.price !== undefined) props.price = record.price;
  if (record.currency !== undefined) props.currency = record.currency;
  if (record.inStock !== undefined) props.inStock = record.inStock;
  return { id: record.id, props, categoryId: record.categoryId, brandId: record.brandId, createdAt: record.createdAt, attributes: record.attributes };
}

const products = (clock: ClockLimit): KindHandler<ProductRecord> => ({
  schema: productSchemaFor(clock),
  key: (record) => record.id,
  async writeBatch(batch, ctx) {
    return ctx.graph.transaction(async (tx) => {
      const knownCategories = await existingIds(tx, 'Category', batch.flatMap((item) => item.value.categoryId ?? []));
      const knownBrands = await existingIds(tx, 'Brand', batch.flatMap((item) => item.value.brandId ?? []));
      const byCategory = partitionByReference(batch, (v) => v.categoryId, knownCategories, 'categoryId', 'category', ' (ingest categories first)');
      const byBrand = partitionByReference(byCategory.kept, (v) => v.brandId, knownBrands, 'brandId', 'brand', ' (ingest brands first)');
      const written = await changingCatalogue(tx, writeProducts(tx, byBrand.kept.map((item) => productRow(item.value)), ctx.now));
      return { written, rejected: [...byCategory.rejected, ...byBrand.rejected] };
    });
  },
});

const events = (clock: ClockLimit): KindHandler<EventRecord> => ({
  schema: eventSchemaFor(clock),
  key: (record) => record.id,
  conflictKeys: (record) => [record.userId, record.productId],
  async writeBatch(batch, ctx) {
    const result = await ctx.graph.transaction(
      (tx) => writeEvents(tx, batch.map((item) => item.value), (type) => BEHAVIOUR_RELATIONSHIP[type as EventType], ctx.now),
      { retryUniquenessRaces: true },
    );
    // Ids are unique within a batch (the validator rejects a repeated id with other values).
    const differencesOf = new Map(result.conflicts.map((conflict) => [conflict.id, conflict.differences]));
    const conflicts: Conflict[] = [];
    const rejected: Rejection[] = [];
    for (const item of batch) {
      const differences = differencesOf.get(item.value.id);
      if (differences) conflicts.push({ file: item.file, line: item.line, id: item.value.id, differences });
      else if (result.unknownProducts.has(item.value.productId)) rejected.push(reject(item, 'productId', `unknown product ${JSON.stringify(item.value.productId)}`));
    }
    return { written: result.created, rejected, conflicts };
  },
});

function relations(allowedTypes: readonly string[]): KindHandler<RelationRecord> {
  return {
    schema: relationSchema(allowedTypes),
    key: (record) => `${record.from}\u0001${record.type}\u0001${record.to}`,
    async writeBatch(batch, ctx) {
      return ctx.graph.transaction(async (tx) => {
        const selfLinks = batch.filter((item) => item.value.from === item.value.to);
        const candidates = batch.filter((item) => item.value.from !== item.value.to);
        const known = await existingIds(tx, 'Product', candidates.flatMap((item) => [item.value.from, item.value.to]));
        const byFrom = partitionByReference(candidates, (v) => v.from, known, 'from', 'product', '');
        const byTo = partitionByReference(byFrom.kept, (v) => v.to, known, 'to', 'product', '');
        const written = await changingCatalogue(tx, writeRelations(tx, byTo.kept.map((item) => item.value), ctx.by, ctx.now));
        return {
          written,
          rejected: [
            ...selfLinks.map((item) => reject(item, 'to', 'a product cannot be related to itself')),
            ...byFrom.rejected,
            ...byTo.rejected,
          ],
        };
      });
    },
  };
}

/** What a kind's records are checked against beyond their own fields. */
export interface KindSettings {
  relationTypes: readonly string[];
  /** Times later than this clock plus its skew are refused. */
  clock: ClockLimit;
}

// The union is erased to `unknown` here: each handler is only ever fed records its own schema produced.
export function handlerFor(kind: Kind, settings: KindSettings): KindHandler<unknown> {
  const handlers: Record<Kind, () => unknown> = {
    categories: () => categories,
    brands: () => brands,
    users: () => users,
    products: () => products(settings.clock),
    events: () => events(settings.clock),
    relations: () => relations(settings.relationTypes),
  };
  return handlers[kind]() as KindHandler<unknown>;
}
