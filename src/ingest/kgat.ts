import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Graph } from '../graph/graph.js';
import { writeEvents, writeKgTriples, writeProducts, writeUsers, type EventRow, type KgTripleRow, type ProductRow } from '../graph/shopWrites.js';
import { changingCatalogue, type Rejection } from './kinds.js';
import { writeThroughGrid } from './writeCells.js';
import { readKgatList } from './kgatLists.js';

/**
 * Loads a data set in the KGAT benchmark format (Wang et al., KDD 2019) into the shop graph:
 * `train.txt` / `test.txt` hold one user and their items per line (`user item item ...`, remapped integer
 * ids); `item_list.txt` (`org_id remap_id freebase_id`) and `user_list.txt` name them; `kg_final.txt`
 * (`head relation tail`) is the knowledge graph, optional (some copies ship without it), with
 * `relation_list.txt` naming its relations. Items are products; training interactions become `purchase`
 * events with their PURCHASED aggregates; test interactions are kept as events marked `split: 'test'`
 * and stay out of the aggregates, so nothing trained on the graph can see them.
 */

export interface KgatOptions {
  dir: string;
  /** Prefix of every id written, so that a benchmark never collides with a shop's own ids. */
  prefix: string;
  batchSize: number;
  onProgress?: (progress: { stage: string; done: number; total: number }) => void;
  onReject?: (rejection: Rejection) => void;
}

export interface KgatSummary {
  dir: string;
  users: number;
  items: number;
  trainInteractions: number;
  testInteractions: number;
  kgTriples: number;
  kgPresent: boolean;
  eventsWritten: number;
  rejected: number;
  seconds: number;
  interactionsPerSecond: number;
}

/** KGAT has no timestamps; all its interactions get this one, so that re-loading produces the same events. */
export const KGAT_TIMESTAMP = Date.UTC(2019, 0, 1);

export const kgatIds = (prefix: string) => ({
  user: (remap: number) => `${prefix}u${remap}`,
  item: (remap: number) => `${prefix}i${remap}`,
  entity: (remap: number) => `${prefix}e${remap}`,
});

type KgatIds = ReturnType<typeof kgatIds>;

interface Interaction {
  user: number;
  item: number;
}

/** What train.txt, test.txt and the optional item and relation lists hold. */
interface KgatInteractions {
  train: Interaction[];
  test: Interaction[];
  itemNames: Map<number, string>;
  relationNames: Map<number, string>;
}

/** What the knowledge-graph step found: whether kg_final.txt was there, and its distinct triples. */
interface KgatKnowledgeGraph {
  kgTriples: number;
  kgPresent: boolean;
}

export async function loadKgat(graph: Graph, options: KgatOptions): Promise<KgatSummary> {
  const started = performance.now();
  const ids = kgatIds(options.prefix);
  const rejections: Rejection[] = [];
  const onReject = (rejection: Rejection) => {
    rejections.push(rejection);
    options.onReject?.(rejection);
  };
  const read = await readKgatInteractions(options.dir, onReject);
  const users = new Set<number>();
  const items = new Set<number>(read.itemNames.keys());
  for (const { user, item } of [...read.train, ...read.test]) {
    users.add(user);
    items.add(item);
  }
  const now = Date.now();
  // As `kgrec ingest` does: new or changed items reach running APIs (interactions record their own change).
  await writeInBatches('items', productRows(items, read.itemNames, ids), options, (batch) =>
    graph.transaction((tx) => changingCatalogue(tx, writeProducts(tx, batch, now))),
  );
  await writeInBatches('users', [...users].sort((a, b) => a - b).map(ids.user), options, (batch) => graph.transaction((tx) => writeUsers(tx, batch, now)));
  const eventsWritten = await writeInteractions(graph, eventRows(read, options.prefix, ids), options, now);
  const kg = await loadKnowledgeGraph(graph, { items, relationNames: read.relationNames, ids, onReject }, options);
  const seconds = (performance.now() - started) / 1000;
  return {
    dir: options.dir,
    users: users.size,
    items: items.size,
    trainInteractions: read.train.length,
    testInteractions: read.test.length,
    ...kg,
    eventsWritten,
    rejected: new Set(rejections.map((r) => `${r.file}:${r.line}`)).size,
    seconds,
    interactionsPerSecond: (read.train.length + read.test.length) / seconds,
  };
}

/** Reads the interactions and the item and relation names; the two interaction files are required. */
async function readKgatInteractions(dir: string, onReject: (r: Rejection) => void): Promise<KgatInteractions> {
  const file = (name: string) => path.join(dir, name);
  for (const required of ['train.txt', 'test.txt']) {
    if (!existsSync(file(required))) throw new Error(`${file(required)}: not found (a KGAT data set needs train.txt and test.txt)`);
  }
  const train = await readInteractions(file('train.txt'), onReject);
  const test = await readInteractions(file('test.txt'), onReject);
  const itemNames = (await readKgatList(file('item_list.txt'))) ?? new Map<number, string>();
  const relationNames = (await readKgatList(file('relation_list.txt'))) ?? new Map<number, string>();
  return { train, test, itemNames, relationNames };
}

