import { describe, expect, it } from 'vitest';
import { QueryTextCache } from '../../src/api/queryTextCache.js';

describe('QueryTextCache', () => {
  it('keeps values by text, null among them', () => {
    const cache = new QueryTextCache<string | null>();
    cache.set('{ a }', 'A');
    cache.set('{ b }', null);
    expect(cache.get('{ a }')).toBe('A');
    expect(cache.get('{ b }')).toBeNull();
    expect(cache.get('{ c }')).toBeUndefined();
  });

  it('starts afresh when one more text would pass the count of texts', () => {
    const cache = new QueryTextCache<number>(3, 1_000);
    for (const text of ['q1', 'q2', 'q3']) cache.set(text, text.length);
    expect(cache.get('q3')).toBe(2);
    cache.set('q4', 2);
    expect(['q1', 'q2', 'q3', 'q4'].map((text) => cache.get(text))).toEqual([undefined, undefined, undefined, 2]);
  });

  it('starts afresh when one more text would pass the characters allowed, counting a text set again once', () => {
    const cache = new QueryTextCache<string>(100, 10);
    cache.set('abcd', 'first');
    cache.set('abcd', 'again');
    cache.set('efgh', 'second');
    expect([cache.get('abcd'), cache.get('efgh')]).toEqual(['again', 'second']);
    cache.set('ijk', 'third');
    expect([cache.get('abcd'), cache.get('efgh'), cache.get('ijk')]).toEqual([undefined, undefined, 'third']);
  });
});
