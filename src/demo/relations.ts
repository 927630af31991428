import type { Catalogue, DemoRelation, DemoRelationType, Leaf, Product } from './model.js';
import type { Random } from '../math/random.js';
import { BOUGHT_TOGETHER } from './vocabulary.js';

/** Relations per product: "a few hundred" of each type in the default 5,000-product shop. */
const RELATIONS_PER_PRODUCT: Record<DemoRelationType, number> = { COMPLEMENTS: 0.06, ACCESSORY_OF: 0.05, SUBSTITUTES: 0.06 };
/** Tries per wanted relation before giving up (small catalogues run out of distinct pairs). */
const ATTEMPTS_PER_RELATION = 10;
/** Merchandisers pair a product with a companion of the same brand or price tier more often. */
const SAME_BRAND_BOOST = 3;
const SAME_TIER_BOOST = 2;
/** Substitutes must be priced alike: the cheaper one costs at least 70 % of the dearer one. */
const MIN_SUBSTITUTE_PRICE_RATIO = 0.7;

export interface BoughtTogetherPair {
  main: Leaf;
  companion: Leaf;
  kind: 'accessory' | 'complement';
}

/** BOUGHT_TOGETHER with its leaf paths resolved; a path that names no leaf is a bug in the vocabulary. */
export function boughtTogetherPairs(leaves: readonly Leaf[]): BoughtTogetherPair[] {
  const byPath = new Map(leaves.map((leaf) => [leaf.path, leaf]));
  return BOUGHT_TOGETHER.map(({ main, companion, kind }) => {
    const mainLeaf = byPath.get(main);
    const companionLeaf = byPath.get(companion);
    if (!mainLeaf || !companionLeaf) throw new Error(`BOUGHT_TOGETHER names an unknown leaf: ${mainLeaf ? companion : main}`);
    return { main: mainLeaf, companion: companionLeaf, kind };
  });
}

const roundWeight = (weight: number): number => Math.min(1, Math.max(0.01, Math.round(weight * 100) / 100));

class RelationSet {
  readonly relations: DemoRelation[] = [];
  private readonly seen = new Set<string>();
  private readonly counts = new Map<DemoRelationType, number>();

  /** Adds the relation unless it is a self-relation or already there (in either direction: a pair is a pair). */
  add(from: string, to: string, type: DemoRelationType, weight: number): void {
    if (from === to) return;
    const key = `${type}|${from < to ? `${from}|${to}` : `${to}|${from}`}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.relations.push({ from, to, type, weight: roundWeight(weight) });
    this.counts.set(type, this.count(type) + 1);
  }

  count(type: DemoRelationType): number {
    return this.counts.get(type) ?? 0;
  }
}

function companionOf(random: Random, product: Product, companions: readonly Product[]): Product {
  return random.weightedPick(
    companions,
    (other) =>
      other.popularity * (other.brand === product.brand ? SAME_BRAND_BOOST : 1) * (other.brand.tier === product.brand.tier ? SAME_TIER_BOOST : 1),
  );
}

function addBoughtTogether(random: Random, catalogue: Catalogue, set: RelationSet, kind: BoughtTogetherPair['kind']): void {
  const type: DemoRelationType = kind === 'accessory' ? 'ACCESSORY_OF' : 'COMPLEMENTS';
  const productsOf = (leaf: Leaf): Product[] => catalogue.productsByLeaf.get(leaf.id) ?? [];
  const pairs = boughtTogetherPairs(catalogue.leaves).filter(
    (pair) => pair.kind === kind && productsOf(pair.main).length > 0 && productsOf(pair.companion).length > 0,
  );
  if (pairs.length === 0) return;
  const wanted = Math.round(catalogue.products.length * RELATIONS_PER_PRODUCT[type]);
  for (let attempt = 0; attempt < wanted * ATTEMPTS_PER_RELATION && set.count(type) < wanted; attempt += 1) {
    const pair = random.pick(pairs);
    const main = random.weightedPick(productsOf(pair.main), (product) => product.popularity);
    const companion = companionOf(random, main, productsOf(pair.companion));
    const weight = 0.4 + (main.brand === companion.brand ? 0.3 : 0) + (main.brand.tier === companion.brand.tier ? 0.2 : 0) + random.uniform(0, 0.1);
    // An accessory points at what it is an accessory of; a complement from the main product to its companion.
    if (type === 'ACCESSORY_OF') set.add(companion.record.id, main.record.id, type, weight);
    else set.add(main.record.id, companion.record.id, type, weight);
  }
}

function addSubstitutes(random: Random, catalogue: Catalogue, set: RelationSet): void {
  const wanted = Math.round(catalogue.products.length * RELATIONS_PER_PRODUCT.SUBSTITUTES);
  for (let attempt = 0; attempt < wanted * ATTEMPTS_PER_RELATION && set.count('SUBSTITUTES') < wanted; attempt += 1) {
    const product = random.pick(catalogue.products);
    const alike = (catalogue.productsByLeaf.get(product.leaf.id) ?? []).filter((other) => {
      const ratio = Math.min(other.record.price, product.record.price) / Math.max(other.record.price, product.record.price);
      return other !== product && other.brand.tier === product.brand.tier && ratio >= MIN_SUBSTITUTE_PRICE_RATIO;
    });
    if (alike.length === 0) continue;
    const other = random.weightedPick(alike, (candidate) => candidate.popularity);
    // The closer the prices, the better a substitute.
    const weight = Math.min(other.record.price, product.record.price) / Math.max(other.record.price, product.record.price);
    set.add(product.record.id, other.record.id, 'SUBSTITUTES', weight);
  }
}

/** Merchandiser relations: complements and accessories between bought-together leaves, substitutes within a leaf and tier. */
export function buildRelations(random: Random, catalogue: Catalogue): DemoRelation[] {
  const set = new RelationSet();
  addBoughtTogether(random, catalogue, set, 'complement');
  addBoughtTogether(random, catalogue, set, 'accessory');
  addSubstitutes(random, catalogue, set);
  return set.relations;
}
