import type { Graph } from '../graph/graph.js';
import { readProductTexts, writeProductTerms } from '../graph/termWrites.js';
import { selectProductTerms, type VocabularyOptions } from '../text/vocabulary.js';

export interface TermRefreshResult {
  products: number;
  /** Products whose terms were rewritten. */
  changed: number;
  vocabulary: number;
  /** HAS_TERM links in all. */
  links: number;
}

/** Recomputes the terms of every product from its text and brings the graph's HAS_TERM links up to date. */
export async function refreshProductTerms(graph: Graph, options: VocabularyOptions = {}): Promise<TermRefreshResult> {
  const texts = await readProductTexts(graph);
  const { products, documentFrequency } = selectProductTerms(texts, options);
  const { changed } = await writeProductTerms(graph, products);
  return { products: products.length, changed, vocabulary: documentFrequency.size, links: products.reduce((sum, product) => sum + product.terms.length, 0) };
}
