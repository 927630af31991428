import { GraphQLScalarType, Kind } from 'graphql';
import type { BehaviourData, CategoryData, NamedRef, ProductAttributeRow, ProductData, RelationData } from '../graph/shopReads.js';
import { readAllCategories, readBrands, listProducts } from '../graph/shopReads.js';
import { BEHAVIOUR_RELATIONSHIP } from '../domain/behaviours.js';
import type { RankedItem, RankedList } from '../ranking/types.js';
import { requireRole } from './auth.js';
import { MAX_BEHAVIOURS, type ApiContext } from './context.js';
import { badInput, notFound } from './errors.js';
import { checkFilter, checkFirst, checkListLength, decodeCursor, encodeCursor, type GraphQLProductFilter } from './limits.js';
import { adminQueries, trainingJobType } from './admin.js';
import { auditLog } from './auditLog.js';
import { evaluationReportType, latestEvaluation } from './evaluations.js';
import { modelVersions, modelVersionType } from './modelVersions.js';
import { viewer } from './viewer.js';
import { merchandisingQueries, merchandisingRuleType } from './merchandising.js';
import { mutationResolvers } from './mutations.js';
import { categoriesWithPaths, childCategory, parentOf, pathOf } from './categories.js';
import { personalisedRead, requireHistoryAccess, withoutHistory } from './privacy.js';
import { experimentQueries, experimentTypes } from './experiments.js';
import { rankAssigned, recordServed, type AssignedList } from './experimentServing.js';
import { validateServedIds } from './inputs.js';
import type { ServedSurface } from '../graph/servedLists.js';

/**
 * Resolvers stay thin: check the arguments, call the ranking or the graph reads, map the result to the
 * schema's shapes. Nested objects come through the request's DataLoaders.
 */

/** Longest search text; longer text is almost always pasted by mistake and costs the index for nothing. */
const MAX_QUERY_LENGTH = 500;

/** Earlier pages a `recommend` may leave out (`excludeServed`): far more than a shopper scrolls through. */
const MAX_EXCLUDED_SERVED = 20;

type RankedWithProduct = RankedItem & { product: ProductData; position: number };
interface RecommendationsResult {
  items: RankedWithProduct[];
  modelVersion: string | null;
  strategy: string;
  servedId: string;
}

/**
 * Loads the listed products in one batch (a product deleted since ranking is dropped rather than failing the
 * list), numbers the items from 1 and logs the list as served (src/api/servedListLog.ts), with the caller's
 * experiment and variant when one ranked it.
 */
async function withProducts(
  { list, assignment }: AssignedList,
  ctx: ApiContext,
  served: { surface: ServedSurface; userId: string | null },
  reveal = (ranked: RankedList) => ranked,
): Promise<RecommendationsResult> {
  const shown = reveal(list);
  const products = await ctx.loaders.product.loadMany(shown.items.map((item) => item.productId));
  const items: RankedWithProduct[] = [];
  shown.items.forEach((item, index) => {
    const product = products[index];
    if (product && !(product instanceof Error)) items.push({ ...item, product, position: items.length + 1 });
    else if (product instanceof Error) throw product;
  });
  const servedId = recordServed(ctx, { ...served, productIds: items.map((item) => item.productId) }, assignment);
  return { items, modelVersion: shown.modelVersion, strategy: shown.strategy, servedId };
}

/** Queries need the frontend role or higher, or a shopper token, when public reads are off. */
function readable(ctx: ApiContext, field: string): void {
  if (!ctx.config.publicReads && ctx.shopper === null) requireRole(ctx.principal, 'frontend', field);
}

interface RankArgs {
  first: number;
  filter?: GraphQLProductFilter | null;
  explain: boolean;
}

