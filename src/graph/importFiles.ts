import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Aggregate, BrandRow, CategoryRow, EventRow, RelationRow } from './shopWrites.js';
import { attributeId, type ProductAttribute } from '../domain/attributes.js';

/**
 * Writes a bulk load as the CSV files of `neo4j-admin database import`: one file per label and per
 * relationship type, with typed headers. Every property is what the transactional writes in shopWrites.ts
 * would have set on a fresh graph — the same names, types (counts and times as integers, prices and weights
 * as floats) and defaults (`inStock` true, `createdAt` and `updatedAt` the load's time) — so that a graph
 * loaded in bulk cannot be told from one ingested kind by kind.
 */

export interface ImportFiles {
  /** `Label=file` pairs, as `--nodes` takes them. */
  nodes: string[];
  /** Files with a `:TYPE` column, as `--relationships` takes them. */
  relationships: string[];
  counts: { nodes: number; relationships: number };
}

/** A product as validated records carry it: every property the import writes, absent ones undefined. */
export interface ImportProduct {
  id: string;
  title: string;
  description?: string | undefined;
  categoryId?: string | undefined;
  brandId?: string | undefined;
  price?: number | undefined;
  currency?: string | undefined;
  inStock?: boolean | undefined;
  createdAt?: number | undefined;
  attributes?: readonly ProductAttribute[] | undefined;
}

/** The catalogue part of a bulk load, categories ordered parents first. */
export interface ImportCatalogue {
  categories: CategoryRow[];
  brands: BrandRow[];
  products: ImportProduct[];
}

type Cell = string | number | boolean | undefined;

/** Quotes a cell only when it needs it; an empty cell is an absent property (cleaned text is never empty). */
function cell(value: Cell): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

class CsvFile {
  private readonly stream: WriteStream;
  private chunk: string[] = [];
  rows = 0;

  constructor(
    readonly file: string,
    header: string[],
  ) {
    this.stream = createWriteStream(file);
    this.chunk.push(header.join(','));
  }

  /** A promise only when the row filled a chunk that is being written: the caller waits for the disk then. */
  row(cells: Cell[]): Promise<void> | undefined {
    this.chunk.push(cells.map(cell).join(','));
    this.rows += 1;
    return this.chunk.length >= 10_000 ? this.flush() : undefined;
  }

  private flush(): Promise<void> {
    const text = `${this.chunk.join('\n')}\n`;
    this.chunk = [];
    return new Promise((resolve, reject) => this.stream.write(text, (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    if (this.chunk.length > 0) await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.on('error', reject);
      this.stream.end(resolve);
    });
  }
}

/** The importer's files of a bulk load: events are written as they stream in, the rest at the end. */
export class ImportFilesWriter {
  private readonly files: ImportFiles = { nodes: [], relationships: [], counts: { nodes: 0, relationships: 0 } };
  // Events name their user and product by id, without relationships (as the transactional writes do).
  private readonly events: CsvFile;

  constructor(
    private readonly dir: string,
    private readonly now: number,
    private readonly by: string,
  ) {
    this.events = this.open('events.csv', ['id:ID(Event)', 'userId', 'productId', 'type', 'timestamp:long', 'quantity:long', 'servedId', 'position:long']);
  }

  event(e: EventRow): Promise<void> | undefined {
    return this.events.row([e.id, e.userId, e.productId, e.type, e.timestamp, e.quantity, e.servedId, e.position]);
  }

