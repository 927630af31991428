import { recordAudit } from '../graph/audit.js';
import { deleteProduct, deleteRelation, readProductState, readRelationWeight } from '../graph/catalogueEdits.js';
import type { Transaction } from '../graph/graph.js';
import { deleteProductRules } from '../graph/merchRules.js';
import type { ProductData, RelationData } from '../graph/shopReads.js';
import { readRelations } from '../graph/shopReads.js';
import { existingIds, writeEvents, writeProducts, writeRelations } from '../graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../domain/behaviours.js';
import { adminMutations } from './admin.js';
import { catalogueMutations } from './catalogueMutations.js';
import { catalogueAndRulesChanged, editCatalogue, type ApiContext } from './context.js';
import { badInput } from './errors.js';
import { editor, guard } from './guard.js';
import { checkListLength } from './limits.js';
import { validateEvents, validateProduct, validateRelation, type EventInput, type ProductInput } from './inputs.js';
import { merchandisingMutations } from './merchandising.js';
import { experimentMutations } from './experiments.js';
import { checkOwnEvents, guardEventWriter } from './privacy.js';

/**
 * Mutations: check the role, validate with the ingestion schemas, write with the ingestion writes in one
 * transaction together with the edit's audit entry, and tell the ranker when the catalogue changed.
 */

export interface RecordEventsResult {
  received: number;
  created: number;
  duplicates: number;
  conflicts: number;
  conflictIds: string[];
  usersCreated: number;
}

/**
 * Conflicting ids listed in one answer; `conflicts` counts them all. A client that sends more conflicting
 * events than this has a bug to look into, not a list to read through.
 */
export const MAX_LISTED_CONFLICTS = 100;

async function recordEvents(_: unknown, args: { events: EventInput[] }, ctx: ApiContext): Promise<RecordEventsResult> {
  guardEventWriter(ctx);
  checkListLength('events', args.events.length, ctx.config.maxEventsPerRequest);
  checkOwnEvents(ctx, args.events);
  const now = Date.now();
  const { records, indexOf } = validateEvents(args.events, now, ctx.maxClockSkewSeconds);
  // A retry of an event sent without a timestamp gets another one: it must still read as a repeat.
  const rows = records.map((record) => ({ ...record, timestampAssumed: args.events[indexOf.get(record.id) as number]?.timestamp == null }));
  const result = await ctx.graph.transaction(
    async (tx) => {
      // Checked before writing: an unknown product refuses the whole call instead of being skipped silently.
      const known = await existingIds(tx, 'Product', records.map((record) => record.productId));
      const unknown = records.find((record) => !known.has(record.productId));
      if (unknown) throw badInput(`events[${indexOf.get(unknown.id)}].productId`, `unknown product ${JSON.stringify(unknown.productId)}`, { index: indexOf.get(unknown.id) });
      return writeEvents(tx, rows, (type) => BEHAVIOUR_RELATIONSHIP[type as EventType], now);
    },
    { retryUniquenessRaces: true },
  );
  // Impressions change no behaviour: a batch of them leaves the users' cached profiles in place.
  const changed = records.filter((record) => BEHAVIOUR_RELATIONSHIP[record.type] !== undefined);
  if (result.created > 0 && changed.length > 0) ctx.ranker.behaviourChanged?.(changed.map((record) => record.userId));
  const conflicts = result.conflicts.length;
  return {
    received: args.events.length,
    created: result.created,
    duplicates: args.events.length - result.created - conflicts,
    conflicts,
    conflictIds: result.conflicts.slice(0, MAX_LISTED_CONFLICTS).map((conflict) => conflict.id),
    usersCreated: result.usersCreated,
  };
}

async function requireProducts(tx: Transaction, ids: Record<string, string>): Promise<void> {
  const known = await existingIds(tx, 'Product', Object.values(ids));
  for (const [field, id] of Object.entries(ids)) if (!known.has(id)) throw badInput(field, `unknown product ${JSON.stringify(id)}`);
}

