/**
 * A weighted blend of several scorers as one scorer: each component's scores are normalised per user
 * (over the items the user may still be recommended) and summed with fixed weights, the same fusion
 * `src/ranking` applies online.
 */
import { fuse, normaliseScores, type NormalisationMethod } from '../ranking/fusion.js';
import type { InteractionMatrix } from '../math/interactions.js';
import { maskKnownItems, type BatchScorer } from '../recommenders/scorer.js';

export interface FusedScorerOptions {
  /** Default 'zscore': it keeps a component's spread, which min-max lets a single outlier squash. */
  normalisation?: NormalisationMethod;
  /**
   * Items to leave out of each user's normalisation (normally the training matrix): they are masked before
   * the statistics are taken, so that a component's scores of already-known items do not shift its scale.
   */
  known?: InteractionMatrix;
  name?: string;
}

export class FusedScorer implements BatchScorer {
  readonly name: string;
  readonly weights: readonly number[];
  private readonly normalisation: NormalisationMethod;
  private buffers: Float32Array[] = [];

  constructor(
    readonly components: readonly BatchScorer[],
    weights: readonly number[],
    readonly itemCount: number,
    private readonly options: FusedScorerOptions = {},
  ) {
    if (components.length === 0) throw new RangeError('FusedScorer: expected at least one component');
    if (weights.length !== components.length) throw new RangeError(`FusedScorer: ${components.length} components but ${weights.length} weights`);
    for (const [c, weight] of weights.entries()) {
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`FusedScorer: weights[${c}]: expected a finite number ≥ 0, got ${weight}`);
    }
    if (options.known !== undefined && options.known.itemCount !== itemCount) {
      throw new RangeError(`FusedScorer: known has ${options.known.itemCount} items, expected ${itemCount}`);
    }
    this.weights = [...weights];
    this.normalisation = options.normalisation ?? 'zscore';
    this.name = options.name ?? components.map((c, i) => `${weights[i]!.toFixed(2)}·${c.name}`).join(' + ');
  }

  async scoreUsers(users: Int32Array, out: Float32Array): Promise<void> {
    const size = users.length * this.itemCount;
    const used: Float32Array[] = [];
    const usedWeights: number[] = [];
    for (const [c, component] of this.components.entries()) {
      if (this.weights[c] === 0) continue; // a zero-weight component costs nothing
      if ((this.buffers[c]?.length ?? 0) < size) this.buffers[c] = new Float32Array(size);
      const scores = this.buffers[c]!.subarray(0, size);
      await scoreNormalised(component, users, scores, this.itemCount, this.normalisation, this.options.known);
      used.push(scores);
      usedWeights.push(this.weights[c]!);
    }
    if (used.length === 0) out.fill(0, 0, size);
    else fuse(used, usedWeights, out.subarray(0, size));
  }
}

/** Scores a batch with one component, masks the known items and normalises each user's row. */
export async function scoreNormalised(
  component: BatchScorer,
  users: Int32Array,
  out: Float32Array,
  itemCount: number,
  method: NormalisationMethod,
  known: InteractionMatrix | undefined,
): Promise<void> {
  await component.scoreUsers(users, out);
  if (known !== undefined) maskKnownItems(known, users, out, itemCount);
  for (let b = 0; b < users.length; b += 1) normaliseScores(out, b * itemCount, itemCount, method);
}
