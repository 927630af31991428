/**
 * The shapes shared by every part of the knowledge-graph embedding code: triples as parallel typed
 * arrays of integer ids, embeddings as flat row-major Float32Arrays, and the hyperparameters of TransE.
 */

/** Triples (head, relation, tail) as parallel columns of entity and relation indexes. */
export interface TripleSet {
  heads: Int32Array;
  relations: Int32Array;
  tails: Int32Array;
}

export const tripleCount = (triples: TripleSet): number => triples.heads.length;

export interface KgeDataset {
  /** Entity index → external id (e.g. `p-00042`, `u-0007`, or a benchmark's entity name). */
  entities: string[];
  /** Relation index → name (e.g. `PURCHASED`, `IN_CATEGORY`). */
  relations: string[];
  train: TripleSet;
  valid?: TripleSet;
  test?: TripleSet;
}

export type Distance = 'L1' | 'L2';
export type LossKind = 'margin' | 'self-adversarial';
export type Corruption = 'uniform' | 'bernoulli';
export type OptimizerKind = 'adam' | 'adagrad';

export interface TransEHyperparameters {
  dimension: number;
  distance: Distance;
  loss: LossKind;
  /** Margin γ of the margin ranking loss, and the fixed margin of the self-adversarial loss. */
  margin: number;
  /** Temperature α of the self-adversarial weights (Sun et al. 2019). */
  adversarialTemperature: number;
  /** Negatives per positive triple. */
  negatives: number;
  corruption: Corruption;
  /**
   * Make the first negative of each positive (h, r, t) the reflexive (h, r, h): the anchor itself as the
   * answer, which TransE scores at distance ‖w_r‖. Uniform corruption almost never draws it, so nothing
   * stops a relation's translation from shrinking until every query ranks its own anchor first. Only for
   * relations whose triples are mostly not reciprocated (see `reflexiveRelations`).
   */
  reflexiveNegatives: boolean;
  optimizer: OptimizerKind;
  learningRate: number;
  /**
   * ReduceLROnPlateau: the learning rate is multiplied by this at every validation check that does not
   * improve on the best MRR (1: never). The training job applies it; engines take the rate it sets.
   */
  learningRateDecay: number;
  batchSize: number;
  epochs: number;
  /** Rescale touched entity rows to unit L2 norm after each step (Bordes et al. 2013). */
  entityNormConstraint: boolean;
  /** L2 regularisation weight on the rows of a batch (0 = off). */
  regularization: number;
  /** Worker threads of the CPU engine (1 = the main thread only). */
  workers: number;
  seed: number;
}

/** Trained vectors: row i of `entity` is entities[i] (dimension floats), likewise for relations. */
export interface Embeddings {
  dimension: number;
  entity: Float32Array;
  relation: Float32Array;
}

export interface EpochReport {
  epoch: number;
  /** Mean loss over the epoch's positive triples. */
  loss: number;
  seconds: number;
  triplesPerSecond: number;
}

export interface TrainingCallbacks {
  /** Called after each batch with the number of positives done in this epoch. */
  onBatch?: (done: number, total: number) => void;
  /** Called after each epoch; return false to stop training (early stopping, interruption). */
  onEpoch?: (report: EpochReport, embeddings: Embeddings) => boolean | void | Promise<boolean | void>;
  /** The learning rate from the next epoch on (a schedule); read before every epoch. Default: the hyperparameter. */
  learningRate?: () => number;
}

/** A way of running the same TransE maths: the typed-array CPU engine, or TensorFlow.js. */
export interface TrainingEngine {
  readonly name: string;
  /** Trains from `initial` (or a seeded initialisation) and returns the final embeddings. */
  train(
    dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>,
    params: TransEHyperparameters,
    callbacks?: TrainingCallbacks,
    initial?: Embeddings,
  ): Promise<Embeddings>;
}

export interface RankingMetrics {
  mrr: number;
  'hits@1': number;
  'hits@3': number;
  'hits@10': number;
  /** Ranked queries: two per triple (head and tail). */
  count: number;
}

export interface LinkPredictionResult extends RankingMetrics {
  perRelation: Record<string, RankingMetrics>;
}
