import { recordAudit } from '../graph/audit.js';
import {
  deleteBrand,
  deleteCategory,
  detachCategoryParent,
  isInSubtree,
  lockCategoryTree,
  moveCategoryContents,
  readBrandState,
  readCategoryState,
} from '../graph/catalogueEdits.js';
import type { Transaction } from '../graph/graph.js';
import { deleteCategoryRules } from '../graph/merchRules.js';
import type { CategoryData, NamedRef } from '../graph/shopReads.js';
import { writeBrands, writeCategories, type CategoryRow } from '../graph/shopWrites.js';
import { catalogueAndRulesChanged, editCatalogue, type ApiContext } from './context.js';
import { badInput, notFound } from './errors.js';
import { editor, guard } from './guard.js';
import { validateBrand, validateCategory, validateId, type BrandInput } from './inputs.js';

/**
 * Categories and brands edited by merchandisers: created, renamed, moved and deleted with the ingestion
 * schema's validation, in one transaction with their audit entry. Create refuses an id in use and update
 * an unknown one, so a typo never silently creates or overwrites.
 */

interface CategoryInput {
  id: string;
  name?: string | null;
  /** On update: absent keeps the parent, null makes the category a root. */
  parentId?: string | null;
}

async function loadCategory(ctx: ApiContext, id: string): Promise<CategoryData> {
  ctx.loaders.category.clear(id);
  ctx.loaders.children.clearAll();
  const category = await ctx.loaders.category.load(id);
  if (!category) throw new Error(`category ${id} vanished after it was written`);
  return category;
}

/**
 * A new parent must exist and must not lie in the category's own subtree (which would make a cycle). The
 * caller holds the category tree lock (lockCategoryTree), taken before it read anything of the tree.
 */
async function checkParent(tx: Transaction, row: CategoryRow): Promise<void> {
  const parentId = row.parentId;
  if (parentId === undefined) return;
  if (parentId === row.id) throw badInput('input.parentId', 'a category cannot be its own parent');
  if (!(await readCategoryState(tx, parentId))) throw badInput('input.parentId', `unknown category ${JSON.stringify(parentId)}`);
  if (await isInSubtree(tx, parentId, row.id)) {
    throw badInput('input.parentId', `${JSON.stringify(parentId)} lies below ${JSON.stringify(row.id)}: making it the parent would create a cycle`);
  }
}

async function createCategory(_: unknown, args: { input: CategoryInput }, ctx: ApiContext): Promise<CategoryData> {
  const principal = guard(ctx, 'createCategory');
  const row = validateCategory(args.input);
  await editCatalogue(ctx, async (tx) => {
    if (row.parentId !== undefined) await lockCategoryTree(tx);
    if (await readCategoryState(tx, row.id)) throw badInput('input.id', `category ${JSON.stringify(row.id)} already exists; change it with updateCategory`);
    await checkParent(tx, row);
    const now = Date.now();
    await writeCategories(tx, [row], now);
    const after = { name: row.name, parentId: row.parentId ?? null };
    await recordAudit(tx, { editor: editor(principal), entityType: 'category', entityId: row.id, action: 'create', summary: { before: null, after } }, now);
  });
  return loadCategory(ctx, row.id);
}

async function updateCategory(_: unknown, args: { input: CategoryInput }, ctx: ApiContext): Promise<CategoryData> {
  const principal = guard(ctx, 'updateCategory');
  const id = validateId('input.id', args.input.id);
  await editCatalogue(ctx, async (tx) => {
    // A move checks for a cycle: under the lock, so that a concurrent move cannot pass the same check.
    if ('parentId' in args.input) await lockCategoryTree(tx);
    const current = await readCategoryState(tx, id);
    if (!current) throw notFound('category', id);
    const parentId = 'parentId' in args.input ? args.input.parentId : current.parentId;
    const row = validateCategory({ id, name: args.input.name ?? current.name, parentId });
    await checkParent(tx, row);
    const now = Date.now();
    await writeCategories(tx, [row], now);
    if (row.parentId === undefined && current.parentId !== null) await detachCategoryParent(tx, id);
    const before = { name: current.name, parentId: current.parentId };
    const after = { name: row.name, parentId: row.parentId ?? null };
    await recordAudit(tx, { editor: editor(principal), entityType: 'category', entityId: id, action: 'update', summary: { before, after } }, now);
  });
  return loadCategory(ctx, id);
}

