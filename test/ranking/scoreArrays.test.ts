import { describe, expect, it } from 'vitest';
import { ScoreArrayPool } from '../../src/ranking/scoreArrays.js';
import { moments, rememberSparseMoments } from '../../src/ranking/signalMoments.js';

describe('the score arrays lent to a request', () => {
  it('lends zeroed arrays, reuses those given back, and forgets what was known of them', () => {
    const pool = new ScoreArrayPool();
    const lease = pool.lease();
    const first = lease.take(4);
    first.set([3, 0, 0, 1]);
    rememberSparseMoments(first, [0, 3]);
    expect(moments(first).mean).toBe(1);
    lease.giveBack();
    expect(pool.freeCount).toBe(1);

    const next = pool.lease();
    const again = next.take(4);
    expect(again).toBe(first);
    expect([...again]).toEqual([0, 0, 0, 0]);
    again.set([2, 2, 2, 2]);
    // Moments remembered for the array's earlier signal would standardise this one wrongly.
    expect(moments(again)).toEqual({ mean: 2, std: 0 });
    const other = next.take(4);
    expect(other).not.toBe(again);
    next.giveBack();
    expect(pool.freeCount).toBe(2);
  });

  it('drops arrays of the old catalogue size once another size comes back', () => {
    const pool = new ScoreArrayPool();
    const small = pool.lease();
    small.take(4);
    small.take(4);
    small.giveBack();
    const large = pool.lease();
    const grown = large.take(6);
    large.giveBack();
    expect(pool.freeCount).toBe(1);
    expect(pool.lease().take(6)).toBe(grown);
  });

  it('keeps no more arrays than its bound, however many one request took', () => {
    const pool = new ScoreArrayPool();
    const lease = pool.lease();
    for (let i = 0; i < 500; i += 1) lease.take(10);
    lease.giveBack();
    expect(pool.freeCount).toBe(64);
    const huge = pool.lease();
    for (let i = 0; i < 20; i += 1) huge.take(4_000_000);
    huge.giveBack();
    // 32 MiB of 16 MB arrays is 2; a pool keeps at least 8 whatever their size.
    expect(pool.freeCount).toBe(8);
  });
});
