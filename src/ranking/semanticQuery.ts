import { tokenize } from '../text/tokenize.js';
import type { ModelVectors } from './modelVectors.js';
import { addScaled, scale } from './vectorMath.js';

/**
 * A search query as a point in product space: each query term the model knows points to where products
 * carrying it sit (term − r_HAS_TERM), and the query is their mean. A word the model has not seen is
 * replaced by the closest known term within a small edit distance ("sneker" → "sneaker"), so typos and
 * spelling variants still land somewhere sensible.
 */

export interface SemanticQuery {
  vector: Float32Array;
  /** The model terms used, after typo correction: what explanations quote. */
  terms: string[];
}

/** Edits allowed per word length: none for short words (too many near neighbours), one up to 7 letters, two beyond. */
const maxEdits = (length: number): number => (length < 4 ? 0 : length <= 7 ? 1 : 2);

export class TermIndex {
  private readonly known: Set<string>;
  private readonly byLength = new Map<number, string[]>();

  constructor(readonly model: ModelVectors) {
    this.known = new Set(model.terms);
    for (const term of model.terms) {
      const bucket = this.byLength.get(term.length) ?? [];
      bucket.push(term);
      this.byLength.set(term.length, bucket);
    }
  }

  /** The known term for a query word: itself, its nearest spelling within the allowed edits, or null. */
  resolve(word: string): string | null {
    if (this.known.has(word)) return word;
    const allowed = maxEdits(word.length);
    let best: string | null = null;
    let bestDistance = allowed + 1;
    for (let length = word.length - allowed; length <= word.length + allowed; length += 1) {
      for (const term of this.byLength.get(length) ?? []) {
        const distance = boundedLevenshtein(word, term, bestDistance - 1);
        if (distance < bestDistance || (distance === bestDistance && best !== null && term < best)) {
          best = term;
          bestDistance = distance;
        }
      }
    }
    return bestDistance <= allowed ? best : null;
  }

  embed(query: string): SemanticQuery | null {
    const vector = new Float32Array(this.model.dimension);
    const terms: string[] = [];
    for (const word of new Set(tokenize(query))) {
      const term = this.resolve(word);
      const point = term === null ? null : this.model.productPointFor('Term', term, 'HAS_TERM');
      if (!point || term === null) continue;
      addScaled(vector, point, 1);
      terms.push(term);
    }
    return terms.length === 0 ? null : { vector: scale(vector, 1 / terms.length), terms };
  }
}

/**
 * Levenshtein distance, giving up (returning limit + 1) once every path exceeds `limit`. Hand-written
 * because it runs against a whole vocabulary per unknown word and the early exit is what keeps that cheap.
 */
export function boundedLevenshtein(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] as number;
}
