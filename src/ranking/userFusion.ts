import type { ProfileRow } from '../graph/shopReads.js';
import { fuse, staticBase, type FusedScores } from './fusionKernel.js';
import { recommendSignals, type UserSignals } from './recommendSignals.js';
import type { RankingState } from './rankingState.js';

/**
 * One user's fused `recommend` scores over the whole catalogue (by snapshot index), before rules: the
 * state's signals of non-zero weight, standardised over the catalogue and summed with the state's
 * weights. The ranker serves from it and offline evaluation ranks with it, so that the figures measured
 * are those of the ranking served.
 */
export function fuseForUser(state: RankingState, userId: string, rows: readonly ProfileRow[]): UserSignals & { fused: FusedScores } {
  const user = recommendSignals(state, userId, rows, state.weightedSignals, { grouped: true });
  const scores = fuse(user.signals, state.weights, state.snapshot.products.length, { grouped: user.grouped, base: staticBase(state) });
  return { ...user, fused: { scores, signals: user.signals, grouped: user.grouped, weights: state.weights, raw: [] } };
}
