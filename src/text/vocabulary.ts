import { distinctTerms } from './tokenize.js';

/**
 * Chooses which terms of the product texts enter the knowledge graph. A term carried by a single product
 * links it to nothing, and a term carried by a large share of the catalogue links everything to
 * everything; both only add triples for TransE to fit. What is left are the words that group products
 * the way shoppers search for them.
 */

export interface VocabularyOptions {
  /** A term must appear in at least this many products (default 2: a term must connect something). */
  minProducts?: number;
  /** ...and in at most this share of them (default 0.2: beyond that it works like a stop word). */
  maxShare?: number;
  /** At most this many terms per product, title terms first (default 24: titles and a short description). */
  maxTermsPerProduct?: number;
}

export const DEFAULT_VOCABULARY_OPTIONS: Required<VocabularyOptions> = { minProducts: 2, maxShare: 0.2, maxTermsPerProduct: 24 };

export interface ProductText {
  id: string;
  title: string;
  description?: string | null;
}

export interface ProductTerms {
  id: string;
  terms: string[];
}

/** The kept terms of every product, with the vocabulary's size and the document frequency of each term. */
export function selectProductTerms(
  products: readonly ProductText[],
  options: VocabularyOptions = {},
): { products: ProductTerms[]; documentFrequency: Map<string, number> } {
  const { minProducts, maxShare, maxTermsPerProduct } = { ...DEFAULT_VOCABULARY_OPTIONS, ...options };
  const candidates = products.map((product) => ({ id: product.id, terms: distinctTerms(`${product.title} ${product.description ?? ''}`) }));
  const frequency = new Map<string, number>();
  for (const product of candidates) for (const term of product.terms) frequency.set(term, (frequency.get(term) ?? 0) + 1);
  const maxProducts = Math.max(minProducts, Math.floor(maxShare * products.length));
  const kept = new Map<string, number>();
  for (const [term, count] of frequency) if (count >= minProducts && count <= maxProducts) kept.set(term, count);
  return {
    products: candidates.map((product) => ({ id: product.id, terms: product.terms.filter((term) => kept.has(term)).slice(0, maxTermsPerProduct) })),
    documentFrequency: kept,
  };
}
