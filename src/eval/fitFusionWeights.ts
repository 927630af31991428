/**
 * Fits the weights of a score fusion by coordinate ascent (Metzler & Croft, "Linear feature-based models
 * for information retrieval", 2007): one weight at a time is line-searched with the others held in
 * proportion, keeping whichever value maximises the mean of NDCG@K and Recall@K (`fitObjective`) on a
 * validation split, until a full round gains nothing. Neither is differentiable in the weights, and with
 * a handful of components a direct search is both simple and robust.
 *
 * The weights live on the simplex (non-negative, summing to 1; fusion is scale-invariant, so nothing is
 * lost). Line-searching weight c means trying shares p ∈ {0, step, …, 1} for c while the other weights
 * share 1 − p in their current proportions. All candidate weightings of a line search are scored in one
 * pass over the users, so each component scores each user once per pass (or once in all, when the
 * standardised scores of the sample fit in `cacheBytes`). Components are standardised over the catalogue as
 * the served fusion standardises its signals (src/eval/fusedScorer.ts).
 */
import { Random } from '../math/random.js';
import { usersWithItems, type InteractionSplit } from '../math/interactions.js';
import { fitObjective, ndcgAtK, recallAtK } from './metrics.js';
import { scoreStandardised } from './fusedScorer.js';
import type { BatchScorer } from '../recommenders/scorer.js';
import { TopKSelector } from '../math/topK.js';

export interface FusionFitOptions {
  /** The cut-off of the metrics maximised (default 20). */
  k?: number;
  /** Validation users sampled for speed (default 5,000; all when fewer). */
  sampleUsers?: number;
  seed?: number;
  /** Most coordinate-ascent rounds (one line search per component each; default 5). */
  rounds?: number;
  /** Spacing of the shares tried in a line search (default 0.05: 21 values from 0 to 1). */
  gridStep?: number;
  /** A round that raises the objective by less than this ends the search (default 1e-4). */
  tolerance?: number;
  /** Users per scoring batch (default 256). */
  batchSize?: number;
  /** Keep the sample's normalised component scores in memory when they take at most this many bytes (default 1 GiB). */
  cacheBytes?: number;
  /** Starting weights (default: equal). */
  initialWeights?: number[];
  /**
   * Further starting points: coordinate ascent finds a local optimum, and the start decides which; the
   * best validation objective over all starts wins.
   */
  extraStarts?: readonly number[][];
  /** Called after the initial evaluation and after each line search. */
  onStep?: (step: FusionFitStep) => void;
}

export interface FusionFitStep {
  /** 0 for the starting weights, then 1, 2, … per line search (counting on across starts). */
  iteration: number;
  /** Which starting point (0: initialWeights, then extraStarts in order). */
  start: number;
  round: number;
  /** The component whose weight was searched (null for the starting point). */
  component: string | null;
  weights: number[];
  /** The sample's mean `fitObjective` with these weights. */
  objective: number;
}

export interface FusionFit {
  /** Non-negative, summing to 1, in the order of the components. */
  weights: number[];
  /** The sample's mean `fitObjective` (NDCG@K and Recall@K) with the weights chosen. */
  objective: number;
  /** The validation objective after each iteration, starting point first. */
  history: FusionFitStep[];
  users: number;
  seconds: number;
}

export const DEFAULT_FUSION_SAMPLE_USERS = 5000;
export const DEFAULT_FUSION_SEED = 20_240_601;
const DEFAULT_ROUNDS = 5;
const DEFAULT_GRID_STEP = 0.05;
const DEFAULT_TOLERANCE = 1e-4;
const DEFAULT_BATCH = 256;
const DEFAULT_CACHE_BYTES = 1024 ** 3;

/**
 * `validation` is a split whose `train` the components were trained on and whose `test` holds the
 * held-out items (see `validationSplit`); the real test set must stay out of it.
 */
export async function fitFusionWeights(validation: InteractionSplit, components: readonly BatchScorer[], options: FusionFitOptions = {}): Promise<FusionFit> {
  const started = performance.now();
  const count = components.length;
  if (count === 0) throw new RangeError('fitFusionWeights: expected at least one component');
  const k = options.k ?? 20;
  const step = options.gridStep ?? DEFAULT_GRID_STEP;
  if (!(step > 0 && step <= 0.5)) throw new RangeError(`fitFusionWeights: gridStep: expected a number in (0, 0.5], got ${step}`);
  const evaluator = new CandidateEvaluator(validation, components, options, k);
  const starts = [options.initialWeights ?? components.map(() => 1), ...(options.extraStarts ?? [])].map(normalised);
  for (const [i, start] of starts.entries()) {
    if (start.length !== count) throw new RangeError(`fitFusionWeights: starting point ${i} has ${start.length} weights for ${count} components`);
  }
  const history: FusionFitStep[] = [];
  let winner: { weights: number[]; objective: number } | null = null;
  for (const [start, from] of starts.entries()) {
    const reached = await ascend(evaluator, components, from, start, history, step, options);
    if (!winner || reached.objective > winner.objective) winner = reached;
  }
  const { weights, objective } = winner as { weights: number[]; objective: number };
  return { weights, objective, history, users: evaluator.users.length, seconds: (performance.now() - started) / 1000 };
}