const query = {
  async recommend(
    _: unknown,
    args: RankArgs & { userId: string; unseenOnly: boolean; excludeServed?: string[] | null },
    ctx: ApiContext,
  ): Promise<RecommendationsResult> {
    readable(ctx, 'recommend');
    const { revealHistory } = personalisedRead(ctx, args.userId, 'recommend');
    const first = checkFirst('first', args.first, ctx.config.maxFirst);
    const filter = checkFilter(args.filter, ctx.config.maxFirst);
    const earlier = validateServedIds('excludeServed', args.excludeServed ?? [], MAX_EXCLUDED_SERVED);
    const exclude = earlier.length > 0 ? await ctx.servedLists.productsOf(earlier, args.userId) : undefined;
    const ranked = await rankAssigned(ctx, { userId: args.userId, surface: 'recommend' }, (ranker, overrides) =>
      ranker.recommend(args.userId, { first, filter, explain: args.explain, unseenOnly: args.unseenOnly, revealHistory, exclude, diversity: overrides.diversity }),
    );
    return withProducts(ranked, ctx, { surface: 'recommend', userId: args.userId }, revealHistory ? undefined : withoutHistory);
  },

  async search(_: unknown, args: RankArgs & { query: string; userId?: string | null }, ctx: ApiContext): Promise<RecommendationsResult> {
    readable(ctx, 'search');
    const first = checkFirst('first', args.first, ctx.config.maxFirst);
    const filter = checkFilter(args.filter, ctx.config.maxFirst);
    if (args.query.trim() === '') throw badInput('query', 'expected some text to search for');
    if (args.query.length > MAX_QUERY_LENGTH) throw badInput('query', `at most ${MAX_QUERY_LENGTH} characters, got ${args.query.length}`);
    const userId = args.userId ?? undefined;
    const revealHistory = userId === undefined || personalisedRead(ctx, userId, 'search(userId)').revealHistory;
    const ranked = await rankAssigned(ctx, { userId: userId ?? null, surface: 'search' }, (ranker, overrides) =>
      ranker.search(args.query, { first, filter, explain: args.explain, userId, revealHistory, diversity: overrides.diversity }),
    );
    return withProducts(ranked, ctx, { surface: 'search', userId: userId ?? null }, revealHistory ? undefined : withoutHistory);
  },

  async similarProducts(_: unknown, args: { productId: string; first: number }, ctx: ApiContext): Promise<RecommendationsResult> {
    readable(ctx, 'similarProducts');
    const first = checkFirst('first', args.first, ctx.config.maxFirst);
    // No user: similar products are always the default ranking (an anonymous list).
    const ranked = await rankAssigned(ctx, { userId: null, surface: 'similarProducts' }, (ranker) => ranker.similar(args.productId, { first }));
    if (ranked.list === null) throw notFound('product', args.productId);
    return withProducts({ list: ranked.list, assignment: ranked.assignment }, ctx, { surface: 'similarProducts', userId: null });
  },

  product(_: unknown, args: { id: string }, ctx: ApiContext): Promise<ProductData | null> {
    readable(ctx, 'product');
    return ctx.loaders.product.load(args.id);
  },

  async products(
    _: unknown,
    args: { ids?: string[] | null; filter?: GraphQLProductFilter | null; first: number; after?: string | null },
    ctx: ApiContext,
  ) {
    readable(ctx, 'products');
    const first = checkFirst('first', args.first, ctx.config.maxFirst);
    if (args.ids) checkListLength('ids', args.ids.length, ctx.config.maxFirst);
    const filter = checkFilter(args.filter, ctx.config.maxFirst);
    const after = args.after ? decodeCursor('after', args.after) : undefined;
    // One more than asked tells whether another page follows.
    const rows = await listProducts(ctx.graph, { ...filter, ids: args.ids ?? undefined, after, limit: first + 1 });
    const page = rows.slice(0, first);
    for (const product of page) ctx.loaders.product.prime(product.id, product);
    const last = page[page.length - 1];
    return {
      edges: page.map((node) => ({ cursor: encodeCursor(node.id), node })),
      nodes: page,
      pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.id) : null },
    };
  },

  category(_: unknown, args: { id: string }, ctx: ApiContext): Promise<CategoryData | null> {
    readable(ctx, 'category');
    return ctx.loaders.category.load(args.id);
  },

  async categories(_: unknown, __: unknown, ctx: ApiContext): Promise<CategoryData[]> {
    readable(ctx, 'categories');
    const categories = categoriesWithPaths(await readAllCategories(ctx.graph));
    for (const category of categories) ctx.loaders.category.prime(category.id, category);
    return categories;
  },

  async brands(_: unknown, __: unknown, ctx: ApiContext): Promise<NamedRef[]> {
    readable(ctx, 'brands');
    return (await readBrands(ctx.graph)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  },

  async user(_: unknown, args: { id: string }, ctx: ApiContext): Promise<{ id: string } | null> {
    readable(ctx, 'user');
    personalisedRead(ctx, args.id, 'user');
    return (await ctx.loaders.userExists.load(args.id)) ? { id: args.id } : null;
  },

  ...merchandisingQueries,
  auditLog,
  ...adminQueries,
  ...experimentQueries,
  modelVersions,
  latestEvaluation,
  viewer,
};

