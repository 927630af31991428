/**
 * Loads the interaction files of the KGAT benchmarks (Wang et al., KDD 2019: amazon-book, last-fm,
 * yelp2018): `train.txt` and `test.txt`, one line per user, `userId itemId itemId ...`, space-separated
 * remapped ids; a line may hold the user id alone. `user_list.txt` / `item_list.txt` (`org_id remap_id ...`,
 * with or without a header line), where present, give the external ids. `kg_final.txt` (`head relation tail`,
 * entity ids, items being the entities 0..items−1) is the knowledge graph, with `relation_list.txt` naming
 * its relations; some copies ship without it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { interactionsFromPairs, type InteractionSplit } from '../math/interactions.js';
import { entityNodeKey, KnowledgeGraphBuilder, productKey, type ItemKnowledgeGraph } from '../recommenders/knowledgeGraph.js';
import { readKgatList } from '../ingest/kgatLists.js';

const DIGITS = /^\d+$/;

/** The pairs of one interaction file (in file order, duplicates kept), and the largest ids seen (−1: none). */
export interface ParsedFile {
  users: Int32Array;
  items: Int32Array;
  maxUser: number;
  maxItem: number;
}

export async function loadKgatInteractions(dir: string): Promise<InteractionSplit> {
  const train = await parseInteractionFile(path.join(dir, 'train.txt'));
  const test = await parseInteractionFile(path.join(dir, 'test.txt'));
  const userNames = await readRemapList(path.join(dir, 'user_list.txt'));
  const itemNames = await readRemapList(path.join(dir, 'item_list.txt'));
  // KGAT counts max id + 1 over both files; the lists, where present, also cover users and items without interactions.
  const userCount = Math.max(train.maxUser, test.maxUser, (userNames?.length ?? 0) - 1) + 1;
  const itemCount = Math.max(train.maxItem, test.maxItem, (itemNames?.length ?? 0) - 1) + 1;
  const split: InteractionSplit = {
    userCount,
    itemCount,
    train: interactionsFromPairs(train.users, train.items, userCount, itemCount),
    test: interactionsFromPairs(test.users, test.items, userCount, itemCount),
  };
  if (userNames !== undefined) split.userNames = userNames;
  if (itemNames !== undefined) split.itemNames = itemNames;
  return split;
}

/** Parses one `userId itemId ...` file; duplicate items on a line are kept here and merged by the matrix builder. */
export async function parseInteractionFile(file: string): Promise<ParsedFile> {
  if (!existsSync(file)) throw new Error(`${file}: not found (expected a KGAT interaction file: "userId itemId itemId ..." per line)`);
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  let users: Int32Array = new Int32Array(1 << 16);
  let items: Int32Array = new Int32Array(1 << 16);
  let n = 0;
  let maxUser = -1;
  let maxItem = -1;
  const lineOfUser = new Map<number, number>();
  for (let l = 0; l < lines.length; l += 1) {
    const line = lines[l]!.trim();
    if (line === '') continue;
    const where = `${file}:${l + 1}`;
    const fields = line.split(/\s+/);
    const user = parseId(fields[0]!, where, 'user id');
    const earlier = lineOfUser.get(user);
    if (earlier !== undefined) throw new Error(`${where}: user ${user} is already listed on line ${earlier}: expected one line per user`);
    lineOfUser.set(user, l + 1);
    if (user > maxUser) maxUser = user;
    for (let f = 1; f < fields.length; f += 1) {
      const item = parseId(fields[f]!, where, `item id (field ${f + 1})`);
      if (item > maxItem) maxItem = item;
      if (n === users.length) {
        users = grow(users);
        items = grow(items);
      }
      users[n] = user;
      items[n] = item;
      n += 1;
    }
  }
  return { users: users.slice(0, n), items: items.slice(0, n), maxUser, maxItem };
}

export const KG_FILE = 'kg_final.txt';

/**
 * The knowledge graph of a KGAT data set, or null when `kg_final.txt` is absent. Items (entity ids below
 * `itemCount`) become the products `itemKey(id)`; other entities `Entity:e<id>`. Relations are named by
 * `relation_list.txt` where present, else by their id.
 */
export async function loadKgatKnowledgeGraph(dir: string, itemCount: number, itemKey: (item: number) => string = (item) => productKey(String(item))): Promise<ItemKnowledgeGraph | null> {
  const file = path.join(dir, KG_FILE);
  if (!existsSync(file)) return null;
  const relationNames = (await readRemapList(path.join(dir, 'relation_list.txt'))) ?? [];
  const builder = new KnowledgeGraphBuilder(Array.from({ length: itemCount }, (_, item) => itemKey(item)));
  const node = (id: number): string => (id < itemCount ? itemKey(id) : entityNodeKey(`e${id}`));
  const lines = (await readFile(file, 'utf8')).split('\n');
  for (let l = 0; l < lines.length; l += 1) {
    const line = lines[l]!.trim();
    if (line === '') continue;
    const where = `${file}:${l + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 3) throw new Error(`${where}: expected "head relation tail" (three integer ids), got ${fields.length} field${fields.length === 1 ? '' : 's'}: "${line}"`);
    const head = parseId(fields[0]!, where, 'head entity id');
    const relation = parseId(fields[1]!, where, 'relation id');
    const tail = parseId(fields[2]!, where, 'tail entity id');
    builder.add(node(head), relationNames[relation] ?? String(relation), node(tail));
  }
  return builder.build();
}

function parseId(field: string, where: string, what: string): number {
  if (!DIGITS.test(field)) throw new Error(`${where}: ${what}: expected a non-negative integer, got "${field}"`);
  const id = Number(field);
  if (id > 0x7fffffff) throw new Error(`${where}: ${what}: ${field} is larger than 2^31 − 1`);
  return id;
}

/** `name remap_id ...` lines (see readKgatList) → names indexed by remap_id; undefined when the file is absent. */
async function readRemapList(file: string): Promise<string[] | undefined> {
  const byId = await readKgatList(file);
  if (byId === undefined) return undefined;
  const names = Array.from({ length: byId.size }, (_, id) => byId.get(id));
  const missing = names.findIndex((name) => name === undefined);
  if (missing >= 0) throw new Error(`${file}: remap_id ${missing} is missing: expected ids 0..${byId.size - 1} without gaps`);
  return names as string[];
}

function grow(values: Int32Array): Int32Array {
  const bigger = new Int32Array(values.length * 2);
  bigger.set(values);
  return bigger;
}
