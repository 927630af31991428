import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ExportedTriples } from '../graph/tripleExport.js';
import { Random } from '../math/random.js';
import type { KgeDataset, TripleSet } from './types.js';

/**
 * Loads a benchmark in the usual three-file layout (`train.txt`, `valid.txt`, `test.txt`, one
 * tab-separated `head relation tail` per line), such as FB15k-237 and WN18RR. Every entity of any split
 * gets an index, so that all test triples are counted (an entity never seen in training keeps its initial
 * vector and ranks accordingly), as the published figures do.
 */
export async function loadTriplesDir(dir: string): Promise<KgeDataset> {
  const entityIndex = new Map<string, number>();
  const relationIndex = new Map<string, number>();
  const indexIn = (map: Map<string, number>, name: string): number => {
    let index = map.get(name);
    if (index === undefined) {
      index = map.size;
      map.set(name, index);
    }
    return index;
  };
  const readSplit = async (name: string): Promise<TripleSet | undefined> => {
    const file = path.join(dir, name);
    if (!existsSync(file)) return undefined;
    const heads: number[] = [];
    const relations: number[] = [];
    const tails: number[] = [];
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
      line += 1;
      if (text.trim() === '') continue;
      const fields = text.split('\t');
      if (fields.length !== 3) throw new Error(`${file}:${line}: expected "head<TAB>relation<TAB>tail", got ${fields.length} fields`);
      const [head, relation, tail] = fields as [string, string, string];
      heads.push(indexIn(entityIndex, head.trim()));
      relations.push(indexIn(relationIndex, relation.trim()));
      tails.push(indexIn(entityIndex, tail.trim()));
    }
    return { heads: Int32Array.from(heads), relations: Int32Array.from(relations), tails: Int32Array.from(tails) };
  };
  const train = await readSplit('train.txt');
  if (!train) throw new Error(`${path.join(dir, 'train.txt')}: not found`);
  const valid = await readSplit('valid.txt');
  const test = await readSplit('test.txt');
  return { entities: [...entityIndex.keys()], relations: [...relationIndex.keys()], train, valid, test };
}

export interface HoldoutOptions {
  /** The relation whose triples are held out for validation and test (the one recommendations predict). */
  relation: string;
  validFraction: number;
  testFraction: number;
  seed: number;
}

/**
 * Turns the exported shop graph into train / valid / test. A held-out (user, PURCHASED, product) pair is
 * removed from training together with every other behaviour of that user on that product — otherwise
 * its view would give the answer away. Pairs are only held out while the user keeps some training triple,
 * so that every evaluated user has a learnt vector.
 */
export function splitShopTriples(exported: ExportedTriples, options: HoldoutOptions): KgeDataset {
  const target = exported.relations.indexOf(options.relation);
  const { heads, relationIds, tails } = exported;
  const count = heads.length;
  const split = new Uint8Array(count); // 0 train, 1 valid, 2 test
  if (target >= 0) {
    const random = new Random(options.seed);
    const pairKey = (i: number) => `${heads[i]}:${tails[i]}`;
    const heldPairs = new Map<string, number>();
    const trainingTriplesOfHead = new Int32Array(exported.entities.length);
    for (let i = 0; i < count; i += 1) trainingTriplesOfHead[heads[i] as number]! += 1;
    for (let i = 0; i < count; i += 1) {
      if (relationIds[i] !== target) continue;
      const draw = random.nextFloat();
      const side = draw < options.testFraction ? 2 : draw < options.testFraction + options.validFraction ? 1 : 0;
      if (side === 0 || heldPairs.has(pairKey(i))) continue;
      heldPairs.set(pairKey(i), side);
    }
    // Count what each head would lose, then keep only holdouts that leave the user some training triple.
    const lost = new Int32Array(exported.entities.length);
    for (let i = 0; i < count; i += 1) if (heldPairs.has(pairKey(i))) lost[heads[i] as number]! += 1;
    for (let i = 0; i < count; i += 1) {
      const side = heldPairs.get(pairKey(i));
      if (side === undefined) continue;
      const head = heads[i] as number;
      if ((trainingTriplesOfHead[head] as number) - (lost[head] as number) < 1) continue;
      // Behaviours other than the target are dropped from training but are not evaluation triples.
      split[i] = relationIds[i] === target ? side : 3;
    }
  }
  const select = (value: number): TripleSet => {
    const indexes: number[] = [];
    for (let i = 0; i < count; i += 1) if (split[i] === value) indexes.push(i);
    return {
      heads: Int32Array.from(indexes, (i) => heads[i] as number),
      relations: Int32Array.from(indexes, (i) => relationIds[i] as number),
      tails: Int32Array.from(indexes, (i) => tails[i] as number),
    };
  };
  return { entities: exported.entities, relations: exported.relations, train: select(0), valid: select(1), test: select(2) };
}

/**
 * Weights behaviour triples by repetition: a triple of a relation with weight w is seen w times per epoch,
 * so a purchase can count three times a view. Repetition rather than a weighted loss keeps both engines
 * and the sampler untouched; weights are whole numbers ≥ 1 (relations not named keep weight 1).
 */
export function weightTriples(triples: TripleSet, relations: readonly string[], weights: Readonly<Record<string, number>>): TripleSet {
  const repeat = relations.map((name) => {
    const weight = weights[name] ?? 1;
    if (!Number.isInteger(weight) || weight < 1) throw new RangeError(`behaviour weight of ${name}: expected a whole number ≥ 1, got ${weight}`);
    return weight;
  });
  let total = 0;
  for (let i = 0; i < triples.heads.length; i += 1) total += repeat[triples.relations[i] as number] ?? 1;
  const out: TripleSet = { heads: new Int32Array(total), relations: new Int32Array(total), tails: new Int32Array(total) };
  let n = 0;
  for (let i = 0; i < triples.heads.length; i += 1) {
    for (let r = 0; r < (repeat[triples.relations[i] as number] ?? 1); r += 1) {
      out.heads[n] = triples.heads[i] as number;
      out.relations[n] = triples.relations[i] as number;
      out.tails[n] = triples.tails[i] as number;
      n += 1;
    }
  }
  return out;
}
