/**
 * Search quality over sessions with one bought product each: NDCG@K (1 / log2(rank + 1) when the product
 * is in the top K, the ideal being 1) and MRR (1 / rank within the list, 0 when absent), means over the
 * sessions; and a coordinate ascent over search weights on validation sessions.
 */
import { SEARCH_SIGNALS, type SearchSignal, type SearchWeights } from '../ranking/searchSignals.js';

export interface SearchMetrics {
  /** Keys `ndcg@K`, `mrr` and `hitrate@K`. */
  [metric: string]: number;
}

/** The metrics of ranked lists (product ids, best first) against each session's product. */
export function searchMetrics(lists: readonly (readonly string[])[], targets: readonly string[], k: number): SearchMetrics {
  if (lists.length !== targets.length) throw new RangeError(`searchMetrics: ${lists.length} lists for ${targets.length} sessions`);
  let ndcg = 0;
  let mrr = 0;
  let hits = 0;
  lists.forEach((list, session) => {
    const rank = list.indexOf(targets[session] as string) + 1;
    if (rank === 0) return;
    mrr += 1 / rank;
    if (rank <= k) {
      ndcg += 1 / Math.log2(rank + 1);
      hits += 1;
    }
  });
  const n = Math.max(1, lists.length);
  return { [`ndcg@${k}`]: ndcg / n, mrr: mrr / n, [`hitrate@${k}`]: hits / n };
}

/** Values a weight takes in a line search (relative to lexical's fixed 1: the fusion is scale-invariant). */
export const SEARCH_WEIGHT_GRID: readonly number[] = [0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5];
/** Most rounds of line searches over the free weights. */
const MAX_ROUNDS = 3;
/** A round that gains less than this ends the search. */
const TOLERANCE = 1e-4;

export interface SearchWeightFit {
  weights: SearchWeights;
  /** The objective at the start and at the end. */
  startScore: number;
  score: number;
  trials: number;
}

/**
 * Coordinate ascent (as src/eval/fitFusionWeights.ts does for recommend, here over sessions rather than
 * users): each free weight in turn takes the grid value that maximises `objective` with the others held,
 * until a round gains nothing. Ties keep the current value, so a weight moves only for a real gain.
 */
export async function fitSearchWeights(start: SearchWeights, free: readonly SearchSignal[], objective: (weights: SearchWeights) => Promise<number>): Promise<SearchWeightFit> {
  for (const signal of free) if (!SEARCH_SIGNALS.includes(signal)) throw new RangeError(`fitSearchWeights: unknown signal ${signal}`);
  let weights = { ...start };
  const startScore = await objective(weights);
  let score = startScore;
  let trials = 1;
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const before = score;
    for (const signal of free) {
      for (const value of SEARCH_WEIGHT_GRID) {
        if (value === weights[signal]) continue;
        const trial = { ...weights, [signal]: value };
        const trialScore = await objective(trial);
        trials += 1;
        if (trialScore > score) {
          score = trialScore;
          weights = trial;
        }
      }
    }
    if (score - before < TOLERANCE) break;
  }
  return { weights, startScore, score, trials };
}
