import type { Embeddings } from '../types.js';
import type { EpochState, Stopper } from './callbacks.js';

/** The best validation so far, with a copy of its vectors. */
export interface BestEpoch {
  mrr: number;
  embeddings: Embeddings;
  epoch: number;
}

export interface EarlyStoppingOptions {
  /** Validations without a better MRR after which the run stops. */
  patience: number;
  /** Where a resumed run left off. */
  best?: BestEpoch | null;
  sinceBest?: number;
}

/**
 * Early stopping with patience (PyKEEN's EarlyStopper): keeps the best validated epoch and stops once
 * `patience` validations in a row were no better. Epochs that were not validated change nothing.
 */
export class EarlyStopping implements Stopper {
  readonly patience: number;
  private bestSoFar: BestEpoch | null;
  private validationsSinceBest: number;
  /** Whether the latest epoch's validation beat the best; null when that epoch was not validated. */
  private latestImproved: boolean | null = null;

  constructor(options: EarlyStoppingOptions) {
    this.patience = options.patience;
    this.bestSoFar = options.best ?? null;
    this.validationsSinceBest = options.sinceBest ?? 0;
  }

  get best(): BestEpoch | null {
    return this.bestSoFar;
  }

  get sinceBest(): number {
    return this.validationsSinceBest;
  }

  /** The latest validation was no better than the best and patience is left: the moment to cut the learning rate. */
  get onPlateau(): boolean {
    return this.latestImproved === false && this.validationsSinceBest < this.patience;
  }

  onEpochEnd(state: EpochState): 'continue' | 'stop' {
    this.latestImproved = null;
    if (state.validMrr !== undefined) {
      this.latestImproved = !this.bestSoFar || state.validMrr > this.bestSoFar.mrr;
      if (this.latestImproved) {
        // The engine goes on changing its tables in place: the best epoch's vectors are copied once, here.
        this.bestSoFar = { mrr: state.validMrr, embeddings: copyEmbeddings(state.embeddings), epoch: state.epoch };
        this.validationsSinceBest = 0;
      } else {
        this.validationsSinceBest += 1;
      }
    }
    return this.validationsSinceBest >= this.patience ? 'stop' : 'continue';
  }

  stopReason(state: EpochState): string {
    return `early stop after epoch ${state.epoch}: validation MRR has not improved for ${this.patience} checks`;
  }
}

function copyEmbeddings(embeddings: Embeddings): Embeddings {
  return { dimension: embeddings.dimension, entity: embeddings.entity.slice(), relation: embeddings.relation.slice() };
}