async function relateProducts(
  _: unknown,
  args: { from: string; to: string; type: string; weight?: number | null },
  ctx: ApiContext,
): Promise<RelationData> {
  const principal = guard(ctx, 'relateProducts');
  const relation = validateRelation(args, ctx.relationTypes);
  await editCatalogue(ctx, async (tx) => {
    await requireProducts(tx, { from: relation.from, to: relation.to });
    const before = await readRelationWeight(tx, relation.from, relation.to, relation.type);
    const now = Date.now();
    await writeRelations(tx, [relation], editor(principal), now);
    await recordAudit(
      tx,
      {
        editor: editor(principal),
        entityType: 'relation',
        entityId: relation.from,
        action: before === null ? 'relate' : 'reweight',
        summary: { from: relation.from, to: relation.to, type: relation.type, before: before === null ? null : { weight: before }, after: { weight: relation.weight } },
      },
      now,
    );
  });
  ctx.loaders.relations.clear(relation.from);
  const written = (await readRelations(ctx.graph, [relation.from], [relation.type])).find((row) => row.to === relation.to);
  if (!written) throw new Error(`relation ${relation.from} -${relation.type}-> ${relation.to} vanished after it was written`);
  return written;
}

async function unrelateProducts(_: unknown, args: { from: string; to: string; type: string }, ctx: ApiContext): Promise<boolean> {
  const principal = guard(ctx, 'unrelateProducts');
  const removed = await editCatalogue(
    ctx,
    async (tx) => {
      const before = await readRelationWeight(tx, args.from, args.to, args.type);
      const deleted = await deleteRelation(tx, args.from, args.to, args.type);
      if (deleted) {
        const summary = { from: args.from, to: args.to, type: args.type, before: { weight: before } };
        await recordAudit(tx, { editor: editor(principal), entityType: 'relation', entityId: args.from, action: 'unrelate', summary });
      }
      return deleted;
    },
    { changed: (deleted) => deleted },
  );
  ctx.loaders.relations.clear(args.from);
  return removed;
}

async function upsertProduct(_: unknown, args: { input: ProductInput }, ctx: ApiContext): Promise<ProductData> {
  const principal = guard(ctx, 'upsertProduct');
  const row = validateProduct(args.input);
  await editCatalogue(ctx, async (tx) => {
    if (row.categoryId !== undefined && !(await existingIds(tx, 'Category', [row.categoryId])).has(row.categoryId)) {
      throw badInput('input.categoryId', `unknown category ${JSON.stringify(row.categoryId)}`);
    }
    if (row.brandId !== undefined && !(await existingIds(tx, 'Brand', [row.brandId])).has(row.brandId)) {
      throw badInput('input.brandId', `unknown brand ${JSON.stringify(row.brandId)}`);
    }
    const before = await readProductState(tx, row.id);
    const now = Date.now();
    const changed = await writeProducts(tx, [row], now);
    const after = {
      ...row.props,
      ...(row.categoryId !== undefined ? { categoryId: row.categoryId } : {}),
      ...(row.brandId !== undefined ? { brandId: row.brandId } : {}),
      ...(row.attributes !== undefined ? { attributes: row.attributes } : {}),
    };
    await recordAudit(
      tx,
      { editor: editor(principal), entityType: 'product', entityId: row.id, action: before === null ? 'create' : 'update', summary: { before, after, changed: changed > 0 } },
      now,
    );
  });
  ctx.loaders.attributes.clear(row.id);
  const product = await ctx.loaders.product.clear(row.id).load(row.id);
  if (!product) throw new Error(`product ${row.id} vanished after it was written`);
  return product;
}

async function removeProduct(_: unknown, args: { id: string }, ctx: ApiContext): Promise<boolean> {
  const principal = guard(ctx, 'deleteProduct');
  const removed = await editCatalogue(
    ctx,
    async (tx) => {
      const before = await readProductState(tx, args.id);
      if (!(await deleteProduct(tx, args.id))) return false;
      // Its rules go with it: a product created later under the same id starts without them.
      const rules = await deleteProductRules(tx, args.id);
      await recordAudit(tx, { editor: editor(principal), entityType: 'product', entityId: args.id, action: 'delete', summary: { before, rulesDeleted: rules } });
      return true;
    },
    {
      changed: (deleted) => deleted,
      local: () => catalogueAndRulesChanged(ctx),
    },
  );
  ctx.loaders.product.clear(args.id);
  return removed;
}

export const mutationResolvers = {
  recordEvents,
  relateProducts,
  unrelateProducts,
  upsertProduct,
  deleteProduct: removeProduct,
  ...catalogueMutations,
  ...merchandisingMutations,
  ...adminMutations,
  ...experimentMutations,
};
