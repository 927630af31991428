import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoEvalData } from '../../src/jobs/evalData.js';
import { offlineState, profileRows } from '../../src/jobs/evaluateRecommenders.js';
import { ITEM_ITEM_LISTS_FILE, readItemItemLists, writeItemItemLists } from '../../src/ranking/itemItemLists.js';
import { itemItemScores, type ItemItemSpec } from '../../src/ranking/itemItemSignal.js';
import { buildRankingState } from '../../src/ranking/rankingState.js';

const EASE: ItemItemSpec = { model: 'ease', params: { l2: 25, neighbours: 40 } };
const VERSION = '20261206-120000-transe-d16';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function modelsDir(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kgrec-item-item-'));
  dirs.push(dir);
  await mkdir(path.join(dir, VERSION));
  return dir;
}

describe('item-item lists saved with a model version', () => {
  it('load as they were fitted, and a state on another snapshot scores each product as the fitted state did', async () => {
    const data = demoEvalData({ products: 250, users: 90, events: 4_000, seed: 12 });
    const fitted = offlineState(data, null, data.fit, null, { itemItem: EASE });
    const ids = fitted.snapshot.products.map((product) => product.id);
    const dir = await modelsDir();
    await writeItemItemLists(dir, VERSION, { ids, index: fitted.itemItem! });
    const loaded = await readItemItemLists(dir, VERSION);
    expect(loaded?.ids).toEqual(ids);
    expect(loaded?.index).toEqual(fitted.itemItem);

    // A later snapshot (more behaviour: another popularity order), built from the saved lists, fits nothing.
    const later = offlineState(data, null, [...data.fit, ...data.validBehaviour], null, { itemItem: null });
    expect(later.snapshot.products.map((product) => product.id)).not.toEqual(ids);
    const state = buildRankingState({ snapshot: later.snapshot, model: null, baskets: [], links: [], coldTexts: new Map(), productTerms: new Map(), fitted: null, itemItem: EASE, savedItemItem: loaded });
    expect(state.itemItem?.spec).toEqual(EASE);
    const rows = profileRows(data, data.fit);
    let scored = 0;
    for (let user = 0; user < 20; user += 1) {
      const history = (rows[user] ?? []).map((row) => row.productId);
      const scores = (of: typeof state) => {
        const values = itemItemScores(of.itemItem!, history.map((id) => ({ index: of.indexOf.get(id)! })), of.snapshot.products.length);
        return new Map(of.snapshot.products.map((product, index) => [product.id, values[index]!]));
      };
      const [before, after] = [scores(fitted), scores(state)];
      for (const [id, value] of before) {
        expect(after.get(id)).toBe(value);
        if (value !== 0) scored += 1;
      }
    }
    expect(scored).toBeGreaterThan(100);
  });

  it('are absent for a version without them, replace the previous set whole, and refuse files that disagree', async () => {
    const data = demoEvalData({ products: 120, users: 40, events: 1_500, seed: 3 });
    const fitted = offlineState(data, null, data.fit, null, { itemItem: EASE });
    const lists = { ids: fitted.snapshot.products.map((product) => product.id), index: fitted.itemItem! };
    const dir = await modelsDir();
    expect(await readItemItemLists(dir, VERSION)).toBeNull();
    await writeItemItemLists(dir, VERSION, lists);
    await writeItemItemLists(dir, VERSION, lists);
    // One JSON and the three binaries it names: the first set's files are gone.
    expect(readdirSync(path.join(dir, VERSION)).sort()).toHaveLength(4);
    const file = path.join(dir, VERSION, ITEM_ITEM_LISTS_FILE);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { pairs: number };
    writeFileSync(file, JSON.stringify({ ...saved, pairs: saved.pairs + 1 }));
    await expect(readItemItemLists(dir, VERSION)).rejects.toThrow(/item-item-indices-[0-9a-f]+\.i32: expected \d+ int32 values/);
  });
});
