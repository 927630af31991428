import { scoreFromNeighbours, type ItemNeighbours } from './itemNeighbours.js';

/**
 * A hidden product is negative evidence for the products most engaged with alongside it: each loses
 * `penalty` times its co-behaviour similarity to the hidden ones (summed, at most 1), in the unit of the
 * fused score. The hidden products themselves are masked out by the caller; this only lowers their
 * neighbours, so a shopper who hides one phone case sees fewer near-identical cases, not none.
 */

/**
 * The default penalty: half of what one standardised signal at full weight contributes. Not fitted (no
 * data set with hides is at hand): large enough to move a near-duplicate down a page, small enough that a
 * strongly wanted neighbour stays (docs/decisions/0021-attribution-and-served-lists.md).
 */
export const DEFAULT_HIDE_PENALTY = 0.5;

/** Subtracts the penalty from the neighbours of the hidden products (snapshot indices) in `scores`. */
export function penaliseNearHidden(scores: Float32Array, neighbours: ItemNeighbours, hidden: readonly number[], penalty: number): void {
  if (penalty === 0 || hidden.length === 0) return;
  const near = new Float32Array(scores.length);
  const touched: number[] = [];
  scoreFromNeighbours(
    neighbours,
    hidden.map((index) => ({ index, weight: 1 })),
    near,
    touched,
  );
  for (const i of touched) scores[i] = (scores[i] as number) - penalty * Math.min(1, near[i] as number);
}
