import type { ProfileRow } from '../graph/shopReads.js';
import { scoreFromNeighbours } from './itemNeighbours.js';
import { spreadGroups, type GroupedSignal } from './groupedSignal.js';
import { rememberSparseMoments } from './signalMoments.js';
import { buildProfile, type UserProfile } from './profile.js';
import type { RankingState } from './rankingState.js';
import { kgScores } from './kgIndex.js';
import { kgInterestScores } from './kgInterest.js';
import { itemItemScores } from './itemItemSignal.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';
import { historyOf, userQueryVector, type HistoryItem } from './userVector.js';

/**
 * Every signal of `recommend` for one user, over the whole catalogue (one Float32Array per signal, by
 * snapshot index). The same function serves requests and offline evaluation, so the weights fitted
 * offline mean the same thing online.
 */

export type Signals = Partial<Record<string, Float32Array>>;
/** Signals given per category or brand (category and brand interest), when asked for grouped. */
export type GroupedSignals = Partial<Record<string, GroupedSignal>>;

export interface UserSignals {
  signals: Signals;
  /** The per-group signals, when asked for `grouped` (else they are spread into `signals`). */
  grouped: GroupedSignals;
  profile: UserProfile;
  history: HistoryItem[];
  /** Whether the model placed the user (trained vector or history). */
  placed: boolean;
}

/**
 * `only` limits the work to the named signals (offline evaluation of one signal alone). `grouped` keeps
 * the category and brand interest per group (the request path, which fuses them through a table);
 * offline evaluation reads every signal spread over the catalogue.
 */
export function recommendSignals(
  state: RankingState,
  userId: string,
  rows: readonly ProfileRow[],
  only?: ReadonlySet<string>,
  options: { grouped?: boolean; scores?: ScoreAllocator } = {},
): UserSignals {
  const scores = options.scores ?? freshScores;
  const wanted = (name: string): boolean => only === undefined || only.has(name);
  const { snapshot } = state;
  const n = snapshot.products.length;
  const { profile, history, query } = userBasis(state, userId, rows);
  const signals: Signals = {};
  const grouped: GroupedSignals = {};
  if (query && state.space && wanted('graph')) state.space.score(query, (signals.graph = scores(n)));
  if (history.length > 0) {
    // Both are sparse: their moments come from the products they reached, not a pass over the catalogue.
    if (wanted('coBought')) {
      const touched: number[] = [];
      scoreFromNeighbours(state.neighbours, history, (signals.coBought = scores(n)), touched);
      rememberSparseMoments(signals.coBought, touched);
    }
    if (wanted('related')) signals.related = relatedScores(state, history, scores);
    if (state.kg && wanted('kg')) signals.kg = kgScores(state.kg, history, n, scores);
    // The user's category interest, taken once: it gates kgInterest and is the category signal.
    let categories: GroupedSignal | null = null;
    const categoryGroups = (): GroupedSignal => (categories ??= categoryInterest(state, profile));
    if (state.kg && wanted('kgInterest')) {
      const gate = state.snapshot.categoryIds.length > 0 ? categoryGroups() : null;
      signals.kgInterest = kgInterestScores(state.kg, history, n, scores, gate);
    }
    if (state.itemItem && wanted('itemItem')) signals.itemItem = itemItemScores(state.itemItem, history, n, scores);
    if (state.textSpace && wanted('text')) signals.text = state.textSpace.scoreHistory(history, scores);
    for (const [name, signal] of [
      ['category', categoryGroups],
      ['brand', () => brandInterest(state, profile)],
    ] as const) {
      if (!wanted(name)) continue;
      if (options.grouped) grouped[name] = signal();
      else signals[name] = spreadGroups(signal());
    }
  }
  signals.popularity = state.popularity;
  signals.recency = state.recency;
  return { signals, grouped, profile, history, placed: query !== null };
}

export interface UserBasis {
  profile: UserProfile;
  history: HistoryItem[];
  /** The user's point in the model's space (null: not placed). */
  query: Float32Array | null;
}

/**
 * What a basis is derived from besides the user's rows: the products' positions (`indexOf`), their
 * categories and brands (the snapshot's catalogue, which comes with a new `indexOf` whenever it changes)
 * and the model's rows. A reload that only moves popularity keeps all three (refreshRankingState), so
 * the bases derived before it stay good; any other reload brings new ones.
 */
type BasisInputs = Pick<RankingState, 'indexOf' | 'model' | 'space'>;

const sameInputs = (a: BasisInputs, b: BasisInputs): boolean => a.indexOf === b.indexOf && a.model === b.model && a.space === b.space;

/**
 * Keyed by the rows array: the profile cache hands out the same array for a user until their behaviour
 * changes, so a user's basis is derived once per ranking state (and kept across reloads that only move
 * popularity) instead of on every request. Deriving every shopper's basis again right after each reload
 * would hold the ranking thread for a burst of requests. Callers only read it. Rows read anew (no cache)
 * simply miss.
 */
const bases = new WeakMap<readonly ProfileRow[], UserBasis & { inputs: BasisInputs; userId: string }>();

/** The user's profile, weighted history and point in the graph's space: all that their rows say. */
export function userBasis(state: RankingState, userId: string, rows: readonly ProfileRow[]): UserBasis {
  const known = bases.get(rows);
  if (known && sameInputs(known.inputs, state) && known.userId === userId) return known;
  const profile = buildProfile(rows, state.snapshot);
  const history = historyOf(rows, state);
  const inputs = { indexOf: state.indexOf, model: state.model, space: state.space };
  const basis = { inputs, userId, profile, history, query: userQueryVector(state, userId, history) };
  bases.set(rows, basis);
  return basis;
}

/**
 * Merchandiser relations from the given products: the relation's weight times the product's. The
 * signal's moments are taken from the products it reached.
 */
export function relatedScores(state: RankingState, history: readonly { index: number; weight: number }[], scores: ScoreAllocator = freshScores): Float32Array {
  const out = scores(state.snapshot.products.length);
  const reached = new Set<number>();
  for (const item of history) {
    for (const link of state.links.byProduct[item.index] ?? []) {
      out[link.index] = (out[link.index] as number) + item.weight * link.weight;
      reached.add(link.index);
    }
  }
  rememberSparseMoments(out, [...reached]);
  return out;
}

/**
 * A user's category and brand interest over the snapshot's categories and brands, kept with their profile
 * (itself kept with their rows, userBasis) until the snapshot changes: a shopper's requests in a row then
 * share the arrays and the moments remembered for them, where each request used to spend some 6 % of the
 * ranking thread's time building them again (a CPU profile of the soak).
 */
const interestsByProfile = new WeakMap<UserProfile, { snapshot: RankingState['snapshot']; category: GroupedSignal; brand: GroupedSignal }>();

function interestSignals(state: RankingState, profile: UserProfile): { category: GroupedSignal; brand: GroupedSignal } {
  const known = interestsByProfile.get(profile);
  if (known && known.snapshot === state.snapshot) return known;
  const signals = {
    snapshot: state.snapshot,
    category: { values: profile.categoryInterestByIndex(state.snapshot), groupOf: state.categoryIndex },
    brand: { values: profile.brandInterestByIndex(state.snapshot), groupOf: state.brandIndex },
  };
  interestsByProfile.set(profile, signals);
  return signals;
}

/** The user's interest in each product's category (its own or an ancestor's, discounted). Callers only read it. */
export function categoryInterest(state: RankingState, profile: UserProfile): GroupedSignal {
  return interestSignals(state, profile).category;
}

export function brandInterest(state: RankingState, profile: UserProfile): GroupedSignal {
  return interestSignals(state, profile).brand;
}
