import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../../src/demo/csv.js';
import { type DemoShop, type DemoShopOptions, generateDemoShop, writeDemoShop } from '../../src/demo/generate.js';
import { BOUGHT_TOGETHER } from '../../src/demo/vocabulary.js';
import { tempDir } from '../helpers.js';
import {
  brandSchema,
  categorySchema,
  eventSchema,
  productSchema,
  relationSchema,
  userSchema,
  validateRecord,
} from '../../src/ingest/records.js';

const SMALL: DemoShopOptions = { seed: 7, products: 300, users: 100, events: 5_000 };
/** Enough purchases (~700) for the bought-together statistics to be far from noise. */
const MEDIUM: DemoShopOptions = { seed: 11, products: 1_000, users: 300, events: 30_000 };
const DAY_MS = 86_400_000;
const END_AT = Date.UTC(2026, 5, 30);
const START_AT = Date.UTC(2025, 11, 30);

const shop = generateDemoShop(SMALL);
const medium = generateDemoShop(MEDIUM);

const leafIdOf = (leafPath: string): string => `cat-${leafPath.replace(/\//g, '-')}`;
const BOUGHT_TOGETHER_IDS = new Set(BOUGHT_TOGETHER.map((pair) => `${leafIdOf(pair.main)}>${leafIdOf(pair.companion)}`));

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

/** Each user's purchases in time order, as (leaf id, epoch ms). */
function purchasesByUser(demo: DemoShop): Map<string, { leaf: string; ms: number }[]> {
  const leafOf = new Map(demo.products.map((product) => [product.id, product.categoryId]));
  const byUser = new Map<string, { leaf: string; ms: number }[]>();
  for (const event of demo.events) {
    if (event.type !== 'purchase') continue;
    const list = byUser.get(event.userId) ?? [];
    list.push({ leaf: leafOf.get(event.productId) ?? '', ms: Date.parse(event.timestamp) });
    byUser.set(event.userId, list);
  }
  for (const list of byUser.values()) list.sort((a, b) => a.ms - b.ms);
  return byUser;
}

const isClean = (text: string): boolean => text === text.trim() && !/\s{2,}/.test(text) && !/[\r\n\t]/.test(text);

