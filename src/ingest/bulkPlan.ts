import { sumPerRelationship, type Aggregate } from '../graph/shopWrites.js';
import { handlerFor, partitionByReference, reject, type Located, type Rejection, type WriteContext } from './kinds.js';
import {
  BEHAVIOUR_RELATIONSHIP,
  type BrandRecord,
  type CategoryRecord,
  type EventRecord,
  type EventType,
  type ProductRecord,
  type RelationRecord,
} from './records.js';

/** Validated, de-duplicated records of every kind, as the readers and validators of a bulk load left them. */
export interface BulkInput {
  categories: Located<CategoryRecord>[];
  brands: Located<BrandRecord>[];
  products: Located<ProductRecord>[];
  users: Located<{ id: string }>[];
  events: Located<EventRecord>[];
  relations: Located<RelationRecord>[];
}

/** What a fresh graph will hold once the bulk load is done: the same as ingesting the records kind by kind. */
export interface BulkPlan {
  /** Parents before children. */
  categories: CategoryRecord[];
  brands: BrandRecord[];
  products: ProductRecord[];
  /** Users of the users files and every user an event names. */
  userIds: string[];
  events: EventRecord[];
  /** Per behaviour relationship type, one aggregate per (user, product). */
  aggregates: Map<string, Map<string, Aggregate>>;
  relations: RelationRecord[];
  /** Records refused because what they refer to is not among the records loaded. */
  rejected: Rejection[];
}

const values = <T>(items: Located<T>[]): T[] => items.map((item) => item.value);

/**
 * Applies, in memory, the checks the transactional path makes against the graph: a product's category and
 * brand, an event's product and a relation's two products must be among the records loaded (the graph is
 * empty), categories are ordered parents first and cycles refused (the categories handler's own ordering).
 */
export async function planBulkLoad(input: BulkInput, ctx: WriteContext, relationTypes: readonly string[]): Promise<BulkPlan> {
  const rejected: Rejection[] = [];
  const categoryOrder = handlerFor('categories', relationTypes).order;
  if (!categoryOrder) throw new Error('the categories handler orders its records');
  const ordered = await categoryOrder(input.categories, ctx);
  rejected.push(...ordered.rejected);
  const categories = values(ordered.ordered as Located<CategoryRecord>[]);

  const categoryIds = new Set(categories.map((c) => c.id));
  const brandIds = new Set(input.brands.map((b) => b.value.id));
  const byCategory = partitionByReference(input.products, (p) => p.categoryId, categoryIds, 'categoryId', 'category', ' (not among the categories loaded)');
  const byBrand = partitionByReference(byCategory.kept, (p) => p.brandId, brandIds, 'brandId', 'brand', ' (not among the brands loaded)');
  rejected.push(...byCategory.rejected, ...byBrand.rejected);
  const products = values(byBrand.kept);

  const productIds = new Set(products.map((p) => p.id));
  const byProduct = partitionByReference(input.events, (e) => e.productId, productIds, 'productId', 'product', '');
  rejected.push(...byProduct.rejected);
  const events = values(byProduct.kept);
  const userIds = [...new Set([...input.users.map((u) => u.value.id), ...events.map((e) => e.userId)])];

  const selfLinks = input.relations.filter((item) => item.value.from === item.value.to);
  const byFrom = partitionByReference(
    input.relations.filter((item) => item.value.from !== item.value.to),
    (r) => r.from,
    productIds,
    'from',
    'product',
    '',
  );
  const byTo = partitionByReference(byFrom.kept, (r) => r.to, productIds, 'to', 'product', '');
  rejected.push(...selfLinks.map((item) => reject(item, 'to', 'a product cannot be related to itself')), ...byFrom.rejected, ...byTo.rejected);

  return {
    categories,
    brands: values(input.brands),
    products,
    userIds,
    events,
    aggregates: sumPerRelationship(events, (type) => BEHAVIOUR_RELATIONSHIP[type as EventType]),
    relations: values(byTo.kept),
    rejected,
  };
}
