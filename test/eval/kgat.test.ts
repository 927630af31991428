import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { holdoutRandomFraction, validationSplit } from '../../src/eval/holdout.js';
import { interactionsFromLists, itemsOf } from '../../src/math/interactions.js';
import { loadKgatInteractions } from '../../src/eval/kgat.js';

const dirs: string[] = [];
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrec-kgat-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('loadKgatInteractions', () => {
  it('reads train and test lines, with empty users, trailing spaces and duplicate items', async () => {
    const dir = fixture({
      'train.txt': '0 0 1 2 \n1 2 2 3\n2\n',
      'test.txt': '0 3\n1\n2 1 4\n',
    });
    const split = await loadKgatInteractions(dir);
    expect(split.userCount).toBe(3);
    expect(split.itemCount).toBe(5);
    expect(Array.from(itemsOf(split.train, 0))).toEqual([0, 1, 2]);
    expect(Array.from(itemsOf(split.train, 1))).toEqual([2, 3]);
    expect(Array.from(itemsOf(split.train, 2))).toEqual([]);
    expect(Array.from(itemsOf(split.test, 2))).toEqual([1, 4]);
    expect(split.itemNames).toBeUndefined();
  });

  it('takes names and counts from user_list.txt and item_list.txt', async () => {
    const dir = fixture({
      'train.txt': '0 0\n1 1\n',
      'test.txt': '0 1\n',
      'user_list.txt': 'org_id remap_id\nA1 0\nB2 1\nC3 2\n',
      'item_list.txt': 'org_id remap_id freebase_id\nbook-a 0 m.01\nbook-b 1 m.02\nbook-c 2 m.03\nbook-d 3 m.04\n',
    });
    const split = await loadKgatInteractions(dir);
    expect(split.userCount).toBe(3);
    expect(split.itemCount).toBe(4);
    expect(split.userNames).toEqual(['A1', 'B2', 'C3']);
    expect(split.itemNames?.[3]).toBe('book-d');
  });

  it('names the file and line of a bad id', async () => {
    const dir = fixture({ 'train.txt': '0 1 2\n1 3 x4\n', 'test.txt': '0 1\n' });
    await expect(loadKgatInteractions(dir)).rejects.toThrow(`${path.join(dir, 'train.txt')}:2: item id (field 3): expected a non-negative integer, got "x4"`);
  });

  it('names the file and lines of a user listed twice', async () => {
    const dir = fixture({ 'train.txt': '0 1\n', 'test.txt': '0 1\n1 2\n0 3\n' });
    await expect(loadKgatInteractions(dir)).rejects.toThrow(/test\.txt:3: user 0 is already listed on line 1/);
  });

  it('reads lists headed entity_org_id, lists without a header, and names a malformed line', async () => {
    const headed = fixture({
      'train.txt': '0 0\n1 1\n',
      'test.txt': '0 1\n',
      'item_list.txt': 'org_id remap_id entity_org_id\n152949 0 12\n154518 1 13\n',
      'user_list.txt': '9001 0\n9002 1\n',
    });
    const split = await loadKgatInteractions(headed);
    expect(split.itemNames).toEqual(['152949', '154518']);
    expect(split.userNames).toEqual(['9001', '9002']);
    const bad = fixture({ 'train.txt': '0 0\n', 'test.txt': '0 0\n', 'item_list.txt': 'org_id remap_id\nbook-a 0\nbook-b one\n' });
    await expect(loadKgatInteractions(bad)).rejects.toThrow(`${path.join(bad, 'item_list.txt')}:3: remap_id: expected a non-negative integer, got "one"`);
    const gap = fixture({ 'train.txt': '0 0\n', 'test.txt': '0 0\n', 'item_list.txt': 'org_id remap_id\nbook-a 0\nbook-c 2\n' });
    await expect(loadKgatInteractions(gap)).rejects.toThrow(/remap_id 1 is missing/);
  });

  it('says which file is missing', async () => {
    const dir = fixture({ 'train.txt': '0 1\n' });
    await expect(loadKgatInteractions(dir)).rejects.toThrow(/test\.txt: not found/);
  });
});

describe('holdoutRandomFraction', () => {
  const lists = Array.from({ length: 400 }, (_, u) => Array.from({ length: 1 + (u % 10) }, (_, i) => (u * 7 + i * 13) % 100));
  const matrix = interactionsFromLists(lists, 100);

  it('partitions every row, keeps single-item users whole and never empties a row', () => {
    const { kept, heldOut } = holdoutRandomFraction(matrix, { fraction: 0.3, seed: 1 });
    for (let u = 0; u < matrix.userCount; u += 1) {
      const all = Array.from(itemsOf(matrix, u));
      const a = Array.from(itemsOf(kept, u));
      const b = Array.from(itemsOf(heldOut, u));
      expect([...a, ...b].sort((x, y) => x - y)).toEqual(all);
      expect(a.length).toBeGreaterThanOrEqual(1);
      if (all.length === 1) expect(b).toEqual([]);
    }
  });

  it('holds out the requested share on average, repeatably for a seed', () => {
    const first = holdoutRandomFraction(matrix, { fraction: 0.3, seed: 7 });
    const again = holdoutRandomFraction(matrix, { fraction: 0.3, seed: 7 });
    expect(Array.from(again.heldOut.indices)).toEqual(Array.from(first.heldOut.indices));
    const eligible = lists.filter((l) => l.length >= 2).reduce((s, l) => s + new Set(l).size, 0);
    expect(first.heldOut.indices.length / eligible).toBeGreaterThan(0.25);
    expect(first.heldOut.indices.length / eligible).toBeLessThan(0.35);
  });

  it('builds a validation split from the training rows only', () => {
    const split = { userCount: 400, itemCount: 100, train: matrix, test: interactionsFromLists(lists.map(() => [99]), 100) };
    const validation = validationSplit(split, { seed: 3 });
    expect(validation.train.indices.length + validation.test.indices.length).toBe(matrix.indices.length);
  });
});
