/**
 * All-item top-K evaluation (the protocol of KGAT and most implicit-feedback papers): every user with a
 * test item gets a score for every item, the user's training items are removed, and the top K of the rest
 * is compared with the user's test items. Users are scored in batches into one reused buffer.
 */
import { rowLength, usersWithItems, type InteractionSplit } from '../math/interactions.js';
import { TopKMetricAccumulator, type MetricOptions } from './metrics.js';
import { maskKnownItems, type BatchScorer } from '../recommenders/scorer.js';
import { TopKSelector } from '../math/topK.js';

export interface TopKEvaluationOptions extends MetricOptions {
  /** Cut-offs (default [20], the KGAT papers' headline). */
  ks?: number[];
  /** Users scored per scorer call (default 256). */
  batchSize?: number;
  /** Evaluate these users only (e.g. a sample); default every user with at least one test item. */
  users?: Int32Array;
  /** Called after each batch with the users done and the total. */
  onProgress?: (doneUsers: number, totalUsers: number) => void;
}

export interface TopKEvaluation {
  /** Users evaluated (users without test items are skipped). */
  users: number;
  seconds: number;
  metrics: Record<string, number>;
}

export const DEFAULT_KS = [20];

/** 256 users × 24,915 items is a 25 MB score buffer, and about 0.1–0.3 s of scoring between progress reports. */
export const DEFAULT_USER_BATCH = 256;

export async function evaluateTopK(split: InteractionSplit, scorer: BatchScorer, options: TopKEvaluationOptions = {}): Promise<TopKEvaluation> {
  const started = performance.now();
  const { itemCount, train, test } = split;
  checkSplit(split);
  const batchSize = options.batchSize ?? DEFAULT_USER_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`evaluateTopK: batchSize: expected a positive integer, got ${batchSize}`);
  const metrics = new TopKMetricAccumulator(options.ks ?? DEFAULT_KS, itemCount, options);
  const selector = new TopKSelector(metrics.depth);
  const users = evaluatedUsers(split, options.users);
  const scores = new Float32Array(Math.min(batchSize, users.length) * itemCount);
  for (let first = 0; first < users.length; first += batchSize) {
    const batch = users.subarray(first, Math.min(users.length, first + batchSize));
    const out = scores.subarray(0, batch.length * itemCount);
    await scorer.scoreUsers(batch, out);
    maskKnownItems(train, batch, out, itemCount);
    for (let b = 0; b < batch.length; b += 1) {
      const user = batch[b]!;
      const count = selector.select(out, b * itemCount, itemCount);
      metrics.add(selector.items, count, test.indices.subarray(test.indptr[user]!, test.indptr[user + 1]!));
    }
    options.onProgress?.(first + batch.length, users.length);
    // Hand the event loop a turn between batches, so that a server or a progress bar stays live.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { users: metrics.userCount, seconds: (performance.now() - started) / 1000, metrics: metrics.result() };
}

/** The given users (checked) or every user, less those without a test item: they have nothing to find. */
function evaluatedUsers(split: InteractionSplit, given: Int32Array | undefined): Int32Array {
  if (given === undefined) return usersWithItems(split.test, 1);
  for (const user of given) {
    if (!(Number.isInteger(user) && user >= 0 && user < split.userCount)) {
      throw new RangeError(`evaluateTopK: users: ${user} is not a user index (0..${split.userCount - 1})`);
    }
  }
  return given.filter((user) => rowLength(split.test, user) > 0);
}

function checkSplit(split: InteractionSplit): void {
  for (const [name, matrix] of [['train', split.train], ['test', split.test]] as const) {
    if (matrix.userCount !== split.userCount || matrix.itemCount !== split.itemCount) {
      throw new RangeError(
        `evaluateTopK: split.${name} is ${matrix.userCount} users × ${matrix.itemCount} items, expected ${split.userCount} × ${split.itemCount}`,
      );
    }
  }
}
