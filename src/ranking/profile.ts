import { HIDDEN_RELATIONSHIP } from '../domain/behaviours.js';
import type { ProfileRow } from '../graph/shopReads.js';
import type { CatalogueSnapshot } from './catalogueSnapshot.js';
import { ageAt, decayReference } from './decay.js';
import { ANCESTOR_DISCOUNT, BEHAVIOUR_WEIGHTS, INTEREST_HALF_LIFE_MS } from './weights.js';

/**
 * What one user's behaviour says about them: how much they engage with each category (and the categories
 * above it) and each brand, recency-weighted, and what they already bought. Built per request from the
 * user's behaviour aggregates, so an event recorded a moment ago counts in the next recommendation.
 */

/** Distinct products the user engaged with, per behaviour: the material of "you viewed 3 products of Fleet". */
type Engagement = Map<string, Set<string>>;

export interface Interest {
  /** 0..1, relative to the user's strongest interest of the same kind. */
  score: number;
  /** The category or brand it comes from (for a category, possibly an ancestor of the product's). */
  id: string;
}

export class UserProfile {
  /** Interest per product category, memoised: a request asks once per product, but there are few categories. */
  private readonly interestByCategory = new Map<string, Interest | null>();

  constructor(
    readonly purchased: ReadonlySet<string>,
    /** Every product the user viewed, clicked, put in a cart or bought. */
    readonly seen: ReadonlySet<string>,
    /** Products the user hid (`hide` events): never shown to them again. */
    readonly hidden: ReadonlySet<string>,
    private readonly categoryScores: ReadonlyMap<string, number>,
    private readonly brandScores: ReadonlyMap<string, number>,
    private readonly categoryEngagement: ReadonlyMap<string, Engagement>,
    private readonly brandEngagement: ReadonlyMap<string, Engagement>,
  ) {}

  /** True for a product a page must leave out: one bought or hidden, and with `unseenOnly` any the user has met. */
  excludes(productId: string, unseenOnly: boolean): boolean {
    return this.purchased.has(productId) || this.hidden.has(productId) || (unseenOnly && this.seen.has(productId));
  }

  get isEmpty(): boolean {
    return this.categoryScores.size === 0 && this.brandScores.size === 0 && this.purchased.size === 0;
  }

  /** Interest in a product's category: the best of its own and its ancestors', discounted per level up. */
  categoryInterest(categoryId: string | null, snapshot: CatalogueSnapshot): Interest | null {
    if (categoryId === null) return null;
    const cached = this.interestByCategory.get(categoryId);
    if (cached !== undefined) return cached;
    let best: Interest | null = null;
    snapshot.ancestry(categoryId).forEach((id, level) => {
      const score = (this.categoryScores.get(id) ?? 0) * ANCESTOR_DISCOUNT ** level;
      if (score > 0 && (best === null || score > best.score)) best = { id, score };
    });
    this.interestByCategory.set(categoryId, best);
    return best;
  }

  /** Category interest by CatalogueProduct.categoryIndex: the ranking loop reads it per product. */
  categoryInterestByIndex(snapshot: CatalogueSnapshot): Float64Array {
    return Float64Array.from(snapshot.categoryIds, (id) => this.categoryInterest(id, snapshot)?.score ?? 0);
  }

  /** Brand interest by CatalogueProduct.brandIndex. */
  brandInterestByIndex(snapshot: CatalogueSnapshot): Float64Array {
    return Float64Array.from(snapshot.brandIds, (id) => this.brandScores.get(id) ?? 0);
  }

  /** The largest category interest any product can get (1 unless the user has none). */
  get maxCategoryInterest(): number {
    return this.categoryScores.size > 0 ? 1 : 0;
  }

  get maxBrandInterest(): number {
    return this.brandScores.size > 0 ? 1 : 0;
  }

  brandInterest(brandId: string | null): Interest | null {
    const score = brandId === null ? 0 : (this.brandScores.get(brandId) ?? 0);
    return brandId !== null && score > 0 ? { id: brandId, score } : null;
  }

  /** "you viewed 3 products in Running Shoes": the behaviour that says most, with its product count. */
  describeCategory(categoryId: string, name: string): string | null {
    return describe(this.categoryEngagement.get(categoryId), `in ${name}`);
  }

  describeBrand(brandId: string, name: string): string | null {
    return describe(this.brandEngagement.get(brandId), `of ${name}`);
  }
}

