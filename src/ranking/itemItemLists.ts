/**
 * The `itemItem` lists saved with a model version, by product id: for the models the API does not rebuild
 * from the shoppers' behaviour (fittedWithModel: EASE), the lists fitted with the fusion weights. A load
 * reads them asynchronously and the state's build reindexes them to its snapshot, as it reindexes lists
 * built before, so the ranking thread never holds an inverse. Products added after the fit have no list
 * until the next fit; products gone drop out.
 *
 * Files: item-item.json (spec, product ids, the binaries' names) and three little-endian binaries (indptr,
 * indices as int32; similarities as float32), written under fresh names before the JSON that names them
 * replaces the old one, so a reader sees a whole old set or a whole new one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { float32LittleEndian, idsSchema, int32LittleEndian, parseWith, readFloat32, readInt32, replaceFile, safeName, writeDurable } from '../kge/modelFiles.js';
import { readTextIfPresent } from '../util/files.js';
import { itemItemSpecSchema, type ItemItemIndex } from './itemItemSignal.js';

export const ITEM_ITEM_LISTS_FILE = 'item-item.json';

const listsFileSchema = z.object({
  spec: itemItemSpecSchema,
  productIds: z.array(z.string()),
  pairs: z.number().int().nonnegative(),
  files: z.object({ indptr: safeName, indices: safeName, similarities: safeName }),
  fittedAt: z.iso.datetime(),
});

/** Lists and the product id of each of their rows (`ids[i]` is item i of `index.model`). */
export interface SavedItemItemLists {
  ids: readonly string[];
  index: ItemItemIndex;
}

export async function writeItemItemLists(modelsDir: string, version: string, lists: SavedItemItemLists, fittedAt = new Date()): Promise<void> {
  const { ids, index } = lists;
  const { model } = index;
  if (ids.length !== model.itemCount) throw new RangeError(`writeItemItemLists: ${ids.length} product ids for ${model.itemCount} rows`);
  const dir = path.join(modelsDir, version);
  const file = path.join(dir, ITEM_ITEM_LISTS_FILE);
  const previous = await readListsFile(file);
  const suffix = randomBytes(4).toString('hex');
  const files = { indptr: `item-item-indptr-${suffix}.i32`, indices: `item-item-indices-${suffix}.i32`, similarities: `item-item-similarities-${suffix}.f32` };
  try {
    await writeDurable(path.join(dir, files.indptr), int32LittleEndian(model.indptr));
    await writeDurable(path.join(dir, files.indices), int32LittleEndian(model.indices));
    await writeDurable(path.join(dir, files.similarities), float32LittleEndian(model.similarities));
    const content = { spec: index.spec, productIds: ids, pairs: model.indices.length, files, fittedAt: fittedAt.toISOString() };
    await replaceFile(file, `${JSON.stringify(content)}\n`);
  } catch (error) {
    await Promise.all(Object.values(files).map((name) => fs.rm(path.join(dir, name), { force: true }).catch(() => undefined)));
    throw error;
  }
  if (previous) await Promise.all(Object.values(previous.files).map((name) => fs.rm(path.join(dir, name), { force: true })));
}

/** The lists saved with `version`, or null when it has none; files that do not agree with each other throw. */
export async function readItemItemLists(modelsDir: string, version: string): Promise<SavedItemItemLists | null> {
  const dir = path.join(modelsDir, version);
  const file = path.join(dir, ITEM_ITEM_LISTS_FILE);
  const saved = await readListsFile(file);
  if (saved === null) return null;
  const itemCount = saved.productIds.length;
  parseWith(idsSchema(itemCount), saved.productIds, `${file}: productIds`);
  // Read together; when several disagree, the first in this order is reported, whichever failed first.
  const reads = await Promise.allSettled([
    readInt32(path.join(dir, saved.files.indptr), itemCount + 1, `${itemCount} rows + 1`),
    readInt32(path.join(dir, saved.files.indices), saved.pairs, `${saved.pairs} pairs`),
    readFloat32(path.join(dir, saved.files.similarities), saved.pairs, `${saved.pairs} pairs`),
  ] as const);
  const [indptr, indices, similarities] = reads.map((read) => {
    if (read.status === 'rejected') throw read.reason;
    return read.value;
  }) as [Int32Array, Int32Array, Float32Array];
  checkRows(file, indptr, indices, itemCount);
  return { ids: saved.productIds, index: { spec: saved.spec, model: { itemCount, indptr, indices, similarities } } };
}

async function readListsFile(file: string): Promise<z.infer<typeof listsFileSchema> | null> {
  const text = await readTextIfPresent(file);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseWith(listsFileSchema, json, file);
}

/** Row bounds ascending from 0 to the pair count, and every neighbour a row of the lists. */
function checkRows(file: string, indptr: Int32Array, indices: Int32Array, itemCount: number): void {
  if (indptr[0] !== 0 || indptr[itemCount] !== indices.length) throw new Error(`${file}: indptr: expected to run from 0 to ${indices.length}, got ${indptr[0]} to ${indptr[itemCount]}`);
  for (let i = 0; i < itemCount; i += 1) {
    if (indptr[i + 1]! < indptr[i]!) throw new Error(`${file}: indptr: row ${i} ends before it starts`);
  }
  for (let p = 0; p < indices.length; p += 1) {
    const j = indices[p]!;
    if (!(j >= 0 && j < itemCount)) throw new Error(`${file}: indices[${p}]: expected a row in 0..${itemCount - 1}, got ${j}`);
  }
}
