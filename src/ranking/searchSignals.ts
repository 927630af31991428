import type { ScoredId } from '../graph/shopReads.js';
import { topIndices } from '../math/topK.js';
import { queryCategoryScores } from './queryCategories.js';
import { brandInterest, categoryInterest, type GroupedSignals, type Signals, type UserBasis } from './recommendSignals.js';
import type { RankingState } from './rankingState.js';
import type { SemanticQuery } from './semanticQuery.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';

/**
 * The signals of `search` over the whole catalogue, and the products it may return. What the query
 * says: its full-text (BM25) matches, its meaning in the graph's space, the categories it names, and
 * what sells. What the shopper adds when known: their point in the graph's space, their category and
 * brand interest, and the texts of what they engaged with.
 */

export const SEARCH_SIGNALS = ['lexical', 'semantic', 'queryCategory', 'popularity', 'graph', 'category', 'brand', 'text'] as const;
export type SearchSignal = (typeof SEARCH_SIGNALS)[number];
export type SearchWeights = Readonly<Record<SearchSignal, number>>;

/** The signals that depend on the shopper: absent from a search without a user. */
export const SHOPPER_SIGNALS: readonly SearchSignal[] = ['graph', 'category', 'brand', 'text'];

/**
 * Fitted on the validation sessions of the demo shop's search evaluation (`kgrec eval --search --demo`,
 * coordinate ascent on NDCG@10; the query's signals first without a user, then the shopper's), never on
 * its test sessions: docs/decisions/0020-search-evaluation.md.
 */
export const DEFAULT_SEARCH_WEIGHTS: SearchWeights = { lexical: 1, semantic: 0.2, queryCategory: 1.5, popularity: 0.35, graph: 0.35, category: 0, brand: 0.05, text: 0 };

/** Fused as they are (a match or not, a share of a name), not standardised: their zeros mean "no match". */
export const RAW_SEARCH_SIGNALS: readonly SearchSignal[] = ['lexical', 'queryCategory'];

/** Semantic neighbours of a query added to its full-text matches: words only the product's neighbours carry. */
const SEMANTIC_CANDIDATES = 50;

export interface SearchSignalSet {
  signals: Signals;
  grouped: GroupedSignals;
  /** Products the search may return: full-text matches, semantic neighbours, products of a named category. */
  candidates: Set<number>;
  /** The query through TransE term vectors (null with a sentence encoder, or when no word is known). */
  semantic: SemanticQuery | null;
}

export async function searchSignals(
  state: RankingState,
  text: string,
  matches: readonly ScoredId[],
  basis: UserBasis | null,
  weights: SearchWeights,
  scores: ScoreAllocator = freshScores,
): Promise<SearchSignalSet> {
  const { snapshot } = state;
  const n = snapshot.products.length;
  const signals: Signals = { popularity: state.popularity };
  const candidates = new Set<number>();
  // BM25 is unbounded and query-dependent; relative to the best match it compares across queries.
  const lexical = (signals.lexical = scores(n));
  const best = matches.reduce((max, match) => Math.max(max, match.score), 0);
  for (const match of matches) {
    const index = state.indexOf.get(match.id);
    if (index === undefined) continue;
    lexical[index] = best > 0 ? match.score / best : 0;
    candidates.add(index);
  }
  // A configured sentence encoder reads the whole query; else its words are embedded through TransE term vectors.
  const encoder = state.textEncoder;
  const semantic = encoder ? null : (state.terms?.embed(text) ?? null);
  if (encoder) {
    signals.semantic = await encoder.scoreQuery(text, scores);
    for (const index of topIndices(signals.semantic, SEMANTIC_CANDIDATES, (i) => encoder.hasText[i] === 1)) candidates.add(index);
  } else if (semantic && state.space) {
    state.space.score(semantic.vector, (signals.semantic = scores(n)));
    for (const index of topIndices(signals.semantic, SEMANTIC_CANDIDATES, () => true)) candidates.add(index);
  }
  if (weights.queryCategory !== 0) {
    const named = queryCategoryScores(snapshot, state.categoryIndex, text, scores);
    if (named) {
      signals.queryCategory = named;
      for (let i = 0; i < n; i += 1) if ((named[i] as number) > 0) candidates.add(i);
    }
  }
  const grouped: GroupedSignals = {};
  if (basis) {
    if (basis.query && state.space && weights.graph !== 0) state.space.score(basis.query, (signals.graph = scores(n)));
    if (weights.category !== 0) grouped.category = categoryInterest(state, basis.profile);
    if (weights.brand !== 0) grouped.brand = brandInterest(state, basis.profile);
    if (state.textSpace && basis.history.length > 0 && weights.text !== 0) signals.text = state.textSpace.scoreHistory(basis.history, scores);
  }
  return { signals, grouped, candidates, semantic };
}