/** Writes `rows` a batch per transaction, in order, reporting progress after each. */
async function writeInBatches<T>(stage: string, rows: T[], options: KgatOptions, write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += options.batchSize) {
    await write(rows.slice(start, start + options.batchSize));
    options.onProgress?.({ stage, done: Math.min(start + options.batchSize, rows.length), total: rows.length });
  }
}

/** A product for every item, named by item_list.txt where it has the item. */
function productRows(items: ReadonlySet<number>, itemNames: ReadonlyMap<number, string>, ids: KgatIds): ProductRow[] {
  return [...items].sort((a, b) => a - b).map((item) => {
    const name = itemNames.get(item);
    return { id: ids.item(item), props: { title: name ? `item ${name}` : `item ${item}`, externalId: name ?? String(item) } };
  });
}

/** Every interaction as a purchase event, its id made of the split, user and item so that re-loading repeats it. */
function eventRows(read: KgatInteractions, prefix: string, ids: KgatIds): EventRow[] {
  const toEvent = (split: 'train' | 'test') => ({ user, item }: Interaction): EventRow => ({
    id: `${prefix}${split}:${user}:${item}`,
    userId: ids.user(user),
    productId: ids.item(item),
    type: 'purchase',
    timestamp: KGAT_TIMESTAMP,
    split,
  });
  return [...read.train.map(toEvent('train')), ...read.test.map(toEvent('test'))];
}

/** Writes the events; returns how many were new. */
async function writeInteractions(graph: Graph, events: EventRow[], options: KgatOptions, now: number): Promise<number> {
  let eventsWritten = 0;
  let eventsDone = 0;
  // Through the write grid of `kgrec ingest`: two transactions at a time, on disjoint users and items.
  await writeThroughGrid(events, { keysOf: (event) => [event.userId, event.productId], batchSize: options.batchSize }, async (batch) => {
    const result = await graph.transaction((tx) => writeEvents(tx, batch, () => 'PURCHASED', now), { retryUniquenessRaces: true });
    eventsWritten += result.created;
    eventsDone += batch.length;
    options.onProgress?.({ stage: 'interactions', done: eventsDone, total: events.length });
  });
  return eventsWritten;
}

/** Reads kg_final.txt, when the data set has one, and writes its triples between items and entities. */
async function loadKnowledgeGraph(
  graph: Graph,
  known: { items: ReadonlySet<number>; relationNames: ReadonlyMap<number, string>; ids: KgatIds; onReject: (r: Rejection) => void },
  options: KgatOptions,
): Promise<KgatKnowledgeGraph> {
  const file = path.join(options.dir, 'kg_final.txt');
  if (!existsSync(file)) return { kgTriples: 0, kgPresent: false };
  const triples = await readTriples(file, known.onReject);
  const { items, ids } = known;
  // In KGAT's numbering the items are the entities 0..items-1.
  const rows: KgTripleRow[] = triples.map(([head, relation, tail]) => ({
    head: items.has(head) ? ids.item(head) : ids.entity(head),
    relation: known.relationNames.get(relation) ?? `r${relation}`,
    tail: items.has(tail) ? ids.item(tail) : ids.entity(tail),
  }));
  const itemPrefix = ids.item(0).slice(0, -1);
  await writeInBatches('knowledge graph', rows, options, (batch) => graph.transaction((tx) => writeKgTriples(tx, batch, (id) => id.startsWith(itemPrefix))));
  return { kgTriples: triples.length, kgPresent: true };
}

async function* lines(file: string): AsyncGenerator<{ line: number; text: string }> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() !== '') yield { line, text: text.trim() };
  }
}

const NON_NEGATIVE_INTEGER = /^\d+$/;

async function readInteractions(file: string, onReject: (r: Rejection) => void): Promise<Interaction[]> {
  const interactions: Interaction[] = [];
  for await (const { line, text } of lines(file)) {
    const [userField, ...itemFields] = text.split(/\s+/);
    if (userField === undefined || !NON_NEGATIVE_INTEGER.test(userField)) {
      onReject({ file, line, field: 'user', reason: `expected a non-negative integer id, got ${JSON.stringify(userField)}` });
      continue;
    }
    const badItem = itemFields.find((field) => !NON_NEGATIVE_INTEGER.test(field));
    if (badItem !== undefined) {
      onReject({ file, line, field: 'item', reason: `expected a non-negative integer id, got ${JSON.stringify(badItem)}` });
      continue;
    }
    const user = Number(userField);
    for (const item of new Set(itemFields.map(Number))) interactions.push({ user, item });
  }
  return interactions;
}

async function readTriples(file: string, onReject: (r: Rejection) => void): Promise<[number, number, number][]> {
  const triples: [number, number, number][] = [];
  const seen = new Set<string>();
  for await (const { line, text } of lines(file)) {
    const fields = text.split(/\s+/);
    if (fields.length !== 3 || !fields.every((field) => NON_NEGATIVE_INTEGER.test(field))) {
      onReject({ file, line, field: '(line)', reason: `expected "head relation tail" as three integer ids, got ${JSON.stringify(text)}` });
      continue;
    }
    if (seen.has(text)) continue;
    seen.add(text);
    triples.push(fields.map(Number) as [number, number, number]);
  }
  return triples;
}
