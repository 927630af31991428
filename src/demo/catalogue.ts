import { type Brand, type Catalogue, type DemoCategory, type Leaf, type Period, type Product, type Tier, TIERS } from './model.js';
import { type Random, WeightedSampler } from '../math/random.js';
import { BRAND_ENDINGS, BRAND_STARTS, DEPARTMENTS, type DepartmentVocabulary, SIGNATURE_WORDS } from './vocabulary.js';

const DAY_MS = 86_400_000;

/** Share of brands per tier once every department has one of each; a typical marketplace mix. */
const TIER_SHARES: Record<Tier, number> = { budget: 0.35, mid: 0.4, premium: 0.25 };
/** Price multiplier of a tier relative to the leaf's mid-range base price. */
const TIER_PRICE_FACTOR: Record<Tier, number> = { budget: 0.55, mid: 1, premium: 1.9 };
/** ±20 % around the tier price, so that prices of one brand and leaf still differ. */
const PRICE_NOISE = { min: 0.8, max: 1.25 };
/** Share of brands that also sell in a second department (a sports brand with a fashion line). */
const SECOND_DEPARTMENT_SHARE = 0.35;
/** Share of brand names with a department word ("Norvik Audio"), as real brand lists have. */
const BRAND_SUFFIX_SHARE = 0.2;
/** ~92 % of products in stock, as in a typical shop's catalogue. */
const IN_STOCK_SHARE = 0.92;
/** 70 % of the catalogue predates the event period (listed during the year before); the rest is new during it. */
const OLD_CATALOGUE_SHARE = 0.7;
const CATALOGUE_HISTORY_MS = 365 * DAY_MS;
/** Exponent of the Zipf law for popularity within a leaf; 1 is the classic value for retail long tails. */
const ZIPF_EXPONENT = 1;
/** Chances of the optional second (brand) and third (occasion) description sentences. */
const BRAND_SENTENCE_CHANCE = 0.7;
const OCCASION_SENTENCE_CHANCE = 0.5;
const MODEL_SUFFIXES = ['', '', '', 'S', 'X', 'E'];
/** Words kept lower-case inside title-cased names ("Eau de Parfum"). */
const SMALL_WORDS = new Set(['de', 'and', 'of', 'to', 'for', 'with']);

export const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export const titleCase = (text: string): string =>
  text
    .split(' ')
    .map((word, index) => (index > 0 && SMALL_WORDS.has(word) ? word : capitalise(word)))
    .join(' ');

export const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');

/** Departments, subcategories and leaves in pre-order, so that every parent comes before its children. */
export function buildCategories(random: Random): { categories: DemoCategory[]; leaves: Leaf[] } {
  const categories: DemoCategory[] = [];
  const leaves: Leaf[] = [];
  for (const department of DEPARTMENTS) {
    const departmentId = `cat-${department.slug}`;
    categories.push({ id: departmentId, name: department.name });
    for (const subcategory of department.subcategories) {
      const subcategoryId = `${departmentId}-${subcategory.slug}`;
      categories.push({ id: subcategoryId, name: subcategory.name, parentId: departmentId });
      for (const vocabulary of subcategory.leaves) {
        const id = `${subcategoryId}-${vocabulary.slug}`;
        categories.push({ id, name: vocabulary.name, parentId: subcategoryId });
        leaves.push({
          id,
          name: vocabulary.name,
          path: `${department.slug}/${subcategory.slug}/${vocabulary.slug}`,
          department,
          vocabulary,
          weight: random.uniform(0.5, 1.5),
        });
      }
    }
  }
  return { categories, leaves };
}

function brandName(random: Random, department: DepartmentVocabulary, taken: Set<string>): string {
  for (;;) {
    const base = `${random.pick(BRAND_STARTS)}${random.pick(BRAND_ENDINGS)}`;
    const name = random.chance(BRAND_SUFFIX_SHARE) ? `${base} ${random.pick(department.brandSuffixes)}` : base;
    // Two names that differ only in the suffix would read like one company; keep bases unique too.
    if (!taken.has(name) && !taken.has(base)) {
      taken.add(name);
      taken.add(base);
      return name;
    }
  }
}

export function buildBrands(random: Random, count: number): Brand[] {
  const taken = new Set<string>();
  const brands: Brand[] = [];
  for (let index = 0; index < count; index += 1) {
    // Round-robin primary departments and tiers first, so that every department has brands of every tier.
    const primary = DEPARTMENTS[index % DEPARTMENTS.length] as DepartmentVocabulary;
    const round = Math.floor(index / DEPARTMENTS.length);
    const tier = round < TIERS.length ? (TIERS[round] as Tier) : random.weightedPick(TIERS, (t) => TIER_SHARES[t]);
    const name = brandName(random, primary, taken);
    const departments = [primary.slug];
    if (random.chance(SECOND_DEPARTMENT_SHARE)) {
      departments.push(random.pick(DEPARTMENTS.filter((d) => d !== primary)).slug);
    }
    const [first, second] = random.sample(SIGNATURE_WORDS, 2);
    brands.push({
      record: { id: `brand-${slugify(name)}`, name },
      departments,
      tier,
      signature: [first as string, second as string],
      modelPrefix: `${name.charAt(0)}${random.pick([...'KLMNRSTVXZ'])}`,
      size: random.pareto(1.5, 10),
    });
  }
  return brands;
}

