import { describe, expect, it } from 'vitest';
import { authenticate, hashToken, requireRole } from '../../src/api/auth.js';
import { loadApiConfig } from '../../src/api/config.js';
import { categoriesWithPaths } from '../../src/api/categories.js';
import { decodeCursor, encodeCursor } from '../../src/api/limits.js';
import { CatalogueSnapshot, scoreProducts } from '../../src/ranking/catalogueSnapshot.js';
import { compileFilter } from '../../src/ranking/filter.js';
import { toLuceneQuery } from '../../src/ranking/lucene.js';
import { buildProfile } from '../../src/ranking/profile.js';

/** Pure parts of the API and the ranking, without a database. */

describe('toLuceneQuery', () => {
  it('escapes every special character and disarms the operators', () => {
    expect(toLuceneQuery('Running  Shoes')).toBe('running shoes');
    expect(toLuceneQuery('title:x* AND (a || b) "c" ~2 [d TO e] f\\ g/h !i ^j {k} -l +m ?n')).toBe(
      'title\\:x\\* and \\(a b\\) \\"c\\" \\~2 \\[d to e\\] f\\\\ g\\/h \\!i \\^j \\{k\\} \\-l \\+m \\?n',
    );
    expect(toLuceneQuery('  && || !! ')).toBeNull();
    expect(toLuceneQuery('')).toBeNull();
  });
});

describe('API configuration', () => {
  it('reads tokens as SHA-256 hashes with roles, and names the variable when wrong', () => {
    const hash = hashToken('secret');
    const config = loadApiConfig({ KGREC_API_TOKENS: JSON.stringify({ [hash.toUpperCase()]: 'merchandiser' }), KGREC_API_PUBLIC_READS: 'no', KGREC_API_PORT: '8080' });
    expect(config.tokens).toEqual({ [hash]: 'merchandiser' });
    expect(config.publicReads).toBe(false);
    expect(config.port).toBe(8080);
    expect(config.production).toBe(false);
    expect(() => loadApiConfig({ KGREC_API_TOKENS: '{"abc": "frontend"}' })).toThrow(/KGREC_API_TOKENS.*64 hex/);
    expect(() => loadApiConfig({ KGREC_API_TOKENS: JSON.stringify({ [hash]: 'root' }) })).toThrow(/KGREC_API_TOKENS.*roles are frontend, merchandiser, admin/);
    expect(() => loadApiConfig({ KGREC_API_TOKENS: 'not json' })).toThrow(/KGREC_API_TOKENS/);
    expect(() => loadApiConfig({ KGREC_API_PRODUCTION: 'maybe' })).toThrow(/KGREC_API_PRODUCTION: expected true or false/);
  });
});

describe('authentication', () => {
  const tokens = { [hashToken('t-front')]: 'frontend', [hashToken('t-admin')]: 'admin' } as const;
  it('maps Bearer tokens to roles and orders the roles', () => {
    expect(authenticate(undefined, tokens)).toBeNull();
    const admin = authenticate('Bearer t-admin', tokens);
    expect(admin?.role).toBe('admin');
    expect(() => authenticate('Bearer nope', tokens)).toThrow(/unknown token/);
    expect(() => requireRole(authenticate('bearer t-front', tokens), 'merchandiser', 'x')).toThrow(/needs role merchandiser/);
    expect(requireRole(admin, 'merchandiser', 'x')).toBe(admin);
  });
});

describe('cursors and category paths', () => {
  it('round-trips cursors and refuses foreign ones', () => {
    expect(decodeCursor('after', encodeCursor('p-1'))).toBe('p-1');
    expect(() => decodeCursor('after', 'abc')).toThrow(/after: not a cursor/);
  });

  it('builds root-first paths whatever the order of the rows', () => {
    const paths = categoriesWithPaths([
      { id: 'c', name: 'C', parentId: 'b' },
      { id: 'a', name: 'A', parentId: null },
      { id: 'b', name: 'B', parentId: 'a' },
    ]);
    expect(paths.find((category) => category.id === 'c')?.path.map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('popularity and interest', () => {
  const categories = [
    { id: 'shoes', name: 'Shoes', parentId: null },
    { id: 'running', name: 'Running shoes', parentId: 'shoes' },
    { id: 'trail', name: 'Trail shoes', parentId: 'shoes' },
    { id: 'socks', name: 'Socks', parentId: null },
  ];
  const row = (id: string, categoryId: string, popularity: number, price = 10) => ({ id, title: id, categoryId, brandId: 'fleet', price, inStock: true, popularity, recentPopularity: popularity, purchases: 0 });
  const snapshot = new CatalogueSnapshot(
    scoreProducts([row('r1', 'running', 100), row('r2', 'running', 10), row('t1', 'trail', 50, 80), row('s1', 'socks', 1)]),
    categories,
    new Map([['fleet', 'Fleet']]),
    0,
  );

  it('compresses popularity to 0..1 and ranks within categories', () => {
    expect(snapshot.byId.get('r1')?.popularityScore).toBe(1);
    expect(snapshot.byId.get('s1')?.popularityScore).toBeGreaterThan(0.1); // the long tail is not crushed to 0.01
    expect(snapshot.byId.get('r2')?.categoryRank).toBe(2);
  });

  it('filters by category subtree and price', () => {
    const accept = compileFilter({ categoryId: 'shoes', maxPrice: 50 }, snapshot);
    expect(snapshot.products.filter(accept).map((product) => product.id).sort()).toEqual(['r1', 'r2']);
  });

  it('derives interest from behaviour, passing some of it to sibling categories, and describes it', () => {
    const profile = buildProfile(
      [
        { productId: 'r2', relationship: 'VIEWED', count: 3, firstAt: 0, lastAt: 1000 },
        { productId: 'r1', relationship: 'VIEWED', count: 1, firstAt: 0, lastAt: 1000 },
        { productId: 'r1', relationship: 'PURCHASED', count: 1, firstAt: 1000, lastAt: 1000 },
      ],
      snapshot,
    );
    expect(profile.purchased.has('r1')).toBe(true);
    expect(profile.categoryInterest('running', snapshot)?.score).toBe(1);
    expect(profile.categoryInterest('trail', snapshot)?.score).toBe(0.5);
    expect(profile.categoryInterest('socks', snapshot)).toBeNull();
    expect(profile.describeBrand('fleet', 'Fleet')).toBe('you bought 1 product of Fleet');
    expect(profile.describeCategory('running', 'Running shoes')).toBe('you bought 1 product in Running shoes');
  });
});
