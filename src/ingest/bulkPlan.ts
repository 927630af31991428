import { addToAggregate, type Aggregate } from '../graph/shopWrites.js';
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

/**
 * The checks the transactional path makes against the graph, made in memory for a bulk load into an empty
 * graph: a product's category and brand, an event's product and a relation's two products must be among
 * the records loaded; categories are ordered parents first and cycles refused (the categories handler's own
 * ordering). Events are streamed through `BehaviourTally`; everything else is small enough to hold.
 */

export interface Catalogue {
  /** Parents before children. */
  categories: CategoryRecord[];
  brands: BrandRecord[];
  products: ProductRecord[];
  rejected: Rejection[];
}

const values = <T>(items: Located<T>[]): T[] => items.map((item) => item.value);

export async function planCatalogue(
  input: { categories: Located<CategoryRecord>[]; brands: Located<BrandRecord>[]; products: Located<ProductRecord>[] },
  ctx: WriteContext,
  relationTypes: readonly string[],
): Promise<Catalogue> {
  const categoryOrder = handlerFor('categories', relationTypes).order;
  if (!categoryOrder) throw new Error('the categories handler orders its records');
  const ordered = await categoryOrder(input.categories, ctx);
  const categories = values(ordered.ordered as Located<CategoryRecord>[]);
  const categoryIds = new Set(categories.map((c) => c.id));
  const brandIds = new Set(input.brands.map((b) => b.value.id));
  const byCategory = partitionByReference(input.products, (p) => p.categoryId, categoryIds, 'categoryId', 'category', ' (not among the categories loaded)');
  const byBrand = partitionByReference(byCategory.kept, (p) => p.brandId, brandIds, 'brandId', 'brand', ' (not among the brands loaded)');
  return {
    categories,
    brands: values(input.brands),
    products: values(byBrand.kept),
    rejected: [...ordered.rejected, ...byCategory.rejected, ...byBrand.rejected],
  };
}

/**
 * Accepts events one at a time: refuses those whose product is not loaded, and keeps the users they name and
 * the per-(user, product, behaviour) aggregates, as the transactional writes would (shopWrites.ts).
 */
export class BehaviourTally {
  readonly userIds = new Set<string>();
  /** Per behaviour relationship type, one aggregate per (user, product). */
  readonly aggregates = new Map<string, Map<string, Aggregate>>();
  events = 0;

  constructor(private readonly productIds: ReadonlySet<string>) {}

  /** Null when the event is accepted; else why not. */
  add(item: Located<EventRecord>): Rejection | null {
    const event = item.value;
    if (!this.productIds.has(event.productId)) return reject(item, 'productId', `unknown product ${JSON.stringify(event.productId)}`);
    this.events += 1;
    this.userIds.add(event.userId);
    addToAggregate(this.aggregates, BEHAVIOUR_RELATIONSHIP[event.type as EventType], event);
    return null;
  }
}

export function planRelations(relations: Located<RelationRecord>[], productIds: ReadonlySet<string>): { relations: RelationRecord[]; rejected: Rejection[] } {
  const selfLinks = relations.filter((item) => item.value.from === item.value.to);
  const others = relations.filter((item) => item.value.from !== item.value.to);
  const byFrom = partitionByReference(others, (r) => r.from, productIds as Set<string>, 'from', 'product', '');
  const byTo = partitionByReference(byFrom.kept, (r) => r.to, productIds as Set<string>, 'to', 'product', '');
  return {
    relations: values(byTo.kept),
    rejected: [...selfLinks.map((item) => reject(item, 'to', 'a product cannot be related to itself')), ...byFrom.rejected, ...byTo.rejected],
  };
}
