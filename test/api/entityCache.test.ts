import { describe, expect, it, vi } from 'vitest';
import { SharedRows } from '../../src/api/entityCache.js';

/** The cross-request row cache in front of the API's product and category loaders. */
describe('SharedRows', () => {
  const reader = (store: Map<string, string>, calls: string[][]) => async (missing: readonly string[]) => {
    calls.push([...missing]);
    return new Map(missing.flatMap((id) => (store.has(id) ? [[id, store.get(id) as string] as const] : [])));
  };

  it('reads only the ids it does not hold; expired ones are served while one background read refreshes them', async () => {
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
    store.delete('b');
    // Expired: answered from memory at once, and both refreshed together in one read shortly after.
    expect(await rows.load(['a'], reader(store, calls))).toEqual(['A']);
    expect(await rows.load(['b'], reader(store, calls))).toEqual(['B']);
    expect(calls).toHaveLength(2);
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    expect(calls[2]?.sort()).toEqual(['a', 'b']);
    await vi.waitFor(async () => expect(await rows.load(['a', 'b'], reader(store, calls))).toEqual(['A2', null]));
    // b is gone from the store, so from the cache too: it was asked for synchronously above.
    expect(calls.at(-1)).toEqual(['b']);
  });

  it('refreshes an expired row once, however often it is asked for while its read is under way', async () => {
    let now = 1_000;
    const rows = new SharedRows<string>(5_000, 100, () => now);
    const calls: string[][] = [];
    let release: () => void = () => {};
    const read = async (ids: readonly string[]) => {
      calls.push([...ids]);
      if (calls.length > 1) await new Promise<void>((resolve) => (release = resolve));
      return new Map(ids.map((id) => [id, `${id}${calls.length}`]));
    };
    await rows.load(['a'], read);
    now += 5_000;
    expect(await rows.load(['a'], read)).toEqual(['a1']);
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    // The refresh is under way: asking again serves the old row and schedules nothing more.
    expect(await rows.load(['a'], read)).toEqual(['a1']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(calls).toHaveLength(2);
    release();
    await vi.waitFor(async () => expect(await rows.load(['a'], read)).toEqual(['a2']));
    expect(calls).toHaveLength(2);
  });

  it('reads a row long past its time to live before serving it', async () => {
    let now = 1_000;
    const rows = new SharedRows<string>(5_000, 100, () => now);
    const store = new Map([['a', 'A']]);
    const calls: string[][] = [];
    await rows.load(['a'], reader(store, calls));
    store.set('a', 'A2');
    now += 60_000;
    expect(await rows.load(['a'], reader(store, calls))).toEqual(['A2']);
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('does not keep what a read in flight during a clear returns', async () => {
    const rows = new SharedRows<string>(60_000);
    const calls: string[][] = [];
    let release: () => void = () => {};
    const slowRead = async (ids: readonly string[]) => {
      calls.push([...ids]);
      await new Promise<void>((resolve) => (release = resolve));
      return new Map(ids.map((id) => [id, 'before the edit']));
    };
    const inFlight = rows.load(['a'], slowRead);
    rows.clear();
    release();
    expect(await inFlight).toEqual(['before the edit']);
    expect(await rows.load(['a'], reader(new Map([['a', 'after']]), calls))).toEqual(['after']);
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

  it('starts no background read after close, and keeps quiet about one that fails because the connection closed', async () => {
    let now = 1_000;
    const errors: unknown[] = [];
    const rows = new SharedRows<string>(5_000, 100, () => now, (error) => errors.push(error));
    const calls: string[][] = [];
    let fail: (error: Error) => void = () => {};
    const read = async (ids: readonly string[]) => {
      calls.push([...ids]);
      // The second read is the background refresh, failing once the connection closes.
      if (calls.length !== 2) return new Map(ids.map((id) => [id, id]));
      return new Promise<Map<string, string>>((_, reject) => (fail = reject));
    };
    await rows.load(['a', 'b'], read);
    now += 5_000;
    await rows.load(['a'], read);
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    rows.close();
    fail(new Error('Pool is closed'));
    // Expired rows asked for after close schedule nothing.
    await rows.load(['b'], read);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(calls).toHaveLength(3);
    expect(calls[2]).toEqual(['b']);
    expect(errors).toEqual([]);
  });
});
