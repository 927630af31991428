import type { ProfileRow } from '../graph/shopReads.js';
import { fuse, staticBase, type FusedScores } from './fusionKernel.js';
import { DEFAULT_HIDE_PENALTY, penaliseNearHidden } from './hidePenalty.js';
import { recommendSignals, type UserSignals } from './recommendSignals.js';
import type { RankingState } from './rankingState.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';

/**
 * One user's fused `recommend` scores over the whole catalogue (by snapshot index), before rules: the
 * state's signals of non-zero weight, standardised over the catalogue and summed with the state's
 * weights; then the neighbours of the products the user hid lose `hidePenalty` and the hidden products
 * themselves are −Infinity. The ranker serves from it and offline evaluation ranks with it, so that the
 * figures measured are those of the ranking served.
 */
export function fuseForUser(
  state: RankingState,
  userId: string,
  rows: readonly ProfileRow[],
  hidePenalty = DEFAULT_HIDE_PENALTY,
  allocate: ScoreAllocator = freshScores,
): UserSignals & { fused: FusedScores } {
  const user = recommendSignals(state, userId, rows, state.weightedSignals, { grouped: true, scores: allocate });
  const scores = fuse(user.signals, state.weights, state.snapshot.products.length, { grouped: user.grouped, base: staticBase(state), scores: allocate });
  const hidden = [...user.profile.hidden].flatMap((id) => state.indexOf.get(id) ?? []);
  penaliseNearHidden(scores, state.neighbours, hidden, hidePenalty);
  for (const index of hidden) scores[index] = Number.NEGATIVE_INFINITY;
  // Named rather than spread (decision 0017): this object is made once per request.
  const { signals, grouped, profile, history, placed } = user;
  return { signals, grouped, profile, history, placed, fused: { scores, signals, grouped, weights: state.weights, raw: [] } };
}
