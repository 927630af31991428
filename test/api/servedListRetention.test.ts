import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { pruneServedLists, writeServedLists, type ServedListRecord } from '../../src/graph/servedLists.js';
import { ServedListRetention } from '../../src/api/servedListRetention.js';
import { freshGraph } from '../helpers.js';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});

afterAll(async () => {
  await graph.close();
});

const list = (servedId: string, ageDays: number): ServedListRecord => ({
  servedId,
  userId: 'u-1',
  surface: 'recommend',
  at: NOW - ageDays * DAY_MS,
  productIds: ['p-1', 'p-2'],
  experimentId: null,
  variant: null,
});

const storedIds = async (): Promise<string[]> =>
  (await graph.read<{ id: string }>('MATCH (s:ServedList) RETURN s.id AS id ORDER BY id')).map((row) => row.id);

describe('served list retention', () => {
  it('deletes the lists older than the retention, in batches, and keeps the newer ones', async () => {
    await graph.write('MATCH (s:ServedList) DELETE s');
    const old = Array.from({ length: 25 }, (_, i) => list(`old-${String(i).padStart(2, '0')}`, 200 + i));
    await writeServedLists(graph, [...old, list('recent-a', 1), list('recent-b', 179)]);
    // Batches of 10 for 25 old lists: three transactions, every old list gone.
    expect(await pruneServedLists(graph, NOW - 180 * DAY_MS, 10)).toBe(25);
    expect(await storedIds()).toEqual(['recent-a', 'recent-b']);
    expect(await pruneServedLists(graph, NOW - 180 * DAY_MS, 10)).toBe(0);
  });

  it('prunes by the configured days, reports what went, and keeps everything at 0 days', async () => {
    await graph.write('MATCH (s:ServedList) DELETE s');
    await writeServedLists(graph, [list('a', 40), list('b', 20), list('c', 5)]);
    const keepAll = new ServedListRetention(graph, { retentionDays: 0, now: () => NOW });
    expect(await keepAll.pruneNow()).toBe(0);
    expect(await storedIds()).toEqual(['a', 'b', 'c']);

    const pruned: number[] = [];
    const retention = new ServedListRetention(graph, { retentionDays: 30, now: () => NOW, onPruned: (deleted) => pruned.push(deleted) });
    expect(await retention.pruneNow()).toBe(1);
    expect(pruned).toEqual([1]);
    expect(await storedIds()).toEqual(['b', 'c']);
    await retention.stop();
  });
});
