import type { Aggregate } from '../graph/shopWrites.js';
import { handlerFor, partitionByReference, reject, type Located, type Rejection, type WriteContext } from './kinds.js';
import { AGGREGATE_RELATIONSHIPS, BEHAVIOUR_RELATIONSHIP, type EventType } from '../domain/behaviours.js';
import {
  DEFAULT_CLOCK,
  type BrandRecord,
  type CategoryRecord,
  type EventRecord,
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
  const categoryOrder = handlerFor('categories', { relationTypes, clock: DEFAULT_CLOCK }).order;
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

/** One aggregate relationship: the relationship type and the (user, product) pair with its sums. */
export type AggregateRow = Aggregate & { relationship: string };

const RELATIONSHIPS = AGGREGATE_RELATIONSHIPS;

/**
 * Accepts events one at a time: refuses those whose product is not loaded, and keeps the users they name and
 * the per-(user, product, behaviour) aggregates with the same sums as the transactional writes
 * (`addToAggregate` in shopWrites.ts). At millions of events the aggregates are kept in typed arrays, one
 * slot per aggregate found by a number made of the user's, product's and behaviour's indexes: an object and
 * a string key per aggregate made them the largest cost of reading after parsing (and of memory).
 */
export class BehaviourTally {
  events = 0;
  private readonly userIndex = new Map<string, number>();
  private readonly users: string[] = [];
  private readonly productIndex: Map<string, number>;
  private readonly products: string[];
  private readonly slots = new Map<number, number>();
  private pairs = new Float64Array(1024);
  private counts = new Float64Array(1024);
  private quantities = new Float64Array(1024);
  private firstAts = new Float64Array(1024);
  private lastAts = new Float64Array(1024);

  constructor(productIds: ReadonlySet<string>) {
    this.products = [...productIds];
    this.productIndex = new Map(this.products.map((id, index) => [id, index]));
  }

  /** The users the accepted events name. */
  get userIds(): readonly string[] {
    return this.users;
  }

  /** Null when the event is accepted; else why not. */
  add(item: Located<EventRecord>): Rejection | null {
    const event = item.value;
    const product = this.productIndex.get(event.productId);
    if (product === undefined) return reject(item, 'productId', `unknown product ${JSON.stringify(event.productId)}`);
    this.events += 1;
    let user = this.userIndex.get(event.userId);
    if (user === undefined) {
      user = this.users.length;
      this.users.push(event.userId);
      this.userIndex.set(event.userId, user);
    }
    const aggregate = BEHAVIOUR_RELATIONSHIP[event.type as EventType];
    // Impressions stay in the event log only: they are not behaviour (docs/decisions/0021).
    if (aggregate === undefined) return null;
    const relationship = RELATIONSHIPS.indexOf(aggregate);
    const pair = (user * this.products.length + product) * RELATIONSHIPS.length + relationship;
    const quantity = event.quantity ?? 1;
    const slot = this.slots.get(pair);
    if (slot === undefined) {
      this.remember(pair, quantity, event.timestamp);
    } else {
      this.counts[slot] = (this.counts[slot] as number) + 1;
      this.quantities[slot] = (this.quantities[slot] as number) + quantity;
      this.firstAts[slot] = Math.min(this.firstAts[slot] as number, event.timestamp);
      this.lastAts[slot] = Math.max(this.lastAts[slot] as number, event.timestamp);
    }
    return null;
  }

  /** The aggregates, one row at a time. */
  *aggregates(): Generator<AggregateRow> {
    const perUser = this.products.length * RELATIONSHIPS.length;
    for (let slot = 0; slot < this.slots.size; slot += 1) {
      const pair = this.pairs[slot] as number;
      yield {
        relationship: RELATIONSHIPS[pair % RELATIONSHIPS.length] as string,
        userId: this.users[Math.floor(pair / perUser)] as string,
        productId: this.products[Math.floor((pair % perUser) / RELATIONSHIPS.length)] as string,
        count: this.counts[slot] as number,
        quantity: this.quantities[slot] as number,
        firstAt: this.firstAts[slot] as number,
        lastAt: this.lastAts[slot] as number,
      };
    }
  }

  private remember(pair: number, quantity: number, timestamp: number): void {
    const slot = this.slots.size;
    if (slot === this.pairs.length) {
      const grow = (from: Float64Array) => {
        const to = new Float64Array(slot * 2);
        to.set(from);
        return to;
      };
      this.pairs = grow(this.pairs);
      this.counts = grow(this.counts);
      this.quantities = grow(this.quantities);
      this.firstAts = grow(this.firstAts);
      this.lastAts = grow(this.lastAts);
    }
    this.slots.set(pair, slot);
    this.pairs[slot] = pair;
    this.counts[slot] = 1;
    this.quantities[slot] = quantity;
    this.firstAts[slot] = timestamp;
    this.lastAts[slot] = timestamp;
  }
}

export function planRelations(relations: Located<RelationRecord>[], productIds: ReadonlySet<string>): { relations: RelationRecord[]; rejected: Rejection[] } {
  const selfLinks = relations.filter((item) => item.value.from === item.value.to);
  const others = relations.filter((item) => item.value.from !== item.value.to);
  const byFrom = partitionByReference(others, (r) => r.from, productIds, 'from', 'product', '');
  const byTo = partitionByReference(byFrom.kept, (r) => r.to, productIds, 'to', 'product', '');
  return {
    relations: values(byTo.kept),
    rejected: [...selfLinks.map((item) => reject(item, 'to', 'a product cannot be related to itself')), ...byFrom.rejected, ...byTo.rejected],
  };
}
