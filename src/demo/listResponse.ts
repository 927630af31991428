import type { Random } from '../math/random.js';
import { ADD_TO_CART, BRAND_AFFINITY, OUT_OF_STOCK_APPEAL, PRICE_FIT, PURCHASE_AFTER_CART, QUANTITY_WEIGHTS, tierDistance } from './behaviour.js';
import type { Product, Shopper } from './model.js';

/**
 * How a demo shopper answers a served list: every item is shown (an impression); they look down the list
 * less and less, click what they look at as far as it fits their tastes — their favourite leaves, brands and
 * price band, the same tastes the demo's browsing history was drawn from (behaviour.ts) — and some clicks go
 * on to the cart and to a purchase, with the funnel chances of that history.
 */

/**
 * Chance of looking at the item in place k is k^−POSITION_DECAY: the position bias measured in click logs
 * (Joachims et al. 2017 report decays near 1 for web search; product grids are scanned more evenly).
 */
const POSITION_DECAY = 0.7;
/** Click chance for an examined item that fits every taste: a favourite leaf's best brand in the shopper's band. */
const PERFECT_FIT_CLICK = 0.6;
/** Appeal of a product outside the favourite leaves: in the home department, or anywhere else. */
const HOME_DEPARTMENT_APPEAL = 0.15;
const ELSEWHERE_APPEAL = 0.03;
/** A drifting shopper's new leaf appeals like a second favourite once the drift has begun. */
const DRIFT_APPEAL = 0.6;

export interface ItemResponse {
  productId: string;
  /** 1-based place in the list. */
  position: number;
  clicked: boolean;
  carted: boolean;
  purchased: boolean;
  /** Units bought (0 without a purchase). */
  quantity: number;
}

/** How much the product's leaf appeals to the shopper, 0..1. */
function leafAppeal(shopper: Shopper, product: Product, atMs: number): number {
  const favourite = shopper.favouriteLeaves.indexOf(product.leaf);
  if (favourite >= 0) return shopper.leafWeights[favourite] ?? 0;
  if (shopper.drift && shopper.drift.leaf === product.leaf && atMs >= shopper.drift.startMs) return DRIFT_APPEAL;
  return product.leaf.department.slug === shopper.homeDepartment ? HOME_DEPARTMENT_APPEAL : ELSEWHERE_APPEAL;
}

/** Chance that the shopper clicks the product once they look at it. */
export function clickChance(shopper: Shopper, product: Product, atMs: number): number {
  const brand = shopper.favouriteBrands.has(product.brand.record.id) ? 1 : 1 / BRAND_AFFINITY;
  const price = PRICE_FIT[tierDistance(shopper.band, product.brand.tier)] ?? 0;
  const stock = product.record.inStock ? 1 : OUT_OF_STOCK_APPEAL;
  return PERFECT_FIT_CLICK * leafAppeal(shopper, product, atMs) * brand * price * stock;
}

/**
 * The shopper's answer to a list of product ids; ids the demo catalogue does not know (products added
 * through the API) are shown but never clicked. `atMs` places the visit in the shopper's drift.
 */
export function respondToList(random: Random, shopper: Shopper, productIds: readonly string[], catalogue: ReadonlyMap<string, Product>, atMs: number): ItemResponse[] {
  return productIds.map((productId, index) => {
    const position = index + 1;
    const product = catalogue.get(productId);
    const none = { productId, position, clicked: false, carted: false, purchased: false, quantity: 0 };
    if (!product || !random.chance(position ** -POSITION_DECAY) || !random.chance(clickChance(shopper, product, atMs))) return none;
    const interest = (shopper.favouriteBrands.has(product.brand.record.id) ? 1 : 0) + (shopper.band === product.brand.tier ? 1 : 0);
    if (!random.chance(ADD_TO_CART.base + ADD_TO_CART.perInterest * interest)) return { ...none, clicked: true };
    if (!random.chance(PURCHASE_AFTER_CART)) return { ...none, clicked: true, carted: true };
    return { ...none, clicked: true, carted: true, purchased: true, quantity: random.weightedIndex(QUANTITY_WEIGHTS) + 1 };
  });
}