const product = {
  // Category (with its path) and brand arrive with the product: no further query.
  category: (p: ProductData) => p.category,
  brand: (p: ProductData) => p.brand,
  inStock: (p: ProductData) => p.inStock,
  async relations(p: ProductData, args: { type?: string | null }, ctx: ApiContext): Promise<RelationData[]> {
    const relations = await ctx.loaders.relations.load(p.id);
    return args.type ? relations.filter((relation) => relation.type === args.type) : relations;
  },
  // One query for all products of the page (the loader), like relations.
  attributes: (p: ProductData, _: unknown, ctx: ApiContext): Promise<ProductAttributeRow[]> => ctx.loaders.attributes.load(p.id),
};

/** A relation whose end was deleted meanwhile resolves to an error on that field rather than a wrong product. */
async function productOf(id: string, ctx: ApiContext): Promise<ProductData> {
  const found = await ctx.loaders.product.load(id);
  if (!found) throw notFound('product', id);
  return found;
}

const productRelation = {
  from: (r: RelationData, _: unknown, ctx: ApiContext) => productOf(r.from, ctx),
  product: (r: RelationData, _: unknown, ctx: ApiContext) => productOf(r.to, ctx),
};

const category = {
  parent: (c: CategoryData) => parentOf(c),
  path: (c: CategoryData) => pathOf(c),
  async children(c: CategoryData, _: unknown, ctx: ApiContext): Promise<CategoryData[]> {
    const children = (await ctx.loaders.children.load(c.id)).map((child: NamedRef) => childCategory(c, child));
    for (const child of children) ctx.loaders.category.prime(child.id, child);
    return children;
  },
};

/** Aggregate relationship type → the GraphQL EventType that produced it. */
const EVENT_TYPE_OF: Record<string, string> = Object.fromEntries(
  Object.entries(BEHAVIOUR_RELATIONSHIP).flatMap(([eventType, relationship]) => (relationship === undefined ? [] : [[relationship, eventType.toUpperCase()]])),
);

const user = {
  async behaviours(u: { id: string }, args: { first: number; type?: string | null }, ctx: ApiContext) {
    requireHistoryAccess(ctx, u.id, 'user.behaviours');
    const first = checkFirst('first', args.first, MAX_BEHAVIOURS);
    const rows = await ctx.loaders.behaviours.load(u.id);
    return rows
      .map((row: BehaviourData) => ({ ...row, type: EVENT_TYPE_OF[row.relationship] ?? row.relationship }))
      .filter((row) => !args.type || row.type === args.type)
      .slice(0, first);
  },
};

const behaviour = {
  product: (b: BehaviourData, _: unknown, ctx: ApiContext) => productOf(b.productId, ctx),
};

/** Times are epoch milliseconds in the graph and ISO-8601 text on the wire. */
const dateTime = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  serialize(value) {
    if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
    throw new TypeError(`DateTime: expected epoch milliseconds, got ${JSON.stringify(value)}`);
  },
  parseValue(value) {
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw new TypeError(`DateTime: expected ISO-8601 text, got ${JSON.stringify(value)}`);
    return ms;
  },
  parseLiteral(ast) {
    const ms = ast.kind === Kind.STRING ? Date.parse(ast.value) : Number.NaN;
    if (Number.isNaN(ms)) throw new TypeError('DateTime: expected ISO-8601 text');
    return ms;
  },
});

export const resolvers = {
  DateTime: dateTime,
  Query: query,
  Mutation: mutationResolvers,
  Product: product,
  ProductRelation: productRelation,
  Category: category,
  User: user,
  Behaviour: behaviour,
  MerchandisingRule: merchandisingRuleType,
  TrainingJob: trainingJobType,
  ...experimentTypes,
  ModelVersion: modelVersionType,
  EvaluationReport: evaluationReportType,
};
