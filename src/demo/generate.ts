import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assignAttributes, assignTastes } from './attributes.js';
import { ShopSimulation } from './behaviour.js';
import { buildCatalogue } from './catalogue.js';
import { csvDocument } from './csv.js';
import type { Catalogue, DemoShop, DemoShopOptions, Period, Shopper } from './model.js';
import { Random } from '../math/random.js';
import { buildRelations } from './relations.js';
import { buildShoppers } from './shoppers.js';

/**
 * The demo shop: a deterministic synthetic online shop whose tastes, popularity and bought-together pairs
 * are known, so that recommendation and search quality on it can be learnt and measured. Everything is
 * derived from the seed; the same options give byte-identical files.
 */

export type {
  DemoBrand,
  DemoCategory,
  DemoEvent,
  DemoEventType,
  DemoProduct,
  DemoRelation,
  DemoRelationType,
  DemoShop,
  DemoShopOptions,
  DemoUser,
} from './model.js';

/** Defaults: a mid-sized shop with six months of history. */
export const DEFAULT_DEMO_OPTIONS: Readonly<Required<DemoShopOptions>> = {
  seed: 42,
  products: 5_000,
  users: 2_000,
  events: 200_000,
  endAt: Date.UTC(2026, 5, 30),
  months: 6,
};

/** One brand per 25 products gives 200 brands for the default shop (a mid-sized shop carries ~150–250). */
const PRODUCTS_PER_BRAND = 25;
const MAX_BRANDS = 200;
/** At least four brands per department, so that small shops still offer a choice of brands and tiers. */
const MIN_BRANDS = 24;

export const DEMO_FILES = {
  categories: 'categories.csv',
  brands: 'brands.csv',
  users: 'users.csv',
  products: 'products.jsonl',
  events: 'events.csv',
  relations: 'relations.csv',
  manifest: 'manifest.json',
} as const;

function wholeNumber(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`demo shop option ${name}: expected a whole number ≥ ${min}, got ${value}`);
  return value;
}

function resolveOptions(options: DemoShopOptions): Required<DemoShopOptions> {
  // Options left undefined (e.g. CLI flags not given) keep their defaults.
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = { ...DEFAULT_DEMO_OPTIONS, ...given };
  if (!Number.isFinite(resolved.seed)) throw new RangeError(`demo shop option seed: expected a number, got ${resolved.seed}`);
  wholeNumber('products', resolved.products, 0);
  wholeNumber('users', resolved.users, 0);
  wholeNumber('events', resolved.events, 0);
  wholeNumber('months', resolved.months, 1);
  wholeNumber('endAt', resolved.endAt, 0);
  return resolved;
}

function periodOf(endAt: number, months: number): Period {
  const start = new Date(endAt);
  start.setUTCMonth(start.getUTCMonth() - months);
  return { startMs: start.getTime(), endMs: endAt };
}

const brandCountFor = (products: number): number => Math.min(MAX_BRANDS, Math.max(MIN_BRANDS, Math.round(products / PRODUCTS_PER_BRAND)));

export function generateDemoShop(options: DemoShopOptions = {}): DemoShop {
  return generateDemoWorld(options).shop;
}

/** The demo shop with the latent side it was drawn from (what search sessions are written from). */
export interface DemoWorld {
  shop: DemoShop;
  catalogue: Catalogue;
  shoppers: Shopper[];
}

export function generateDemoWorld(options: DemoShopOptions = {}): DemoWorld {
  const resolved = resolveOptions(options);
  const period = periodOf(resolved.endAt, resolved.months);
  // Each part draws from its own random stream (see Random.forStream), so that e.g. more events leave the catalogue as it is.
  // Stream names salt the seed: they stay as they are, since renaming one changes the shop every seed produces.
  const catalogue = buildCatalogue(
    Random.forStream(resolved.seed, 'catalog'),
    { products: resolved.products, brands: brandCountFor(resolved.products) },
    period,
  );
  const shoppers = buildShoppers(Random.forStream(resolved.seed, 'shoppers'), resolved.users, catalogue, period);
  // Streams of their own, so that attributes leave the catalogue and the shoppers as they were.
  assignAttributes(Random.forStream(resolved.seed, 'attributes'), catalogue.products);
  assignTastes(Random.forStream(resolved.seed, 'tastes'), shoppers);
  const relations = buildRelations(Random.forStream(resolved.seed, 'relations'), catalogue);
  const events = new ShopSimulation(Random.forStream(resolved.seed, 'events'), catalogue, shoppers, period, relations).run(resolved.events);
  const shop: DemoShop = {
    categories: catalogue.categories,
    brands: catalogue.brands.map((brand) => brand.record),
    users: shoppers.map((shopper) => shopper.record),
    products: catalogue.products.map((product) => product.record),
    events,
    relations,
  };
  return { shop, catalogue, shoppers };
}

