import type { Product, Shopper } from './model.js';
import { Random } from '../math/random.js';
import { EVERYDAY_CATEGORY_WORDS, PRICE_BAND_WORDS } from './shopperPhrasing.js';
import { tokenize } from '../text/tokenize.js';

/**
 * The query model of the demo shop's search sessions: for a purchase the ranker has not seen, the words
 * the shopper would have typed to find it. A shopper names the kind of thing they want (the category's
 * name, one of its product words, or an everyday word of their own), often one thing about it (an
 * attribute), and now and then their taste (a price-band word, a favourite brand). They never type the
 * model code and rarely the title. Written before the ranker was tuned, and left alone since
 * (docs/decisions/0020-search-evaluation.md).
 */

/** A purchase held out of what the ranker learnt from, by shopper and product id. */
export interface HeldOutPurchase {
  userId: string;
  productId: string;
}

export interface SearchSession extends HeldOutPurchase {
  query: string;
}

/**
 * Words that describe the product itself, for the query's attribute part. The hook for product
 * attributes: when the demo generator gives products a colour, a material and so on, an attribute
 * source returns those words too (and the query model needs no other change).
 */
export type AttributeWords = (product: Product) => readonly string[];

/** How a category is named: shares of the four ways (they need not sum to 1; they are weights). */
const CATEGORY_NAMING = { leafName: 0.3, productWord: 0.25, everydayWord: 0.35, parentName: 0.1 } as const;
/** Chance that a query names one attribute of the product. */
const ATTRIBUTE_CHANCE = 0.55;
/** Chance that a budget or premium shopper says so. */
const PRICE_BAND_CHANCE = 0.45;
/** Chance that a shopper buying one of their favourite brands names the brand. */
const FAVOURITE_BRAND_CHANCE = 0.2;
/** The seed's stream for sessions: one PRNG (src/math/random.ts), a stream of its own. */
const SESSION_STREAM = 'search-sessions';

const lower = (text: string): string => text.toLowerCase();
const withoutArticle = (phrase: string): string => phrase.replace(/^(a|an|the)\s+/i, '');

/**
 * The product's own words as the catalogue generator wrote them: the adjective of its title
 * ("wireless") and the features its description lists ("deep bass"). Attribute records (colour,
 * material) are not generated yet; when they are, add their values here.
 */
export const catalogueAttributeWords: AttributeWords = (product) => {
  const { vocabulary } = product.leaf;
  const title = lower(product.record.title);
  const description = lower(product.record.description);
  const adjectives = vocabulary.adjectives.filter((adjective) => title.includes(lower(adjective)));
  const features = vocabulary.features.filter((feature) => description.includes(lower(feature))).map((feature) => lower(withoutArticle(feature)));
  return [...adjectives.map(lower), ...features];
};

/** The words that name the product's category, as this shopper would. */
function categoryWords(random: Random, product: Product): string {
  const { leaf } = product;
  const everyday = EVERYDAY_CATEGORY_WORDS[leaf.vocabulary.slug] ?? [];
  const parent = leaf.department.subcategories.find((subcategory) => subcategory.leaves.includes(leaf.vocabulary));
  const ways = [
    { words: [leaf.name], weight: CATEGORY_NAMING.leafName },
    { words: leaf.vocabulary.nouns, weight: CATEGORY_NAMING.productWord },
    { words: everyday, weight: everyday.length > 0 ? CATEGORY_NAMING.everydayWord : 0 },
    { words: parent ? [parent.name] : [], weight: parent ? CATEGORY_NAMING.parentName : 0 },
  ];
  const way = random.weightedPick(ways, (entry) => entry.weight);
  return lower(random.pick(way.words).replace(/&/g, ' '));
}

/** One query: [price band] [brand] [attribute] category [feature], lower-case, single spaces. */
export function writeQuery(random: Random, shopper: Shopper, product: Product, attributeWords: AttributeWords = catalogueAttributeWords): string {
  const before: string[] = [];
  const after: string[] = [];
  const bandWords = PRICE_BAND_WORDS[shopper.band];
  if (bandWords.length > 0 && random.chance(PRICE_BAND_CHANCE)) before.push(random.pick(bandWords));
  if (shopper.favouriteBrands.has(product.brand.record.id) && random.chance(FAVOURITE_BRAND_CHANCE)) before.push(lower(product.brand.record.name));
  const attributes = attributeWords(product);
  if (attributes.length > 0 && random.chance(ATTRIBUTE_CHANCE)) {
    const attribute = random.pick(attributes);
    // One word reads before the noun ("wireless headphones"), a phrase after it ("headphones deep bass").
    (attribute.includes(' ') ? after : before).push(attribute);
  }
  return [...before, categoryWords(random, product), ...after].join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * A session per held-out purchase, in the order given: the same purchases, world and seed give the same
 * queries. Purchases of unknown shoppers or products are skipped.
 */
export function buildSearchSessions(
  purchases: readonly HeldOutPurchase[],
  world: { shoppers: readonly Shopper[]; products: readonly Product[] },
  options: { seed: number; attributeWords?: AttributeWords },
): SearchSession[] {
  const random = Random.forStream(options.seed, SESSION_STREAM);
  const shopperOf = new Map(world.shoppers.map((shopper) => [shopper.record.id, shopper]));
  const productOf = new Map(world.products.map((product) => [product.record.id, product]));
  const sessions: SearchSession[] = [];
  for (const purchase of purchases) {
    const shopper = shopperOf.get(purchase.userId);
    const product = productOf.get(purchase.productId);
    if (!shopper || !product) continue;
    sessions.push({ ...purchase, query: writeQuery(random, shopper, product, options.attributeWords) });
  }
  return sessions;
}

/** Share of the query's terms that are terms of the title (0 for a query without terms): how much it leaks. */
export function titleShare(query: string, title: string): number {
  const terms = tokenize(query);
  if (terms.length === 0) return 0;
  const titleTerms = new Set(tokenize(title));
  return terms.filter((term) => titleTerms.has(term)).length / terms.length;
}
