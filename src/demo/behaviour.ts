import type { Catalogue, DemoEvent, DemoEventType, DemoRelation, Leaf, Period, Product, Shopper, Tier } from './model.js';
import { TIERS } from './model.js';
import { type Random, WeightedSampler } from '../math/random.js';
import { boughtTogetherPairs } from './relations.js';
import { ATTRIBUTE_AFFINITY, favouredAttributes } from './attributes.js';

/**
 * Simulated browsing: shoppers start sessions in proportion to their activity, pick a leaf category mostly
 * from their tastes, view products chosen by brand affinity, price fit and popularity, and some views go on
 * to click, add to cart and purchase. A purchase in a leaf with bought-together companions often brings the
 * shopper back a little later for a companion product: the "bought together" signal.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Relative traffic per UTC hour of day: quiet at night, peaking in the evening, as shop traffic does. */
const HOUR_WEIGHTS = [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 6, 5, 5, 5, 6, 7, 8, 9, 9, 7, 4];
/**
 * Sessions start at least this long before the end of the period. A session has at most MAX_VIEWS views of at
 * most four events each, MAX_GAP_MS apart (12 × 4 × 2 min = 96 min), so every event lies inside the period.
 */
const SESSION_HEADROOM_MS = 2 * HOUR_MS;
const GAP_MS = { min: 5_000, max: 120_000 };
/** After each view the shopper keeps browsing with this chance: about four views per session on average. */
const KEEP_BROWSING = 0.75;
const MAX_VIEWS = 12;
/** Share of sessions outside the shopper's favourite leaves; half of those stay in the home department. */
const EXPLORE_SHARE = 0.15;
const EXPLORE_HOME_SHARE = 0.5;
/** A drifting shopper's new leaf takes up to this share of sessions by the end of the period. */
const DRIFT_MAX_SHARE = 0.5;
/** How much more a favourite brand's product is viewed, and how price-band distance (0, 1, 2 tiers) damps appeal. */
export const BRAND_AFFINITY = 3;
export const PRICE_FIT = [1, 0.35, 0.1];
export const OUT_OF_STOCK_APPEAL = 0.5;
/**
 * Funnel chances, raised by "interest" (0–3: favourite brand, price band fits, a favoured attribute). They give a purchase rate of
 * 1–9 % of views, about 5 % overall, as is typical for online shops.
 */
const CLICK = { base: 0.25, perInterest: 0.08 };
export const ADD_TO_CART = { base: 0.12, perInterest: 0.1 };
export const PURCHASE_AFTER_CART = 0.45;
/** Purchase quantities 1, 2, 3. */
export const QUANTITY_WEIGHTS = [0.8, 0.15, 0.05];
/**
 * Coming back for a companion: chance after a purchase in a leaf that has companions, the delay (at least an
 * hour, exponential with a mean of three days), and how focused the return visit is.
 */
const FOLLOW_UP = {
  chance: 0.7,
  minDelayMs: HOUR_MS,
  meanDelayMs: 3 * DAY_MS,
  maxViews: 3,
  /** Products a merchandiser relation links to the purchase are this much more likely to be viewed. */
  relatedBoost: 5,
  click: 0.7,
  addToCart: 0.6,
  purchaseAfterCart: 0.7,
};
/** Sessions in a row that produce nothing before giving up: the catalogue cannot produce events. */
const MAX_FRUITLESS_SESSIONS = 10_000;

interface RawEvent {
  userId: string;
  productId: string;
  type: DemoEventType;
  ms: number;
  quantity?: number;
}

interface SessionPlan {
  shopper: Shopper;
  leaf: Leaf;
  startMs: number;
  /** Set for a return visit for a companion of this purchase. */
  followUpOf?: Product;
}

export const tierDistance = (a: Tier, b: Tier): number => Math.abs(TIERS.indexOf(a) - TIERS.indexOf(b));

