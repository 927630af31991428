/**
 * Score fusion shared by offline evaluation and online ranking: each component's scores for one user are
 * brought to a common scale, then summed with weights. Components disagree wildly in scale (a dot product
 * of factors, a sum of cosine similarities, an interaction count), so a weighted sum of raw scores would
 * let the largest-scaled component decide alone.
 *
 * Conventions for a user's score row: −Infinity marks an item that must not be recommended (already bought,
 * filtered out); like +Infinity (must be recommended) it is left out of the statistics and left as it is. NaN marks a component with no opinion on the item and becomes 0
 * after normalisation (the user's mean for z-scores, the minimum for min-max).
 */

export type NormalisationMethod = 'zscore' | 'minmax' | 'none';

export interface ScoreMoments {
  /** Finite entries counted. */
  count: number;
  mean: number;
  /** Population standard deviation. */
  deviation: number;
  min: number;
  max: number;
}

/** Mean, deviation and range of the finite entries of scores[offset, offset + length). */
export function finiteMoments(scores: Float32Array, offset: number, length: number): ScoreMoments {
  const end = offset + length;
  // Float64 sums: a float32 running sum over 25,000 items would lose the low digits that z-scores rely on.
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = offset; i < end; i += 1) {
    const value = scores[i]!;
    if (!Number.isFinite(value)) continue;
    count += 1;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const mean = count > 0 ? sum / count : 0;
  let squares = 0;
  for (let i = offset; i < end; i += 1) {
    const value = scores[i]!;
    if (Number.isFinite(value)) squares += (value - mean) * (value - mean);
  }
  return { count, mean, deviation: count > 0 ? Math.sqrt(squares / count) : 0, min, max };
}

/** Normalises scores[offset, offset + length) in place, over its finite entries. */
export function normaliseScores(scores: Float32Array, offset: number, length: number, method: NormalisationMethod): void {
  if (offset < 0 || length < 0 || offset + length > scores.length) {
    throw new RangeError(`normaliseScores: [${offset}, ${offset + length}) is outside a row of ${scores.length} scores`);
  }
  const end = offset + length;
  if (method === 'none') {
    for (let i = offset; i < end; i += 1) if (Number.isNaN(scores[i]!)) scores[i] = 0;
    return;
  }
  const stats = finiteMoments(scores, offset, length);
  let shift = 0;
  let scale = 0; // 0 when the finite scores are all equal (or absent): they carry no ranking, so all become 0
  if (method === 'zscore' && stats.count > 0) {
    shift = stats.mean;
    scale = stats.deviation > 0 ? 1 / stats.deviation : 0;
  } else if (method === 'minmax' && stats.count > 0) {
    shift = stats.min;
    scale = stats.max > stats.min ? 1 / (stats.max - stats.min) : 0;
  }
  for (let i = offset; i < end; i += 1) {
    const value = scores[i]!;
    if (Number.isNaN(value)) scores[i] = 0;
    else if (Number.isFinite(value)) scores[i] = (value - shift) * scale;
  }
}

/**
 * out[i] = Σ_c weights[c] · components[c][i]. A component of weight 0 is skipped, so that its −Infinity
 * entries (0 · −∞ would be NaN) cannot veto an item; any used component's −Infinity makes the item −Infinity.
 */
export function fuse(components: readonly Float32Array[], weights: readonly number[], out: Float32Array): void {
  if (components.length !== weights.length) {
    throw new RangeError(`fuse: ${components.length} components but ${weights.length} weights`);
  }
  for (const [c, component] of components.entries()) {
    if (component.length !== out.length) throw new RangeError(`fuse: component ${c} holds ${component.length} scores, out ${out.length}`);
    const weight = weights[c]!;
    if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`fuse: weights[${c}]: expected a finite number ≥ 0, got ${weight}`);
  }
  out.fill(0);
  for (const [c, component] of components.entries()) {
    const weight = weights[c]!;
    if (weight === 0) continue;
    for (let i = 0; i < out.length; i += 1) out[i]! += weight * component[i]!;
  }
}