/** Shelf prices end in .99 (or .49/.99 under 10 EUR), as shop prices do. */
function shelfPrice(raw: number): number {
  if (raw < 10) return Number(Math.max(0.99, Math.round(raw * 2) / 2 - 0.01).toFixed(2));
  if (raw < 100) return Number((Math.round(raw) - 0.01).toFixed(2));
  return Number((Math.round(raw / 5) * 5 - 0.01).toFixed(2));
}

function productText(random: Random, leaf: Leaf, brand: Brand, modelCode: string): { title: string; description: string } {
  const { vocabulary, department } = leaf;
  const [signature, secondSignature] = brand.signature;
  const noun = random.pick(vocabulary.nouns);
  const adjectives = vocabulary.adjectives.filter((adjective) => !brand.signature.includes(adjective));
  const adjective = random.pick(adjectives.length > 0 ? adjectives : vocabulary.adjectives);
  const [feature, otherFeature] = random.sample(vocabulary.features, 2);
  const features = otherFeature === undefined ? feature : `${feature} and ${otherFeature}`;
  const sentences = [`${capitalise(signature)} ${adjective} ${noun} with ${features}.`];
  if (random.chance(BRAND_SENTENCE_CHANCE)) {
    const extra = random.pick(department.features);
    sentences.push(
      random.chance(0.5)
        ? `Part of the ${secondSignature} ${brand.record.name} range, with ${extra}.`
        : `From the ${secondSignature} ${brand.record.name} collection, with ${extra}.`,
    );
  }
  if (random.chance(OCCASION_SENTENCE_CHANCE)) {
    sentences.push(`${random.pick(['Ideal for', 'Made for', 'A great choice for'])} ${random.pick(department.occasions)}.`);
  }
  return {
    title: `${brand.record.name} ${titleCase(adjective)} ${titleCase(noun)} ${modelCode}`,
    description: sentences.join(' '),
  };
}

/** Listed during the year before the period or, for the newer part of the catalogue, during the period itself. */
function createdAt(random: Random, period: Period): number {
  const listed = random.chance(OLD_CATALOGUE_SHARE)
    ? random.uniform(period.startMs - CATALOGUE_HISTORY_MS, period.startMs)
    : random.uniform(period.startMs, period.endMs);
  return Math.floor(listed);
}

export function buildProducts(random: Random, count: number, leaves: readonly Leaf[], brands: readonly Brand[], period: Period): Product[] {
  const brandsByDepartment = new Map<string, Brand[]>();
  for (const brand of brands) {
    for (const department of brand.departments) {
      const list = brandsByDepartment.get(department) ?? [];
      list.push(brand);
      brandsByDepartment.set(department, list);
    }
  }
  const leafSampler = new WeightedSampler(leaves.map((leaf) => leaf.weight));
  const products: Product[] = [];
  for (let index = 0; index < count; index += 1) {
    // The first products go one to each leaf, so that no leaf is empty when there are enough products.
    const leaf = (index < leaves.length ? leaves[index] : leaves[leafSampler.sample(random)]) as Leaf;
    const candidates = brandsByDepartment.get(leaf.department.slug) ?? [];
    const brand = random.weightedPick(candidates, (b) => b.size);
    const modelCode = `${brand.modelPrefix}-${random.integer(10, 99) * 10}${random.pick(MODEL_SUFFIXES)}`;
    const { title, description } = productText(random, leaf, brand, modelCode);
    const price = shelfPrice(leaf.vocabulary.basePrice * TIER_PRICE_FACTOR[brand.tier] * random.uniform(PRICE_NOISE.min, PRICE_NOISE.max));
    const createdMs = createdAt(random, period);
    products.push({
      record: {
        id: `p-${String(index + 1).padStart(5, '0')}`,
        title,
        description,
        categoryId: leaf.id,
        brandId: brand.record.id,
        price,
        currency: 'EUR',
        inStock: random.chance(IN_STOCK_SHARE),
        createdAt: new Date(createdMs).toISOString(),
        attributes: [],
      },
      leaf,
      brand,
      createdMs,
      popularity: 0,
    });
  }
  return products;
}

/** Ranks each leaf's products in random order and gives them Zipf weights: popularity is skewed within every leaf. */
function assignPopularity(random: Random, productsByLeaf: Map<string, Product[]>): void {
  for (const products of productsByLeaf.values()) {
    random.shuffled(products).forEach((product, rank) => {
      product.popularity = 1 / (rank + 1) ** ZIPF_EXPONENT;
    });
  }
}

export function buildCatalogue(random: Random, sizes: { products: number; brands: number }, period: Period): Catalogue {
  const { categories, leaves } = buildCategories(random);
  const brands = buildBrands(random, sizes.brands);
  const products = buildProducts(random, sizes.products, leaves, brands, period);
  const productsByLeaf = new Map<string, Product[]>(leaves.map((leaf) => [leaf.id, []]));
  for (const product of products) productsByLeaf.get(product.leaf.id)?.push(product);
  // Ties broken by id (plain comparison, not localeCompare: the order must not depend on the ICU locale).
  for (const list of productsByLeaf.values()) list.sort((a, b) => a.createdMs - b.createdMs || (a.record.id < b.record.id ? -1 : 1));
  assignPopularity(random, productsByLeaf);
  return { categories, leaves, brands, products, productsByLeaf };
}
