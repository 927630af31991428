/**
 * A validation split carved out of training interactions, so that hyperparameters and fusion weights are
 * fitted without looking at the test set. KGAT's files carry no timestamps, so the held-out items are a
 * seeded random sample of each user's items rather than the latest ones.
 */
import { Random } from '../math/random.js';
import type { InteractionMatrix, InteractionSplit } from '../math/interactions.js';

export interface HoldoutOptions {
  /** Expected share of each user's items held out (default 0.2, KGAT's own train/test ratio is about 0.77/0.23). */
  fraction?: number;
  seed?: number;
  /** Users with fewer items keep them all (default 2: a user needs something left to learn from). */
  minItems?: number;
}

export const DEFAULT_HOLDOUT_FRACTION = 0.2;
export const DEFAULT_HOLDOUT_SEED = 20_240_601;
const DEFAULT_MIN_ITEMS = 2;

/**
 * Splits every row of `matrix` into kept and held-out items. A user with n ≥ minItems items holds out
 * fraction·n items with stochastic rounding (so the expected share is exactly `fraction` even for users
 * with two or three items), never all of them. Both outputs keep the rows sorted.
 */
export function holdoutRandomFraction(
  matrix: InteractionMatrix,
  options: HoldoutOptions = {},
): { kept: InteractionMatrix; heldOut: InteractionMatrix } {
  const fraction = options.fraction ?? DEFAULT_HOLDOUT_FRACTION;
  const minItems = options.minItems ?? DEFAULT_MIN_ITEMS;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`holdout: fraction: expected a number in (0, 1), got ${fraction}`);
  if (!Number.isInteger(minItems) || minItems < 2) throw new RangeError(`holdout: minItems: expected an integer ≥ 2, got ${minItems}`);
  const random = new Random(options.seed ?? DEFAULT_HOLDOUT_SEED);
  const { userCount, itemCount, indptr, indices } = matrix;
  const keptIndptr = new Int32Array(userCount + 1);
  const heldIndptr = new Int32Array(userCount + 1);
  const keptIndices = new Int32Array(indices.length);
  const heldIndices = new Int32Array(indices.length);
  let keptCount = 0;
  let heldCount = 0;
  let positions = new Int32Array(64);
  let chosen = new Uint8Array(64);
  for (let u = 0; u < userCount; u += 1) {
    const start = indptr[u]!;
    const n = indptr[u + 1]! - start;
    let take = 0;
    if (n >= minItems) {
      const expected = fraction * n;
      take = Math.min(n - 1, Math.floor(expected) + (random.nextFloat() < expected - Math.floor(expected) ? 1 : 0));
    }
    if (positions.length < n) {
      positions = new Int32Array(n * 2);
      chosen = new Uint8Array(n * 2);
    }
    chosen.fill(0, 0, n);
    // A partial Fisher–Yates shuffle of the row positions picks `take` of them without replacement.
    for (let i = 0; i < n; i += 1) positions[i] = i;
    for (let i = 0; i < take; i += 1) {
      const j = i + random.nextInt(n - i);
      const swap = positions[j]!;
      positions[j] = positions[i]!;
      positions[i] = swap;
      chosen[swap] = 1;
    }
    for (let i = 0; i < n; i += 1) {
      if (chosen[i] === 1) heldIndices[heldCount++] = indices[start + i]!;
      else keptIndices[keptCount++] = indices[start + i]!;
    }
    keptIndptr[u + 1] = keptCount;
    heldIndptr[u + 1] = heldCount;
  }
  return {
    kept: { userCount, itemCount, indptr: keptIndptr, indices: keptIndices.slice(0, keptCount) },
    heldOut: { userCount, itemCount, indptr: heldIndptr, indices: heldIndices.slice(0, heldCount) },
  };
}

/**
 * The validation split of a train/test split: its training rows lose a random fraction of their items,
 * which become the "test" of the returned split. The real test set is not read.
 */
export function validationSplit(split: InteractionSplit, options: HoldoutOptions = {}): InteractionSplit {
  const { kept, heldOut } = holdoutRandomFraction(split.train, options);
  const validation: InteractionSplit = { userCount: split.userCount, itemCount: split.itemCount, train: kept, test: heldOut };
  if (split.itemNames !== undefined) validation.itemNames = split.itemNames;
  if (split.userNames !== undefined) validation.userNames = split.userNames;
  return validation;
}