async function removeCategory(_: unknown, args: { id: string; moveToParent: boolean }, ctx: ApiContext): Promise<boolean> {
  const principal = guard(ctx, 'deleteCategory');
  const id = validateId('id', args.id);
  return editCatalogue(
    ctx,
    async (tx) => {
      // Subcategories move to the parent: a change to the tree like any move.
      await lockCategoryTree(tx);
      const current = await readCategoryState(tx, id);
      if (!current) return false;
      const { products, subcategories } = current;
      const contents = `${products} product${products === 1 ? '' : 's'} and ${subcategories} subcategor${subcategories === 1 ? 'y' : 'ies'}`;
      const hasContents = products + subcategories > 0;
      if (hasContents && !args.moveToParent) {
        throw badInput('moveToParent', `category ${JSON.stringify(id)} still has ${contents}; pass moveToParent: true to move them to its parent`);
      }
      if (hasContents && current.parentId === null) {
        throw badInput('moveToParent', `category ${JSON.stringify(id)} is a root: there is no parent to move its ${contents} to`);
      }
      const moved = hasContents ? await moveCategoryContents(tx, id) : null;
      // Rules of a deleted category could never apply again; a category created later under its id starts clean.
      const rulesDeleted = await deleteCategoryRules(tx, id);
      await deleteCategory(tx, id);
      const summary = { before: { name: current.name, parentId: current.parentId }, moved, rulesDeleted };
      await recordAudit(tx, { editor: editor(principal), entityType: 'category', entityId: id, action: 'delete', summary });
      return true;
    },
    {
      changed: (deleted) => deleted,
      local: () => catalogueAndRulesChanged(ctx),
    },
  );
}

async function createBrand(_: unknown, args: { input: BrandInput }, ctx: ApiContext): Promise<NamedRef> {
  const principal = guard(ctx, 'createBrand');
  const row = validateBrand(args.input);
  await editCatalogue(ctx, async (tx) => {
    if (await readBrandState(tx, row.id)) throw badInput('input.id', `brand ${JSON.stringify(row.id)} already exists; change it with updateBrand`);
    const now = Date.now();
    await writeBrands(tx, [row], now);
    await recordAudit(tx, { editor: editor(principal), entityType: 'brand', entityId: row.id, action: 'create', summary: { before: null, after: { name: row.name } } }, now);
  });
  return { id: row.id, name: row.name };
}

async function updateBrand(_: unknown, args: { input: BrandInput }, ctx: ApiContext): Promise<NamedRef> {
  const principal = guard(ctx, 'updateBrand');
  const row = validateBrand(args.input);
  await editCatalogue(ctx, async (tx) => {
    const current = await readBrandState(tx, row.id);
    if (!current) throw notFound('brand', row.id);
    const now = Date.now();
    await writeBrands(tx, [row], now);
    const summary = { before: { name: current.name }, after: { name: row.name } };
    await recordAudit(tx, { editor: editor(principal), entityType: 'brand', entityId: row.id, action: 'update', summary }, now);
  });
  ctx.loaders.product.clearAll(); // products carry their brand's name
  return { id: row.id, name: row.name };
}

async function removeBrand(_: unknown, args: { id: string; unlinkProducts: boolean }, ctx: ApiContext): Promise<boolean> {
  const principal = guard(ctx, 'deleteBrand');
  const id = validateId('id', args.id);
  const removed = await editCatalogue(
    ctx,
    async (tx) => {
      const current = await readBrandState(tx, id);
      if (!current) return false;
      if (current.products > 0 && !args.unlinkProducts) {
        const products = `${current.products} product${current.products === 1 ? '' : 's'}`;
        throw badInput('unlinkProducts', `brand ${JSON.stringify(id)} still has ${products}; pass unlinkProducts: true to delete it and leave them without a brand`);
      }
      await deleteBrand(tx, id);
      const summary = { before: { name: current.name }, productsUnlinked: current.products };
      await recordAudit(tx, { editor: editor(principal), entityType: 'brand', entityId: id, action: 'delete', summary });
      return true;
    },
    { changed: (deleted) => deleted },
  );
  if (removed) ctx.loaders.product.clearAll();
  return removed;
}

export const catalogueMutations = {
  createCategory,
  updateCategory,
  deleteCategory: removeCategory,
  createBrand,
  updateBrand,
  deleteBrand: removeBrand,
};
