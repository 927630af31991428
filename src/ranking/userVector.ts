import { HIDDEN_RELATIONSHIP } from '../domain/behaviours.js';
import type { ProfileRow } from '../graph/shopReads.js';
import { ageAt, decayReference } from './decay.js';
import type { RankingState } from './rankingState.js';
import { addScaled, scale } from './vectorMath.js';
import { BEHAVIOUR_WEIGHTS, INTEREST_HALF_LIFE_MS } from './weights.js';

/**
 * Where a user stands in the model's space, now. TransE learns user + r ≈ product for each behaviour r,
 * so every behaviour is evidence of the user's point: product − r. The trained user vector sums up the
 * behaviour before training; behaviour since then (and everything, for a user the model never saw) is
 * blended in at once, weighted by what kind of behaviour it was and how recent. The result is the
 * point + r_PURCHASED: where the products they would buy sit.
 */

/** How many behaviours' worth of evidence the trained vector counts as: new events move it, a few do not overturn it. */
export const TRAINED_VECTOR_WEIGHT = 8;

export interface HistoryItem {
  /** Snapshot index of the product. */
  index: number;
  relationship: string;
  /** Behaviour weight × count × recency decay: how much this product says about the user now. */
  weight: number;
  lastAt: number;
}

/** The user's behaviours on products of the snapshot, strongest first. */
export function historyOf(rows: readonly ProfileRow[], state: RankingState, now = Date.now()): HistoryItem[] {
  const tau = INTEREST_HALF_LIFE_MS / Math.LN2;
  const latest = decayReference(rows.map((row) => Number(row.lastAt)), now);
  const items: HistoryItem[] = [];
  for (const row of rows) {
    const index = state.indexOf.get(row.productId);
    // Hidden products are negative evidence (src/ranking/hidePenalty.ts), not history to build on.
    if (index === undefined || row.relationship === HIDDEN_RELATIONSHIP) continue;
    const lastAt = Number(row.lastAt);
    const weight = (BEHAVIOUR_WEIGHTS[row.relationship] ?? 0) * Math.log1p(Number(row.count)) * Math.exp(-ageAt(latest, lastAt) / tau);
    items.push({ index, relationship: row.relationship, weight, lastAt });
  }
  return items.sort((a, b) => b.weight - a.weight);
}

/** The query vector user + r_PURCHASED, or null when neither the model nor the history places the user. */
export function userQueryVector(state: RankingState, userId: string, history: readonly HistoryItem[]): Float32Array | null {
  const { model, space } = state;
  if (!model || !space) return null;
  const purchase = model.relation('PURCHASED');
  if (!purchase) return null;
  const trained = model.entity('User', userId);
  const point = new Float32Array(model.dimension);
  let total = 0;
  if (trained) {
    addScaled(point, trained, TRAINED_VECTOR_WEIGHT);
    total += TRAINED_VECTOR_WEIGHT;
  }
  for (const item of history) {
    // A trained user's older behaviour is already in their vector.
    if (trained && item.lastAt <= model.trainedAt) continue;
    const relation = model.relation(item.relationship);
    if (!relation || item.weight <= 0) continue;
    const product = space.row(item.index);
    for (let k = 0; k < point.length; k += 1) point[k] = (point[k] as number) + item.weight * ((product[k] as number) - (relation[k] as number));
    total += item.weight;
  }
  if (total === 0) return null;
  scale(point, 1 / total);
  addScaled(point, purchase, 1);
  return point;
}