/** Coordinate ascent from one starting point, appending its steps to `history`. */
async function ascend(
  evaluator: CandidateEvaluator,
  components: readonly BatchScorer[],
  from: number[],
  start: number,
  history: FusionFitStep[],
  step: number,
  options: FusionFitOptions,
): Promise<{ weights: number[]; objective: number }> {
  const count = components.length;
  let weights = from;
  let best = (await evaluator.meanObjective([weights]))[0]!;
  const first: FusionFitStep = { iteration: history.length, start, round: 0, component: null, weights, objective: best };
  history.push(first);
  options.onStep?.(first);
  const shares = Array.from({ length: Math.round(1 / step) + 1 }, (_, i) => Math.min(1, i * step));

  for (let round = 1; round <= (options.rounds ?? DEFAULT_ROUNDS) && count > 1; round += 1) {
    const atRoundStart = best;
    for (let c = 0; c < count; c += 1) {
      const candidates = shares.map((share) => withShare(weights, c, share)).filter((w) => !sameWeights(w, weights));
      const scores = await evaluator.meanObjective(candidates);
      // Strictly better only: on a tie the current weights stay, so the search cannot drift on noise.
      for (const [i, score] of scores.entries()) {
        if (score > best) {
          best = score;
          weights = candidates[i]!;
        }
      }
      const entry: FusionFitStep = { iteration: history.length, start, round, component: components[c]!.name, weights, objective: best };
      history.push(entry);
      options.onStep?.(entry);
    }
    if (best - atRoundStart < (options.tolerance ?? DEFAULT_TOLERANCE)) break;
  }
  return { weights, objective: best };
}

/** `weights` with component c at `share` and the others scaled to share the rest (equally if they were all 0). */
function withShare(weights: number[], c: number, share: number): number[] {
  const others = 1 - weights[c]!;
  const rest = 1 - share;
  return weights.map((w, i) => {
    if (i === c) return share;
    return others > 0 ? (w / others) * rest : rest / (weights.length - 1);
  });
}

function normalised(weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  for (const [i, w] of weights.entries()) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`fitFusionWeights: initialWeights[${i}]: expected a finite number ≥ 0, got ${w}`);
  }
  if (!(sum > 0)) throw new RangeError('fitFusionWeights: initialWeights: expected at least one positive weight');
  return weights.map((w) => w / sum);
}

function sameWeights(a: readonly number[], b: readonly number[]): boolean {
  return a.every((w, i) => Math.abs(w - b[i]!) < 1e-9);
}

/** Scores candidate weightings on a fixed sample of validation users. */
class CandidateEvaluator {
  readonly users: Int32Array;
  private readonly itemCount: number;
  private readonly batchSize: number;
  /** Normalised scores per batch and component, when they fit the cache budget. */
  private cache: Float32Array[][] | null = null;
  private readonly scratch: Float32Array[] = [];
  private readonly selector: TopKSelector;

  constructor(
    private readonly split: InteractionSplit,
    private readonly components: readonly BatchScorer[],
    options: FusionFitOptions,
    private readonly k: number,
  ) {
    this.itemCount = split.itemCount;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH;
    this.selector = new TopKSelector(k);
    const eligible = usersWithItems(split.test, 1);
    const sampleSize = options.sampleUsers ?? DEFAULT_FUSION_SAMPLE_USERS;
    if (eligible.length > sampleSize) {
      new Random(options.seed ?? DEFAULT_FUSION_SEED).shuffle(eligible);
      this.users = eligible.slice(0, sampleSize).sort();
    } else {
      this.users = eligible;
    }
    if (this.users.length === 0) throw new RangeError('fitFusionWeights: the validation split has no user with a held-out item');
    const bytes = this.users.length * this.itemCount * components.length * Float32Array.BYTES_PER_ELEMENT;
    if (bytes <= (options.cacheBytes ?? DEFAULT_CACHE_BYTES)) this.cache = [];
  }

  /** The sample's mean `fitObjective` under each weighting, in one pass over the users. */
  async meanObjective(weightings: readonly number[][]): Promise<number[]> {
    const sums = new Float64Array(weightings.length);
    const { itemCount, users } = this;
    for (let first = 0, batch = 0; first < users.length; first += this.batchSize, batch += 1) {
      const batchUsers = users.subarray(first, Math.min(users.length, first + this.batchSize));
      const componentScores = await this.componentScores(batch, batchUsers);
      for (const [w, weights] of weightings.entries()) {
        // Zero-weight components are left out: 0 · (−Infinity) would be NaN.
        const used = weights.flatMap((weight, c) => (weight > 0 ? [c] : []));
        const scores = used.map((c) => componentScores[c]!);
        const usedWeights = used.map((c) => weights[c]!);
        for (let b = 0; b < batchUsers.length; b += 1) {
          const user = batchUsers[b]!;
          const found = this.selector.selectWeightedSum(scores, usedWeights, b * itemCount, itemCount);
          const relevant = this.split.test.indices.subarray(this.split.test.indptr[user]!, this.split.test.indptr[user + 1]!);
          sums[w]! += fitObjective({ ndcg: ndcgAtK(this.selector.items, found, relevant, this.k), recall: recallAtK(this.selector.items, found, relevant, this.k) });
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return Array.from(sums, (sum) => sum / users.length);
  }

  private async componentScores(batch: number, batchUsers: Int32Array): Promise<Float32Array[]> {
    const cached = this.cache?.[batch];
    if (cached !== undefined) return cached;
    const size = batchUsers.length * this.itemCount;
    const scores: Float32Array[] = [];
    for (const [c, component] of this.components.entries()) {
      // Uncached, one buffer per component serves every batch; cached, each batch keeps its own.
      if (this.cache === null && (this.scratch[c]?.length ?? 0) < size) this.scratch[c] = new Float32Array(size);
      const out = this.cache === null ? this.scratch[c]!.subarray(0, size) : new Float32Array(size);
      // Known (training) items are masked in every component, so they are −Infinity in every fusion.
      await scoreStandardised(component, batchUsers, out, this.itemCount, this.split.train);
      scores.push(out);
    }
    if (this.cache !== null) this.cache[batch] = scores;
    return scores;
  }
}
