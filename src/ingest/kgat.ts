import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Graph } from '../graph/graph.js';
import { writeEvents, writeKgTriples, writeProducts, writeUsers, type EventRow, type KgTripleRow } from '../graph/shopWrites.js';
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

interface Interaction {
  user: number;
  item: number;
}

export async function loadKgat(graph: Graph, options: KgatOptions): Promise<KgatSummary> {
  const started = performance.now();
  const ids = kgatIds(options.prefix);
  const rejections: Rejection[] = [];
  const onReject = (rejection: Rejection) => {
    rejections.push(rejection);
    options.onReject?.(rejection);
  };
  const file = (name: string) => path.join(options.dir, name);
  for (const required of ['train.txt', 'test.txt']) {
    if (!existsSync(file(required))) throw new Error(`${file(required)}: not found (a KGAT data set needs train.txt and test.txt)`);
  }
  const train = await readInteractions(file('train.txt'), onReject);
  const test = await readInteractions(file('test.txt'), onReject);
  const itemNames = (await readKgatList(file('item_list.txt'))) ?? new Map<number, string>();
  const relationNames = (await readKgatList(file('relation_list.txt'))) ?? new Map<number, string>();

  const users = new Set<number>();
  const items = new Set<number>(itemNames.keys());
  for (const { user, item } of [...train, ...test]) {
    users.add(user);
    items.add(item);
  }
  const now = Date.now();
  const batches = async <T>(stage: string, rows: T[], write: (batch: T[]) => Promise<unknown>) => {
    for (let start = 0; start < rows.length; start += options.batchSize) {
      await write(rows.slice(start, start + options.batchSize));
      options.onProgress?.({ stage, done: Math.min(start + options.batchSize, rows.length), total: rows.length });
    }
  };

  const productRows = [...items].sort((a, b) => a - b).map((item) => {
    const name = itemNames.get(item);
    return { id: ids.item(item), props: { title: name ? `item ${name}` : `item ${item}`, externalId: name ?? String(item) } };
  });
  // As `kgrec ingest` does: new or changed items reach running APIs (interactions record their own change).
  await batches('items', productRows, (batch) => graph.transaction((tx) => changingCatalogue(tx, writeProducts(tx, batch, now))));
  const userIds = [...users].sort((a, b) => a - b).map(ids.user);
  await batches('users', userIds, (batch) => graph.transaction((tx) => writeUsers(tx, batch, now)));

  const toEvent = (split: 'train' | 'test') => ({ user, item }: Interaction): EventRow => ({
    id: `${options.prefix}${split}:${user}:${item}`,
    userId: ids.user(user),
    productId: ids.item(item),
    type: 'purchase',
    timestamp: KGAT_TIMESTAMP,
    split,
  });
  let eventsWritten = 0;
  let eventsDone = 0;
  const events = [...train.map(toEvent('train')), ...test.map(toEvent('test'))];
  // Through the write grid of `kgrec ingest`: two transactions at a time, on disjoint users and items.
  await writeThroughGrid(events, { keysOf: (event) => [event.userId, event.productId], batchSize: options.batchSize }, async (batch) => {
    const result = await graph.transaction((tx) => writeEvents(tx, batch, () => 'PURCHASED', now), { retryUniquenessRaces: true });
    eventsWritten += result.created;
    eventsDone += batch.length;
    options.onProgress?.({ stage: 'interactions', done: eventsDone, total: events.length });
  });

  const kgPresent = existsSync(file('kg_final.txt'));
  let kgTriples = 0;
  if (kgPresent) {
    const triples = await readTriples(file('kg_final.txt'), onReject);
    kgTriples = triples.length;
    // In KGAT's numbering the items are the entities 0..items-1.
    const rows: KgTripleRow[] = triples.map(([head, relation, tail]) => ({
      head: items.has(head) ? ids.item(head) : ids.entity(head),
      relation: relationNames.get(relation) ?? `r${relation}`,
      tail: items.has(tail) ? ids.item(tail) : ids.entity(tail),
    }));
    const itemPrefix = ids.item(0).slice(0, -1);
    await batches('knowledge graph', rows, (batch) =>
      graph.transaction((tx) => writeKgTriples(tx, batch, (id) => id.startsWith(itemPrefix))),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    dir: options.dir,
    users: users.size,
    items: items.size,
    trainInteractions: train.length,
    testInteractions: test.length,
    kgTriples,
    kgPresent,
    eventsWritten,
    rejected: new Set(rejections.map((r) => `${r.file}:${r.line}`)).size,
    seconds,
    interactionsPerSecond: (train.length + test.length) / seconds,
  };
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
