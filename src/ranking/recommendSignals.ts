import type { ProfileRow } from '../graph/shopReads.js';
import { scoreFromNeighbours } from './itemNeighbours.js';
import { buildProfile, type UserProfile } from './profile.js';
import type { RankingState } from './rankingState.js';
import { historyOf, userQueryVector, type HistoryItem } from './userVector.js';

/**
 * Every signal of `recommend` for one user, over the whole catalogue (one Float32Array per signal, by
 * snapshot index). The same function serves requests and offline evaluation, so the weights fitted
 * offline mean the same thing online.
 */

export type Signals = Partial<Record<string, Float32Array>>;

export interface UserSignals {
  signals: Signals;
  profile: UserProfile;
  history: HistoryItem[];
  /** Whether the model placed the user (trained vector or history). */
  placed: boolean;
  /** For each product, the user's product that contributed most to its co-purchase signal (−1: none). */
  coBoughtSource: Int32Array;
}

/** `only` limits the work to the named signals (offline evaluation of one signal alone). */
export function recommendSignals(state: RankingState, userId: string, rows: readonly ProfileRow[], only?: ReadonlySet<string>): UserSignals {
  const wanted = (name: string): boolean => only === undefined || only.has(name);
  const { snapshot } = state;
  const n = snapshot.products.length;
  const profile = buildProfile(rows, snapshot);
  const history = historyOf(rows, state);
  const signals: Signals = {};
  const query = userQueryVector(state, userId, history);
  if (query && state.space && wanted('graph')) state.space.score(query, (signals.graph = new Float32Array(n)));
  const coBoughtSource = new Int32Array(n).fill(-1);
  if (history.length > 0) {
    if (wanted('coBought')) scoreFromNeighbours(state.neighbours, history, (signals.coBought = new Float32Array(n)), coBoughtSource, new Float32Array(n));
    if (wanted('related')) signals.related = relatedScores(state, history);
    if (state.textSpace && wanted('text')) signals.text = state.textSpace.scoreHistory(history);
    if (wanted('category')) signals.category = categoryScores(state, profile);
    if (wanted('brand')) signals.brand = brandScores(state, profile);
  }
  signals.popularity = state.popularity;
  signals.recency = state.recency;
  return { signals, profile, history, placed: query !== null, coBoughtSource };
}

/** Merchandiser relations from the given products: the relation's weight times the product's. */
export function relatedScores(state: RankingState, history: readonly { index: number; weight: number }[]): Float32Array {
  const out = new Float32Array(state.snapshot.products.length);
  for (const item of history) for (const link of state.links.byProduct[item.index] ?? []) out[link.index] = (out[link.index] as number) + item.weight * link.weight;
  return out;
}

export function categoryScores(state: RankingState, profile: UserProfile): Float32Array {
  return gather(profile.categoryInterestByIndex(state.snapshot), state.categoryIndex);
}

function brandScores(state: RankingState, profile: UserProfile): Float32Array {
  return gather(profile.brandInterestByIndex(state.snapshot), state.brandIndex);
}

/** out[i] = values[index[i]] (0 for index −1): a plain loop, far faster than TypedArray.from with a callback. */
function gather(values: Float64Array, index: Int32Array): Float32Array {
  const out = new Float32Array(index.length);
  for (let i = 0; i < index.length; i += 1) {
    const at = index[i] as number;
    if (at >= 0) out[i] = values[at] as number;
  }
  return out;
}
