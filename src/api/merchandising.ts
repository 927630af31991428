import { randomUUID } from 'node:crypto';
import { recordAudit } from '../graph/audit.js';
import { deleteRule, readRules, writeRule, type MerchRuleData, type RuleAction } from '../graph/merchRules.js';
import type { CategoryData, ProductData } from '../graph/shopReads.js';
import { existingIds } from '../graph/shopWrites.js';
import { normaliseQuery } from '../ranking/rules.js';
import { editCatalogue, type ApiContext } from './context.js';
import { badInput } from './errors.js';
import { editor, guard, guardQuery } from './guard.js';
import { validateId, validateRule, type RuleArgs } from './inputs.js';

/**
 * Merchandising rules through the API: pin, boost and bury a product for a category or a search query,
 * remove a rule, list them. The ranking side is src/ranking/rules.ts; one rule per product and target, so a
 * new rule replaces the product's previous one there.
 */

/** Rules are cached by the rankers (the variants' too); a ranker without a rule cache of its own reloads everything. */
function rulesChanged(ctx: Pick<ApiContext, 'ranker' | 'variantRankers'>): void {
  const { ranker } = ctx;
  if (ranker.invalidateRules) ranker.invalidateRules();
  else ranker.invalidate();
  ctx.variantRankers.invalidateRules();
}

async function addRule(action: RuleAction, field: string, args: RuleArgs, ctx: ApiContext): Promise<MerchRuleData> {
  const principal = guard(ctx, field);
  const now = Date.now();
  const rule = validateRule(action, args, { maxPosition: ctx.config.maxFirst, now });
  const stored: MerchRuleData = { id: `rule-${randomUUID()}`, ...rule, createdAt: now, createdBy: editor(principal) };
  await editCatalogue(
    ctx,
    async (tx) => {
      if (!(await existingIds(tx, 'Product', [rule.productId])).has(rule.productId)) throw badInput('productId', `unknown product ${JSON.stringify(rule.productId)}`);
      if (rule.categoryId !== null && !(await existingIds(tx, 'Category', [rule.categoryId])).has(rule.categoryId)) {
        throw badInput('categoryId', `unknown category ${JSON.stringify(rule.categoryId)}`);
      }
      const replaced = await writeRule(tx, stored);
      const { id: _id, createdAt: _createdAt, createdBy: _createdBy, ...summary } = stored;
      await recordAudit(tx, { editor: editor(principal), entityType: 'rule', entityId: stored.id, action, summary: { ...summary, replaced } }, now);
    },
    { local: () => rulesChanged(ctx) },
  );
  return stored;
}

async function removeRule(_: unknown, args: { id: string }, ctx: ApiContext): Promise<boolean> {
  const principal = guard(ctx, 'removeRule');
  const id = validateId('id', args.id);
  return editCatalogue(
    ctx,
    async (tx) => {
      const rule = await deleteRule(tx, id);
      if (rule) await recordAudit(tx, { editor: editor(principal), entityType: 'rule', entityId: id, action: 'remove', summary: { before: rule } });
      return rule !== null;
    },
    { changed: (deleted) => deleted, local: () => rulesChanged(ctx) },
  );
}

export const merchandisingMutations = {
  pinProduct: (_: unknown, args: RuleArgs, ctx: ApiContext) => addRule('pin', 'pinProduct', args, ctx),
  boostProduct: (_: unknown, args: RuleArgs, ctx: ApiContext) => addRule('boost', 'boostProduct', args, ctx),
  buryProduct: (_: unknown, args: RuleArgs, ctx: ApiContext) => addRule('bury', 'buryProduct', args, ctx),
  removeRule,
};

export const merchandisingQueries = {
  async merchandisingRules(_: unknown, args: { categoryId?: string | null; query?: string | null }, ctx: ApiContext): Promise<MerchRuleData[]> {
    guardQuery(ctx, 'merchandisingRules');
    const query = args.query === null || args.query === undefined ? undefined : normaliseQuery(args.query);
    if (query === '') throw badInput('query', 'expected some search text');
    const categoryId = args.categoryId === null || args.categoryId === undefined ? undefined : validateId('categoryId', args.categoryId);
    return readRules(ctx.graph, { categoryId, query });
  },
};

export const merchandisingRuleType = {
  action: (rule: MerchRuleData) => rule.action.toUpperCase(),
  scope: (rule: MerchRuleData) => rule.scope.toUpperCase(),
  /** Null once the product was deleted (its rules are deleted with it, so only briefly). */
  product: (rule: MerchRuleData, _: unknown, ctx: ApiContext): Promise<ProductData | null> => ctx.loaders.product.load(rule.productId),
  category: (rule: MerchRuleData, _: unknown, ctx: ApiContext): Promise<CategoryData | null> | null =>
    rule.categoryId === null ? null : ctx.loaders.category.load(rule.categoryId),
  active: (rule: MerchRuleData) => rule.expiresAt === null || rule.expiresAt > Date.now(),
};