  async finish(rest: {
    catalogue: ImportCatalogue;
    userIds: Iterable<string>;
    aggregates: Iterable<Aggregate & { relationship: string }>;
    relations: RelationRow[];
  }): Promise<ImportFiles> {
    const { now, by } = this;
    await this.done(this.events, 'Event');

    const categories = this.open('categories.csv', ['id:ID(Category)', 'name', 'createdAt:long', 'updatedAt:long']);
    const parents = this.open('subcategory_of.csv', [':START_ID(Category)', ':END_ID(Category)', ':TYPE']);
    for (const c of rest.catalogue.categories) {
      await categories.row([c.id, c.name, now, now]);
      if (c.parentId !== undefined) await parents.row([c.id, c.parentId, 'SUBCATEGORY_OF']);
    }
    await this.done(categories, 'Category');
    await this.done(parents);

    const brands = this.open('brands.csv', ['id:ID(Brand)', 'name', 'createdAt:long', 'updatedAt:long']);
    for (const b of rest.catalogue.brands) await brands.row([b.id, b.name, now, now]);
    await this.done(brands, 'Brand');

    await this.products(rest.catalogue.products);

    const users = this.open('users.csv', ['id:ID(User)', 'createdAt:long']);
    for (const id of rest.userIds) await users.row([id, now]);
    await this.done(users, 'User');

    const aggregates = this.open('behaviour.csv', [
      ':START_ID(User)',
      ':END_ID(Product)',
      ':TYPE',
      'count:long',
      'quantity:long',
      'firstAt:long',
      'lastAt:long',
    ]);
    for (const a of rest.aggregates) await aggregates.row([a.userId, a.productId, a.relationship, a.count, a.quantity, a.firstAt, a.lastAt]);
    await this.done(aggregates);

    const relations = this.open('relations.csv', [':START_ID(Product)', ':END_ID(Product)', ':TYPE', 'weight:double', 'updatedAt:long', 'updatedBy']);
    for (const r of rest.relations) await relations.row([r.from, r.to, r.type, r.weight, now, by]);
    await this.done(relations);
    return this.files;
  }

  /** Products with their category, brand and attribute links; each attribute pair becomes one node. */
  private async products(list: readonly ImportProduct[]): Promise<void> {
    const { now } = this;
    const products = this.open('products.csv', [
      'id:ID(Product)',
      'title',
      'description',
      'price:double',
      'currency',
      'inStock:boolean',
      'createdAt:long',
      'updatedAt:long',
    ]);
    const inCategory = this.open('in_category.csv', [':START_ID(Product)', ':END_ID(Category)', ':TYPE']);
    const hasBrand = this.open('has_brand.csv', [':START_ID(Product)', ':END_ID(Brand)', ':TYPE']);
    const attributes = this.open('attributes.csv', ['id:ID(Attribute)', 'key', 'value']);
    const hasAttribute = this.open('has_attribute.csv', [':START_ID(Product)', ':END_ID(Attribute)', ':TYPE', 'key']);
    const written = new Set<string>();
    for (const p of list) {
      await products.row([p.id, p.title, p.description, p.price, p.currency, p.inStock ?? true, p.createdAt ?? now, now]);
      if (p.categoryId !== undefined) await inCategory.row([p.id, p.categoryId, 'IN_CATEGORY']);
      if (p.brandId !== undefined) await hasBrand.row([p.id, p.brandId, 'HAS_BRAND']);
      for (const { key, value } of p.attributes ?? []) {
        const id = attributeId(key, value);
        if (!written.has(id)) {
          written.add(id);
          await attributes.row([id, key, value]);
        }
        await hasAttribute.row([p.id, id, 'HAS_ATTRIBUTE', key]);
      }
    }
    await this.done(products, 'Product');
    await this.done(inCategory);
    await this.done(hasBrand);
    await this.done(attributes, 'Attribute');
    await this.done(hasAttribute);
  }

  private open(name: string, header: string[]): CsvFile {
    return new CsvFile(path.join(this.dir, name), header);
  }

  private async done(csv: CsvFile, label?: string): Promise<void> {
    await csv.close();
    if (label) {
      this.files.nodes.push(`${label}=${csv.file}`);
      this.files.counts.nodes += csv.rows;
    } else {
      this.files.relationships.push(csv.file);
      this.files.counts.relationships += csv.rows;
    }
  }
}
