import { describe, expect, it } from 'vitest';
import { CellScheduler, cellOf, gridFor, writeThroughGrid } from '../../src/ingest/writeCells.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A job that stays running until `finish` is called, recording when it ran. */
function controlledJob(log: string[], name: string) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const job = async () => {
    log.push(`start ${name}`);
    await done;
    log.push(`end ${name}`);
    return name;
  };
  return { job, finish: () => finish() };
}

describe('write cells', () => {
  it('put records with the same keys in the same cell, and name one bucket per key', () => {
    const a = cellOf(['u-1', 'p-1'], 2);
    expect(cellOf(['u-1', 'p-1'], 2)).toEqual(a);
    expect(a.buckets).toHaveLength(2);
    expect(a.buckets[0]).toMatch(/^0:[01]$/);
    expect(a.buckets[1]).toMatch(/^1:[01]$/);
    expect(a.index).toBeGreaterThanOrEqual(0);
    expect(a.index).toBeLessThan(4);
    // The same user lands in the same user bucket whatever the product.
    for (let p = 0; p < 20; p += 1) expect(cellOf(['u-1', `p-${p}`], 2).buckets[0]).toBe(a.buckets[0]);
  });

  it('run jobs that share no bucket side by side, and hold back one that shares a bucket', async () => {
    const log: string[] = [];
    const scheduler = new CellScheduler(2);
    const first = controlledJob(log, 'u0p0');
    const conflicting = controlledJob(log, 'u0p1');
    const disjoint = controlledJob(log, 'u1p1');
    const results = [
      scheduler.run(['0:0', '1:0'], first.job),
      scheduler.run(['0:0', '1:1'], conflicting.job),
      scheduler.run(['0:1', '1:1'], disjoint.job),
    ];
    await tick();
    expect(log).toEqual(['start u0p0', 'start u1p1']);
    first.finish();
    await tick();
    expect(log).toEqual(['start u0p0', 'start u1p1', 'end u0p0']); // u0p1 still shares product bucket 1 with u1p1
    disjoint.finish();
    await tick();
    expect(log.slice(3)).toEqual(['end u1p1', 'start u0p1']);
    conflicting.finish();
    expect(await Promise.all(results)).toEqual(['u0p0', 'u0p1', 'u1p1']);
  });

  it('never run more jobs than allowed, and pass a failure on to its caller', async () => {
    const log: string[] = [];
    const scheduler = new CellScheduler(1);
    const a = controlledJob(log, 'a');
    const b = controlledJob(log, 'b');
    const first = scheduler.run(['0:0'], a.job);
    const second = scheduler.run(['0:1'], b.job);
    await tick();
    expect(log).toEqual(['start a']);
    a.finish();
    b.finish();
    await Promise.all([first, second]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
    await expect(scheduler.run([], () => Promise.reject(new Error('rolled back')))).rejects.toThrow('rolled back');
    expect(await scheduler.run([], () => Promise.resolve('next'))).toBe('next');
  });

  describe('writeThroughGrid', () => {
    const records = Array.from({ length: 500 }, (_, i) => ({ user: `u-${i % 37}`, product: `p-${(i * 7) % 53}`, n: i }));
    const keysOf = (r: (typeof records)[number]) => [r.user, r.product];

    it('writes every record once, in batches of one cell, never two batches on a shared user or product at once', async () => {
      const written: number[] = [];
      const running = new Set<string>();
      let concurrent = 0;
      let mostConcurrent = 0;
      await writeThroughGrid(records, { keysOf, batchSize: 20, lanes: 2 }, async (batch) => {
        expect(batch.length).toBeLessThanOrEqual(20);
        const cells = new Set(batch.map((r) => cellOf(keysOf(r), gridFor(2)).index));
        expect(cells.size).toBe(1);
        const keys = [...new Set(batch.flatMap(keysOf))];
        for (const key of keys) expect(running.has(key)).toBe(false);
        keys.forEach((key) => running.add(key));
        mostConcurrent = Math.max(mostConcurrent, (concurrent += 1));
        await tick();
        concurrent -= 1;
        keys.forEach((key) => running.delete(key));
        written.push(...batch.map((r) => r.n));
      });
      expect(written.sort((a, b) => a - b)).toEqual(records.map((r) => r.n));
      expect(mostConcurrent).toBe(2);
    });

    it('skips the batches not yet started after one fails, and throws its error', async () => {
      let calls = 0;
      const run = writeThroughGrid(records, { keysOf, batchSize: 20, lanes: 2 }, async () => {
        calls += 1;
        await tick();
        if (calls === 3) throw new Error('batch failed');
      });
      await expect(run).rejects.toThrow('batch failed');
      expect(calls).toBeLessThanOrEqual(4);
    });
  });
});