/** Upper bound: the number of products (sorted by creation time) that exist at `ms`. */
function existingCount(products: readonly Product[], ms: number): number {
  let low = 0;
  let high = products.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((products[middle] as Product).createdMs <= ms) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class ShopSimulation {
  private readonly out: RawEvent[] = [];
  private readonly companions = new Map<string, Leaf[]>();
  /** Product id → ids of products a merchandiser relation suggests buying with it. */
  private readonly related = new Map<string, Set<string>>();
  private readonly leafSampler: WeightedSampler;
  private readonly latestStartMs: number;

  constructor(
    private readonly random: Random,
    private readonly catalogue: Catalogue,
    private readonly shoppers: readonly Shopper[],
    private readonly period: Period,
    relations: readonly DemoRelation[],
  ) {
    for (const { main, companion } of boughtTogetherPairs(catalogue.leaves)) {
      this.companions.set(main.id, [...(this.companions.get(main.id) ?? []), companion]);
    }
    for (const relation of relations) {
      if (relation.type === 'SUBSTITUTES') continue;
      // COMPLEMENTS point from the main product, ACCESSORY_OF from the accessory to the main product.
      const [main, companion] = relation.type === 'COMPLEMENTS' ? [relation.from, relation.to] : [relation.to, relation.from];
      const set = this.related.get(main) ?? new Set<string>();
      set.add(companion);
      this.related.set(main, set);
    }
    this.leafSampler = new WeightedSampler(catalogue.leaves.map((leaf) => leaf.weight));
    this.latestStartMs = Math.max(period.startMs, period.endMs - SESSION_HEADROOM_MS);
  }

  /**
   * Exactly `count` events, sorted by time (the sort is stable, so ties keep generation order), with ids
   * e-0000001… in that order: a time-based train/test split is then a cut at one id.
   */
  run(count: number): DemoEvent[] {
    this.out.length = 0;
    if (count === 0) return [];
    if (this.shoppers.length === 0 || this.catalogue.products.length === 0) {
      throw new RangeError('events need at least one user and one product');
    }
    const shopperSampler = new WeightedSampler(this.shoppers.map((shopper) => shopper.activity));
    let fruitless = 0;
    while (this.out.length < count) {
      const before = this.out.length;
      const shopper = this.shoppers[shopperSampler.sample(this.random)] as Shopper;
      const startMs = this.sessionStart();
      this.session({ shopper, leaf: this.chooseLeaf(shopper, startMs), startMs });
      fruitless = this.out.length === before ? fruitless + 1 : 0;
      if (fruitless > MAX_FRUITLESS_SESSIONS) throw new Error('the demo catalogue has no products to browse in the event period');
    }
    // Truncating in generation order only ever cuts the tail of the last session, so funnels stay intact.
    const events = this.out.slice(0, count).sort((a, b) => a.ms - b.ms);
    return events.map((event, index) => ({
      id: `e-${String(index + 1).padStart(7, '0')}`,
      userId: event.userId,
      productId: event.productId,
      type: event.type,
      timestamp: new Date(event.ms).toISOString(),
      ...(event.quantity === undefined ? {} : { quantity: event.quantity }),
    }));
  }

  /** A time in the period, by day uniformly and by hour of day following HOUR_WEIGHTS. */
  private sessionStart(): number {
    const firstDay = Math.floor(this.period.startMs / DAY_MS) * DAY_MS;
    const days = Math.max(1, Math.ceil((this.latestStartMs - firstDay) / DAY_MS));
    for (;;) {
      const hour = this.random.weightedIndex(HOUR_WEIGHTS);
      const ms = firstDay + this.random.integer(0, days - 1) * DAY_MS + hour * HOUR_MS + Math.floor(this.random.uniform(0, HOUR_MS));
      if (ms >= this.period.startMs && ms <= this.latestStartMs) return ms;
    }
  }

  private chooseLeaf(shopper: Shopper, ms: number): Leaf {
    const { drift } = shopper;
    if (drift && ms >= drift.startMs) {
      const progress = (ms - drift.startMs) / Math.max(1, this.period.endMs - drift.startMs);
      if (this.random.chance(DRIFT_MAX_SHARE * progress)) return drift.leaf;
    }
    if (this.random.chance(EXPLORE_SHARE)) {
      if (this.random.chance(EXPLORE_HOME_SHARE)) {
        return this.random.pick(this.catalogue.leaves.filter((leaf) => leaf.department.slug === shopper.homeDepartment));
      }
      return this.catalogue.leaves[this.leafSampler.sample(this.random)] as Leaf;
    }
    return shopper.favouriteLeaves[this.random.weightedIndex(shopper.leafWeights)] as Leaf;
  }

  private appeal(shopper: Shopper, product: Product): number {
    return (
      product.popularity *
      (shopper.favouriteBrands.has(product.brand.record.id) ? BRAND_AFFINITY : 1) *
      (PRICE_FIT[tierDistance(shopper.band, product.brand.tier)] ?? 1) *
      (product.record.inStock ? 1 : OUT_OF_STOCK_APPEAL) *
      ATTRIBUTE_AFFINITY ** favouredAttributes(shopper, product)
    );
  }

  private session(plan: SessionPlan): void {
    const { shopper, followUpOf } = plan;
    const products = this.catalogue.productsByLeaf.get(plan.leaf.id) ?? [];
    const candidates = products.slice(0, existingCount(products, plan.startMs));
    if (candidates.length === 0) return;
    const related = followUpOf ? this.related.get(followUpOf.record.id) : undefined;
    const weights = candidates.map(
      (product) => this.appeal(shopper, product) * (related?.has(product.record.id) ? FOLLOW_UP.relatedBoost : 1),
    );
    const views = followUpOf ? this.random.integer(1, FOLLOW_UP.maxViews) : this.browsingLength();
    const followUps: SessionPlan[] = [];
    let clock = plan.startMs;
    for (let view = 0; view < views; view += 1) {
      const index = this.random.weightedIndex(weights);
      if (index < 0) break;
      weights[index] = 0; // no second view of the same product in one session
      const product = candidates[index] as Product;
      const visit = this.visit(shopper, product, clock, followUpOf !== undefined);
      clock = visit.clock;
      if (visit.purchased && !followUpOf) {
        const followUp = this.followUp(shopper, product, clock);
        if (followUp) followUps.push(followUp);
      }
    }
    // Return visits never spawn return visits of their own: the signal stays one step deep.
    for (const followUp of followUps) this.session(followUp);
  }

  private browsingLength(): number {
    let views = 1;
    while (views < MAX_VIEWS && this.random.chance(KEEP_BROWSING)) views += 1;
    return views;
  }

  /** One product view and whatever follows it; returns the time after it and whether it ended in a purchase. */
  private visit(shopper: Shopper, product: Product, startMs: number, followUp: boolean): { clock: number; purchased: boolean } {
    let clock = startMs;
    const emit = (type: DemoEventType, quantity?: number): void => {
      this.out.push({ userId: shopper.record.id, productId: product.record.id, type, ms: clock, ...(quantity === undefined ? {} : { quantity }) });
      clock += Math.floor(this.random.uniform(GAP_MS.min, GAP_MS.max));
    };
    // A product with a favoured attribute (the shopper's colour, say) is likelier to be bought once seen.
    const interest =
      (shopper.favouriteBrands.has(product.brand.record.id) ? 1 : 0) +
      (shopper.band === product.brand.tier ? 1 : 0) +
      (favouredAttributes(shopper, product) > 0 ? 1 : 0);
    const clickChance = followUp ? FOLLOW_UP.click : CLICK.base + CLICK.perInterest * interest;
    const cartChance = followUp ? FOLLOW_UP.addToCart : ADD_TO_CART.base + ADD_TO_CART.perInterest * interest;
    const purchaseChance = followUp ? FOLLOW_UP.purchaseAfterCart : PURCHASE_AFTER_CART;

    emit('view');
    if (!this.random.chance(clickChance)) return { clock, purchased: false };
    emit('click');
    if (!this.random.chance(cartChance)) return { clock, purchased: false };
    emit('add_to_cart');
    if (!this.random.chance(purchaseChance)) return { clock, purchased: false };
    emit('purchase', this.random.weightedIndex(QUANTITY_WEIGHTS) + 1);
    return { clock, purchased: true };
  }

  private followUp(shopper: Shopper, purchase: Product, afterMs: number): SessionPlan | undefined {
    const companions = this.companions.get(purchase.leaf.id);
    if (!companions || !this.random.chance(FOLLOW_UP.chance)) return undefined;
    const delay = FOLLOW_UP.minDelayMs - Math.log(1 - this.random.nextFloat()) * FOLLOW_UP.meanDelayMs;
    const startMs = Math.floor(afterMs + delay);
    if (startMs > this.latestStartMs) return undefined;
    return { shopper, leaf: this.random.pick(companions), startMs, followUpOf: purchase };
  }
}
