import { describe, expect, it } from 'vitest';
import { SharedRows } from '../../src/api/entityCache.js';

/** The cross-request row cache in front of the API's product and category loaders. */
describe('SharedRows', () => {
  const reader = (store: Map<string, string>, calls: string[][]) => async (missing: readonly string[]) => {
    calls.push([...missing]);
    return new Map(missing.flatMap((id) => (store.has(id) ? [[id, store.get(id) as string] as const] : [])));
  };

  it('reads only the ids it does not hold, until they expire', async () => {
    let now = 1_000;
    const rows = new SharedRows<string>(5_000, 100, () => now);
    const store = new Map([['a', 'A'], ['b', 'B']]);
    const calls: string[][] = [];
    expect(await rows.load(['a', 'b', 'x'], reader(store, calls))).toEqual(['A', 'B', null]);
    store.set('a', 'A2');
    expect(await rows.load(['a', 'x'], reader(store, calls))).toEqual(['A', null]);
    // A missing id is asked again (a product created meanwhile must appear); the held one is not.
    expect(calls).toEqual([['a', 'b', 'x'], ['x']]);
    now += 5_000;
    expect(await rows.load(['a'], reader(store, calls))).toEqual(['A2']);
    expect(calls.at(-1)).toEqual(['a']);
  });

  it('forgets everything on clear, and everything at once with a time to live of 0', async () => {
    const store = new Map([['a', 'A']]);
    const calls: string[][] = [];
    const rows = new SharedRows<string>(60_000);
    await rows.load(['a'], reader(store, calls));
    rows.clear();
    store.set('a', 'A2');
    expect(await rows.load(['a'], reader(store, calls))).toEqual(['A2']);
    const uncached = new SharedRows<string>(0);
    await uncached.load(['a'], reader(store, calls));
    await uncached.load(['a'], reader(store, calls));
    expect(calls).toHaveLength(4);
  });

  it('keeps at most maxEntries rows, dropping the oldest', async () => {
    const store = new Map(['a', 'b', 'c'].map((id) => [id, id.toUpperCase()]));
    const calls: string[][] = [];
    const rows = new SharedRows<string>(60_000, 2);
    await rows.load(['a', 'b', 'c'], reader(store, calls));
    await rows.load(['b', 'c', 'a'], reader(store, calls));
    expect(calls.at(-1)).toEqual(['a']);
  });
});
