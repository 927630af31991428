import { describe, expect, it } from 'vitest';
import { singular, tokenize } from '../../src/text/tokenize.js';
import { selectProductTerms } from '../../src/text/vocabulary.js';

describe('tokenize', () => {
  it('lower-cases, folds accents and plurals, and drops stop words, digits and one-letter tokens', () => {
    expect(tokenize('The Crème Brûlée Dishes, with 2 handles & a lid — for X-mas!')).toEqual(['creme', 'brulee', 'dish', 'handle', 'lid', 'mas']);
  });

  it('folds only the plurals that are safe to fold', () => {
    expect(['shoes', 'batteries', 'boxes', 'glasses', 'dress', 'cactus', 'bus', 'kits'].map(singular)).toEqual([
      'shoe', 'battery', 'box', 'glasses', 'dress', 'cactus', 'bus', 'kit',
    ]);
  });

  it('makes a query meet the title it was typed for', () => {
    expect(tokenize('trail running shoes')).toEqual(tokenize('Trail Running Shoe'));
  });
});

describe('selectProductTerms', () => {
  const products = [
    { id: 'a', title: 'Trail shoe', description: 'Grippy sole' },
    { id: 'b', title: 'Trail shoe', description: 'Light and grippy' },
    { id: 'c', title: 'Road shoe', description: 'Light' },
    { id: 'd', title: 'Kettle', description: 'Unique teapot' },
    { id: 'e', title: 'Kettle', description: 'Steel' },
  ];

  it('keeps the terms that connect products and drops those carried by one product or by too many', () => {
    const { products: terms, documentFrequency } = selectProductTerms(products, { minProducts: 2, maxShare: 0.6 });
    expect(Object.fromEntries(terms.map((product) => [product.id, product.terms]))).toEqual({
      a: ['trail', 'shoe', 'grippy'],
      b: ['trail', 'shoe', 'light', 'grippy'],
      c: ['shoe', 'light'],
      d: ['kettle'],
      e: ['kettle'],
    });
    expect(documentFrequency.get('shoe')).toBe(3);
    expect(documentFrequency.has('teapot')).toBe(false);
  });

  it('drops a term carried by more than the allowed share of products', () => {
    const { documentFrequency } = selectProductTerms(products, { minProducts: 2, maxShare: 0.4 });
    expect(documentFrequency.has('shoe')).toBe(false);
    expect(documentFrequency.get('kettle')).toBe(2);
  });
});
