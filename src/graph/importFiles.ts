import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { BulkPlan } from '../ingest/bulkPlan.js';

/**
 * Writes a bulk plan as the CSV files of `neo4j-admin database import`: one file per label and per
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

  async row(cells: Cell[]): Promise<void> {
    this.chunk.push(cells.map(cell).join(','));
    this.rows += 1;
    if (this.chunk.length >= 10_000) await this.flush();
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

export async function writeImportFiles(dir: string, plan: BulkPlan, now: number, by: string): Promise<ImportFiles> {
  const files: ImportFiles = { nodes: [], relationships: [], counts: { nodes: 0, relationships: 0 } };
  const open = (name: string, header: string[]) => new CsvFile(path.join(dir, name), header);
  const done = async (csv: CsvFile, label?: string) => {
    await csv.close();
    if (label) {
      files.nodes.push(`${label}=${csv.file}`);
      files.counts.nodes += csv.rows;
    } else {
      files.relationships.push(csv.file);
      files.counts.relationships += csv.rows;
    }
  };

  const categories = open('categories.csv', ['id:ID(Category)', 'name', 'createdAt:long', 'updatedAt:long']);
  const parents = open('subcategory_of.csv', [':START_ID(Category)', ':END_ID(Category)', ':TYPE']);
  for (const c of plan.categories) {
    await categories.row([c.id, c.name, now, now]);
    if (c.parentId !== undefined) await parents.row([c.id, c.parentId, 'SUBCATEGORY_OF']);
  }
  await done(categories, 'Category');
  await done(parents);

  const brands = open('brands.csv', ['id:ID(Brand)', 'name', 'createdAt:long', 'updatedAt:long']);
  for (const b of plan.brands) await brands.row([b.id, b.name, now, now]);
  await done(brands, 'Brand');

  const products = open('products.csv', [
    'id:ID(Product)',
    'title',
    'description',
    'price:double',
    'currency',
    'inStock:boolean',
    'createdAt:long',
    'updatedAt:long',
  ]);
  const inCategory = open('in_category.csv', [':START_ID(Product)', ':END_ID(Category)', ':TYPE']);
  const hasBrand = open('has_brand.csv', [':START_ID(Product)', ':END_ID(Brand)', ':TYPE']);
  for (const p of plan.products) {
    await products.row([p.id, p.title, p.description, p.price, p.currency, p.inStock ?? true, p.createdAt ?? now, now]);
    if (p.categoryId !== undefined) await inCategory.row([p.id, p.categoryId, 'IN_CATEGORY']);
    if (p.brandId !== undefined) await hasBrand.row([p.id, p.brandId, 'HAS_BRAND']);
  }
  await done(products, 'Product');
  await done(inCategory);
  await done(hasBrand);

  const users = open('users.csv', ['id:ID(User)', 'createdAt:long']);
  for (const id of plan.userIds) await users.row([id, now]);
  await done(users, 'User');

  // Events name their user and product by id, without relationships (as the transactional writes do).
  const events = open('events.csv', ['id:ID(Event)', 'userId', 'productId', 'type', 'timestamp:long', 'quantity:long']);
  for (const e of plan.events) await events.row([e.id, e.userId, e.productId, e.type, e.timestamp, e.quantity]);
  await done(events, 'Event');

  const aggregates = open('behaviour.csv', [':START_ID(User)', ':END_ID(Product)', ':TYPE', 'count:long', 'quantity:long', 'firstAt:long', 'lastAt:long']);
  for (const [type, byPair] of plan.aggregates) {
    for (const a of byPair.values()) await aggregates.row([a.userId, a.productId, type, a.count, a.quantity, a.firstAt, a.lastAt]);
  }
  await done(aggregates);

  const relations = open('relations.csv', [':START_ID(Product)', ':END_ID(Product)', ':TYPE', 'weight:double', 'updatedAt:long', 'updatedBy']);
  for (const r of plan.relations) await relations.row([r.from, r.to, r.type, r.weight, now, by]);
  await done(relations);
  return files;
}
