import { saveCheckpoint, type TrainingSchedule } from '../checkpoints.js';
import type { TransEHyperparameters } from '../types.js';
import type { EpochState, TrainingCallback } from './callbacks.js';

export interface CheckpointingOptions {
  /** The run's checkpoint folder (see saveCheckpoint). */
  dir: string;
  /** Save after every n-th epoch of the run (default 1: every epoch). */
  every?: number;
  hyperparameters: TransEHyperparameters;
  dataFingerprint: string;
  /** The schedule as it stands after this epoch, so that a resumed run goes on with it. */
  schedule: (state: EpochState) => TrainingSchedule;
}

/**
 * Saves the vectors and the schedule for `--resume`. It comes after the callbacks whose state the schedule
 * holds (early stopping, learning-rate decay). Optimizer moments are not kept: a resumed run restarts them,
 * which Adam absorbs within a few steps.
 */
export class Checkpointing implements TrainingCallback {
  private readonly every: number;

  constructor(private readonly options: CheckpointingOptions) {
    this.every = options.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1) throw new Error(`Checkpointing: every: expected a whole number ≥ 1, got ${this.every}`);
  }

  async onEpochEnd(state: EpochState): Promise<'continue'> {
    if (state.epoch % this.every !== 0) return 'continue';
    await saveCheckpoint(this.options.dir, {
      epoch: state.epoch,
      embeddings: state.embeddings,
      hyperparameters: this.options.hyperparameters,
      dataFingerprint: this.options.dataFingerprint,
      schedule: this.options.schedule(state),
    });
    return 'continue';
  }
}