describe('generateDemoShop', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateDemoShop(SMALL)).toEqual(shop);
    const other = generateDemoShop({ ...SMALL, seed: 8 });
    expect(other.products.map((p) => p.title)).not.toEqual(shop.products.map((p) => p.title));
    expect(other.events.map((e) => e.productId)).not.toEqual(shop.events.map((e) => e.productId));
  });

  it('keeps the catalogue when only the number of events changes', () => {
    const fewerEvents = generateDemoShop({ ...SMALL, events: 1_000 });
    expect(fewerEvents.products).toEqual(shop.products);
    expect(fewerEvents.relations).toEqual(shop.relations);
    expect(fewerEvents.events).toHaveLength(1_000);
  });

  it('makes exactly the requested numbers of records, with unique ids', () => {
    expect(shop.products).toHaveLength(300);
    expect(shop.users).toHaveLength(100);
    expect(shop.events).toHaveLength(5_000);
    for (const records of [shop.categories, shop.brands, shop.users, shop.products, shop.events] as { id: string }[][]) {
      expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
    }
    expect(shop.products[0]?.id).toBe('p-00001');
    expect(shop.users[0]?.id).toBe('u-0001');
    expect(shop.events[0]?.id).toBe('e-0000001');
  });

  it('uses the documented defaults', () => {
    // Only the cheap parts: a shop with no events still builds the full default catalogue.
    const defaults = generateDemoShop({ events: 0 });
    expect(defaults.products).toHaveLength(5_000);
    expect(defaults.users).toHaveLength(2_000);
    expect(defaults.brands.length).toBeGreaterThanOrEqual(150);
    expect(defaults.brands.length).toBeLessThanOrEqual(250);
    expect(defaults.events).toEqual([]);
  });

  it('rejects options that are not whole numbers', () => {
    expect(() => generateDemoShop({ products: -1 })).toThrow(RangeError);
    expect(() => generateDemoShop({ events: 1.5 })).toThrow(/events/);
    expect(() => generateDemoShop({ months: 0 })).toThrow(/months/);
    expect(() => generateDemoShop({ products: 0, events: 10 })).toThrow(/product/);
  });

  it('builds a three-level category tree with products only in leaves', () => {
    const byId = new Map(shop.categories.map((category) => [category.id, category]));
    const depthOf = (id: string): number => {
      const parentId = byId.get(id)?.parentId;
      return parentId === undefined ? 1 : 1 + depthOf(parentId);
    };
    for (const category of shop.categories) {
      expect(category.id).toMatch(/^cat-[a-z0-9]+(-[a-z0-9]+)*$/);
      if (category.parentId !== undefined) expect(byId.has(category.parentId)).toBe(true);
    }
    const parents = new Set(shop.categories.map((category) => category.parentId));
    const leaves = shop.categories.filter((category) => !parents.has(category.id));
    expect(shop.categories.filter((category) => category.parentId === undefined)).toHaveLength(6);
    expect(leaves.length).toBeGreaterThanOrEqual(60);
    expect(leaves.length).toBeLessThanOrEqual(80);
    for (const leaf of leaves) expect(depthOf(leaf.id)).toBe(3);
    const leafIds = new Set(leaves.map((leaf) => leaf.id));
    for (const product of shop.products) expect(leafIds.has(product.categoryId)).toBe(true);
    // With more products than leaves, every leaf has at least one.
    expect(new Set(shop.products.map((product) => product.categoryId)).size).toBe(leaves.length);
    expect(byId.get('cat-electronics-audio-headphones')?.name).toBe('Headphones');
  });

  it('names products, brands and categories cleanly', () => {
    const texts = [
      ...shop.categories.map((category) => category.name),
      ...shop.brands.map((brand) => brand.name),
      ...shop.products.flatMap((product) => [product.title, product.description]),
    ];
    for (const text of texts) expect(isClean(text), JSON.stringify(text)).toBe(true);
    const brandNames = new Map(shop.brands.map((brand) => [brand.id, brand.name]));
    for (const product of shop.products) {
      expect(product.title.startsWith(`${brandNames.get(product.brandId)} `)).toBe(true);
      expect(product.description).toMatch(/^[A-Z].*\.$/);
      expect(product.price).toBeGreaterThan(0);
      expect(Math.round(product.price * 100) / 100).toBe(product.price);
      expect(product.currency).toBe('EUR');
      expect(Date.parse(product.createdAt)).toBeLessThanOrEqual(END_AT);
    }
    const inStock = shop.products.filter((product) => product.inStock).length / shop.products.length;
    expect(inStock).toBeGreaterThan(0.85);
    expect(inStock).toBeLessThan(0.98);
  });

  it('refers only to existing users and products, inside the period, in time order', () => {
    const users = new Set(shop.users.map((user) => user.id));
    const createdAt = new Map(shop.products.map((product) => [product.id, Date.parse(product.createdAt)]));
    let previous = -Infinity;
    for (const event of shop.events) {
      expect(users.has(event.userId)).toBe(true);
      const ms = Date.parse(event.timestamp);
      expect(event.timestamp).toBe(new Date(ms).toISOString());
      expect(ms).toBeGreaterThanOrEqual(START_AT);
      expect(ms).toBeLessThanOrEqual(END_AT);
      expect(ms).toBeGreaterThanOrEqual(previous);
      // Nobody browses a product before it is listed.
      expect(ms).toBeGreaterThanOrEqual(createdAt.get(event.productId) ?? Infinity);
      previous = ms;
      if (event.type === 'purchase') expect([1, 2, 3]).toContain(event.quantity);
      else expect(event.quantity).toBeUndefined();
    }
  });

  it('has every purchase preceded by an add to cart and a few per cent of views purchased', () => {
    const carted = new Set<string>();
    for (const event of shop.events) {
      const key = `${event.userId}|${event.productId}`;
      if (event.type === 'add_to_cart') carted.add(key);
      if (event.type === 'purchase') expect(carted.has(key)).toBe(true);
    }
    const types = countBy(shop.events, (event) => event.type);
    const purchaseRate = (types.get('purchase') ?? 0) / (types.get('view') ?? 1);
    expect(purchaseRate).toBeGreaterThan(0.01);
    expect(purchaseRate).toBeLessThan(0.08);
  });

  it('gives products attributes, and shoppers buy across categories by them', () => {
    const products = new Map(medium.products.map((product) => [product.id, product]));
    for (const product of medium.products) {
      expect(product.attributes.length).toBeGreaterThan(0);
      for (const { key, value } of product.attributes) expect(validateRecord(productSchema, { id: 'x', title: 'x', attributes: [{ key, value }] }).ok).toBe(true);
    }
    const colourOf = (id: string): string | undefined => products.get(id)?.attributes.find((a) => a.key === 'colour')?.value;
    // Pairs of one shopper's purchases in different categories share a colour far more often than chance.
    const bought = new Map<string, string[]>();
    for (const event of medium.events) if (event.type === 'purchase') bought.set(event.userId, [...(bought.get(event.userId) ?? []), event.productId]);
    let pairs = 0;
    let sameColour = 0;
    for (const ids of bought.values()) {
      for (let a = 0; a < ids.length; a += 1) {
        for (let b = a + 1; b < ids.length; b += 1) {
          const [first, second] = [ids[a] as string, ids[b] as string];
          if (products.get(first)?.categoryId === products.get(second)?.categoryId || !colourOf(first) || !colourOf(second)) continue;
          pairs += 1;
          if (colourOf(first) === colourOf(second)) sameColour += 1;
        }
      }
    }
    const coloured = medium.products.flatMap((product) => colourOf(product.id) ?? []);
    const chance = [...countBy(coloured, (colour) => colour).values()].reduce((sum, n) => sum + (n / coloured.length) ** 2, 0);
    expect(pairs).toBeGreaterThan(200);
    expect(sameColour / pairs).toBeGreaterThan(1.15 * chance);
  });

  it('links merchandiser relations between existing products, without self-relations or duplicates', () => {
    const products = new Map(shop.products.map((product) => [product.id, product]));
    const seen = new Set<string>();
    for (const relation of shop.relations) {
      expect(products.has(relation.from) && products.has(relation.to)).toBe(true);
      expect(relation.from).not.toBe(relation.to);
      expect(relation.weight).toBeGreaterThan(0);
      expect(relation.weight).toBeLessThanOrEqual(1);
      const key = `${relation.type}|${[relation.from, relation.to].sort().join('|')}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      const from = products.get(relation.from)?.categoryId ?? '';
      const to = products.get(relation.to)?.categoryId ?? '';
      if (relation.type === 'SUBSTITUTES') expect(from).toBe(to);
      if (relation.type === 'COMPLEMENTS') expect(BOUGHT_TOGETHER_IDS.has(`${from}>${to}`)).toBe(true);
      // An accessory points at the main product it belongs to.
      if (relation.type === 'ACCESSORY_OF') expect(BOUGHT_TOGETHER_IDS.has(`${to}>${from}`)).toBe(true);
    }
    const types = countBy(shop.relations, (relation) => relation.type);
    expect([...types.keys()].sort()).toEqual(['ACCESSORY_OF', 'COMPLEMENTS', 'SUBSTITUTES']);
  });
});

describe('the demo shop carries learnable signal', () => {
  it('concentrates purchases in the leaves a user views most', () => {
    const leafOf = new Map(shop.products.map((product) => [product.id, product.categoryId]));
    const viewed = new Map<string, Map<string, number>>();
    for (const event of shop.events) {
      if (event.type !== 'view') continue;
      const leaves = viewed.get(event.userId) ?? new Map<string, number>();
      const leaf = leafOf.get(event.productId) ?? '';
      leaves.set(leaf, (leaves.get(leaf) ?? 0) + 1);
      viewed.set(event.userId, leaves);
    }
    let inTopThree = 0;
    let purchases = 0;
    for (const [user, list] of purchasesByUser(shop)) {
      const topThree = [...(viewed.get(user) ?? new Map<string, number>()).entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([leaf]) => leaf);
      for (const purchase of list) {
        purchases += 1;
        if (topThree.includes(purchase.leaf)) inTopThree += 1;
      }
    }
    const leafCount = new Set(shop.products.map((product) => product.categoryId)).size;
    const uniform = 3 / leafCount;
    expect(purchases).toBeGreaterThan(50);
    expect(inTopThree / purchases).toBeGreaterThan(0.6);
    expect(inTopThree / purchases).toBeGreaterThan(10 * uniform);
  });

  it('skews popularity: the top tenth of products gets far more than a tenth of the views', () => {
    const views = countBy(
      shop.events.filter((event) => event.type === 'view'),
      (event) => event.productId,
    );
    const sorted = shop.products.map((product) => views.get(product.id) ?? 0).sort((a, b) => b - a);
    const total = sorted.reduce((sum, count) => sum + count, 0);
    const top = sorted.slice(0, Math.ceil(sorted.length / 10)).reduce((sum, count) => sum + count, 0);
    expect(top / total).toBeGreaterThan(0.3);
  });

  it('buys bought-together leaves together far more often than chance', () => {
    const byUser = purchasesByUser(medium);
    const purchases = [...byUser.values()].flat();
    const share = countBy(purchases, (purchase) => purchase.leaf);
    // Chance: two purchases of a user fall in a bought-together pair (either order) with probability
    // Σ over pairs of 2·p(main)·p(companion), p being each leaf's share of all purchases.
    let pairChance = 0;
    for (const key of BOUGHT_TOGETHER_IDS) {
      const [main = '', companion = ''] = key.split('>');
      pairChance += (2 * (share.get(main) ?? 0) * (share.get(companion) ?? 0)) / purchases.length ** 2;
    }
    let observed = 0;
    let userPairs = 0;
    // Within a week: the companion after the main purchase (the generator's follow-up) versus the reverse order,
    // which only shared tastes produce.
    let forward = 0;
    let reverse = 0;
    for (const list of byUser.values()) {
      userPairs += (list.length * (list.length - 1)) / 2;
      list.forEach((first, index) => {
        for (const second of list.slice(index + 1)) {
          const isForward = BOUGHT_TOGETHER_IDS.has(`${first.leaf}>${second.leaf}`);
          const isReverse = BOUGHT_TOGETHER_IDS.has(`${second.leaf}>${first.leaf}`);
          if (isForward || isReverse) observed += 1;
          if (second.ms - first.ms > 7 * DAY_MS) continue;
          if (isForward) forward += 1;
          if (isReverse) reverse += 1;
        }
      });
    }
    expect(observed).toBeGreaterThan(3 * userPairs * pairChance);
    expect(forward).toBeGreaterThan(50);
    expect(forward).toBeGreaterThan(2 * reverse);
  });
});

describe('csv cells', () => {
  it('quotes commas, quotes and line breaks as RFC 4180 does', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Bags, Belts & Wallets')).toBe('"Bags, Belts & Wallets"');
    expect(csvCell('the "best" one')).toBe('"the ""best"" one"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(2.5)).toBe('2.5');
    const line = csvLine(['a,b', 'c"d', undefined, 'e\r\nf']);
    expect(parse(line, { relax_column_count: false })).toEqual([['a,b', 'c"d', '', 'e\r\nf']]);
  });
});

describe('writeDemoShop', () => {
  const read = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');
  const readCsv = (dir: string, name: string): Record<string, string>[] => parse(read(dir, name), { columns: true });
  /** CSV's empty cells are absent values, as the ingester reads them. */
  const withoutEmpty = (record: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ''));

  it('writes the files with their headers, byte-identical for a seed, and they read back into the same values', async () => {
    const dir = tempDir('kgrec-demo-');
    const again = tempDir('kgrec-demo-');
    try {
      const { files, counts } = await writeDemoShop(path.join(dir, 'shop'), SMALL);
      await writeDemoShop(again, SMALL);
      const out = path.join(dir, 'shop');
      expect(Object.values(files).map((file) => path.basename(file)).sort()).toEqual(
        ['brands.csv', 'categories.csv', 'events.csv', 'manifest.json', 'products.jsonl', 'relations.csv', 'users.csv'],
      );
      for (const file of Object.values(files)) expect(read(again, path.basename(file))).toBe(fs.readFileSync(file, 'utf8'));

      const firstLine = (name: string): string => read(out, name).split('\n')[0] ?? '';
      expect(firstLine('categories.csv')).toBe('id,name,parentId');
      expect(firstLine('brands.csv')).toBe('id,name');
      expect(firstLine('users.csv')).toBe('id');
      expect(firstLine('events.csv')).toBe('id,userId,productId,type,timestamp,quantity');
      expect(firstLine('relations.csv')).toBe('from,to,type,weight');
      expect(read(out, 'categories.csv')).toContain('"Bags, Belts & Wallets"');

      expect(readCsv(out, 'categories.csv').map(withoutEmpty)).toEqual(shop.categories);
      expect(readCsv(out, 'brands.csv')).toEqual(shop.brands);
      expect(readCsv(out, 'users.csv')).toEqual(shop.users);
      expect(readCsv(out, 'events.csv').map(withoutEmpty)).toEqual(
        shop.events.map((event) => ({ ...event, ...(event.quantity === undefined ? {} : { quantity: String(event.quantity) }) })),
      );
      expect(readCsv(out, 'relations.csv')).toEqual(shop.relations.map((relation) => ({ ...relation, weight: String(relation.weight) })));
      const products = read(out, 'products.jsonl').trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
      expect(products).toEqual(shop.products);

      const manifest = JSON.parse(read(out, 'manifest.json')) as { seed: number; counts: Record<string, number>; generatedAt: string };
      expect(manifest.seed).toBe(7);
      expect(manifest.generatedAt).toBe('2026-06-30T00:00:00.000Z');
      expect(manifest.counts).toEqual(counts);
      expect(counts).toMatchObject({ products: 300, users: 100, events: 5_000, categories: shop.categories.length });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(again, { recursive: true, force: true });
    }
  });

  it('writes records that pass the ingester validation', async () => {
    const dir = tempDir('kgrec-demo-');
    try {
      await writeDemoShop(dir, SMALL);
      const checks: [string, Parameters<typeof validateRecord>[0], unknown[]][] = [
        ['categories', categorySchema, readCsv(dir, 'categories.csv').map(withoutEmpty)],
        ['brands', brandSchema, readCsv(dir, 'brands.csv')],
        ['users', userSchema, readCsv(dir, 'users.csv')],
        ['events', eventSchema, readCsv(dir, 'events.csv').map(withoutEmpty)],
        ['relations', relationSchema(['COMPLEMENTS', 'SUBSTITUTES', 'ACCESSORY_OF']), readCsv(dir, 'relations.csv')],
        ['products', productSchema, read(dir, 'products.jsonl').trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)],
      ];
      for (const [kind, schema, records] of checks) {
        expect(records.length, kind).toBeGreaterThan(0);
        for (const record of records) {
          const result = validateRecord(schema, record);
          expect(result.ok ? [] : result.problems, `${kind}: ${JSON.stringify(record)}`).toEqual([]);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