/** Record counts of a demo shop, including leaf categories, events per type, relations per type and attributes. */
export function countDemoShop(shop: DemoShop): Record<string, number> {
  const parents = new Set(shop.categories.map((category) => category.parentId));
  const countOf = <T>(items: readonly T[], keep: (item: T) => boolean): number => items.filter(keep).length;
  return {
    categories: shop.categories.length,
    leafCategories: countOf(shop.categories, (category) => !parents.has(category.id)),
    brands: shop.brands.length,
    products: shop.products.length,
    users: shop.users.length,
    events: shop.events.length,
    views: countOf(shop.events, (event) => event.type === 'view'),
    clicks: countOf(shop.events, (event) => event.type === 'click'),
    addToCarts: countOf(shop.events, (event) => event.type === 'add_to_cart'),
    purchases: countOf(shop.events, (event) => event.type === 'purchase'),
    relations: shop.relations.length,
    complements: countOf(shop.relations, (relation) => relation.type === 'COMPLEMENTS'),
    accessories: countOf(shop.relations, (relation) => relation.type === 'ACCESSORY_OF'),
    substitutes: countOf(shop.relations, (relation) => relation.type === 'SUBSTITUTES'),
    attributes: new Set(shop.products.flatMap((product) => product.attributes.map((a) => `${a.key}=${a.value}`))).size,
    attributeLinks: shop.products.reduce((sum, product) => sum + product.attributes.length, 0),
  };
}

/** The demo shop as files the ingester reads: CSV for the flat kinds, JSON Lines for products, and a manifest. */
export async function writeDemoShop(
  dir: string,
  options: DemoShopOptions = {},
): Promise<{ files: Record<string, string>; counts: Record<string, number> }> {
  const resolved = resolveOptions(options);
  const shop = generateDemoShop(resolved);
  const counts = countDemoShop(shop);
  const period = periodOf(resolved.endAt, resolved.months);
  const contents: Record<keyof typeof DEMO_FILES, string> = {
    categories: csvDocument(['id', 'name', 'parentId'], shop.categories, (c) => [c.id, c.name, c.parentId]),
    brands: csvDocument(['id', 'name'], shop.brands, (b) => [b.id, b.name]),
    users: csvDocument(['id'], shop.users, (u) => [u.id]),
    products: shop.products.map((product) => `${JSON.stringify(product)}\n`).join(''),
    events: csvDocument(['id', 'userId', 'productId', 'type', 'timestamp', 'quantity'], shop.events, (e) => [
      e.id,
      e.userId,
      e.productId,
      e.type,
      e.timestamp,
      e.quantity,
    ]),
    relations: csvDocument(['from', 'to', 'type', 'weight'], shop.relations, (r) => [r.from, r.to, r.type, r.weight]),
    manifest: `${JSON.stringify(
      {
        generator: 'kgrec demo shop',
        seed: resolved.seed,
        options: resolved,
        period: { start: new Date(period.startMs).toISOString(), end: new Date(period.endMs).toISOString() },
        counts,
        // The end of the period, not the wall clock: the same seed must give byte-identical files.
        generatedAt: new Date(resolved.endAt).toISOString(),
      },
      null,
      2,
    )}\n`,
  };
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [kind, name] of Object.entries(DEMO_FILES) as [keyof typeof DEMO_FILES, string][]) {
    const file = path.join(dir, name);
    files[kind] = file;
    await writeFile(file, contents[kind], 'utf8');
  }
  return { files, counts };
}