const PHRASES: Record<string, (products: string) => string> = {
  PURCHASED: (products) => `you bought ${products}`,
  ADDED_TO_CART: (products) => `you added ${products} to your cart`,
  CLICKED: (products) => `you clicked on ${products}`,
  VIEWED: (products) => `you viewed ${products}`,
};

function describe(engagement: Engagement | undefined, where: string): string | null {
  if (!engagement) return null;
  let best: { relationship: string; count: number; weight: number } | null = null;
  for (const [relationship, products] of engagement) {
    const weight = (BEHAVIOUR_WEIGHTS[relationship] ?? 0) * products.size;
    if (best === null || weight > best.weight) best = { relationship, count: products.size, weight };
  }
  if (best === null) return null;
  const phrase = PHRASES[best.relationship];
  const products = `${best.count} product${best.count === 1 ? '' : 's'} ${where}`;
  return phrase ? phrase(products) : null;
}

function addEngagement(target: Map<string, Engagement>, key: string, relationship: string, productId: string): void {
  const engagement = target.get(key) ?? new Map<string, Set<string>>();
  target.set(key, engagement);
  const products = engagement.get(relationship) ?? new Set<string>();
  engagement.set(relationship, products);
  products.add(productId);
}

const normalise = (scores: Map<string, number>): Map<string, number> => {
  const max = [...scores.values()].reduce((top, score) => Math.max(top, score), 0);
  return new Map([...scores].filter(([, score]) => score > 0).map(([id, score]) => [id, score / max]));
};

/**
 * Recency is measured from the user's own latest event, so that a user who was away for a month keeps
 * their tastes; only the relative age of their behaviours matters.
 */
export function buildProfile(rows: readonly ProfileRow[], snapshot: CatalogueSnapshot, now = Date.now()): UserProfile {
  const tau = INTEREST_HALF_LIFE_MS / Math.LN2;
  const latest = decayReference(rows.map((row) => row.lastAt), now);
  const purchased = new Set<string>();
  const seen = new Set<string>();
  const hidden = new Set<string>();
  const categoryScores = new Map<string, number>();
  const brandScores = new Map<string, number>();
  const categoryEngagement = new Map<string, Engagement>();
  const brandEngagement = new Map<string, Engagement>();
  /** The categories the user's products are in (before adding ancestors). */
  const leaves = new Set<string>();
  for (const row of rows) {
    // A hide is no interest in the product's category or brand: it only takes the product out.
    if (row.relationship === HIDDEN_RELATIONSHIP) {
      hidden.add(row.productId);
      continue;
    }
    if (row.relationship === 'PURCHASED') purchased.add(row.productId);
    seen.add(row.productId);
    const weight = (BEHAVIOUR_WEIGHTS[row.relationship] ?? 0) * row.count * Math.exp(-ageAt(latest, row.lastAt) / tau);
    // A product newer than the snapshot is not in it yet: it counts as bought, not towards interests.
    const product = snapshot.byId.get(row.productId);
    if (!product) continue;
    if (product.categoryId !== null) leaves.add(product.categoryId);
    // A category's interest includes its subcategories': liking trail and road shoes is liking running shoes.
    for (const categoryId of snapshot.ancestry(product.categoryId)) {
      categoryScores.set(categoryId, (categoryScores.get(categoryId) ?? 0) + weight);
      addEngagement(categoryEngagement, categoryId, row.relationship, row.productId);
    }
    if (product.brandId !== null) {
      brandScores.set(product.brandId, (brandScores.get(product.brandId) ?? 0) + weight);
      addEngagement(brandEngagement, product.brandId, row.relationship, row.productId);
    }
  }
  return new UserProfile(purchased, seen, hidden, normaliseByLeaves(categoryScores, leaves), normalise(brandScores), categoryEngagement, brandEngagement);
}

/**
 * Ancestors sum their subcategories' interest, so normalising by the overall maximum would make every root
 * category 1 and the leaves small; dividing by the strongest leaf-level interest keeps a leaf the user loves
 * at 1 while its ancestors (discounted per level when applied) are capped at 1.
 */
function normaliseByLeaves(scores: Map<string, number>, leaves: ReadonlySet<string>): Map<string, number> {
  const max = [...leaves].reduce((top, id) => Math.max(top, scores.get(id) ?? 0), 0);
  if (max === 0) return new Map();
  return new Map([...scores].map(([id, score]) => [id, Math.min(1, score / max)]));
}
