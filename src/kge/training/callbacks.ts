/**
 * The training loop's callbacks, after PyKEEN's stoppers and callbacks: early stopping, learning-rate decay,
 * the time limit and checkpoints are small parts that each see every finished epoch, instead of branches of
 * one long closure. The loop composes them with `endEpoch`.
 */
import type { Embeddings } from '../types.js';

export type EpochDecision = 'continue' | 'stop';

/** Where a run stands when an epoch ends. */
export interface EpochState {
  /** Epochs completed in the whole run (a resumed run counts those before it). */
  readonly epoch: number;
  /** Epochs the run is planned to have. */
  readonly epochs: number;
  /** This epoch's mean loss and speed, as the engine reported them. */
  readonly loss: number;
  readonly triplesPerSecond: number;
  /** This epoch's training time. */
  readonly epochSeconds: number;
  /** Training time and positives of the whole run, this epoch included. */
  readonly trainingSeconds: number;
  readonly trainedTriples: number;
  /** The vectors after this epoch; the engine's own tables, to be copied by whoever keeps them. */
  readonly embeddings: Embeddings;
  /** The validation MRR when this epoch was validated. */
  readonly validMrr?: number | undefined;
}

/** One part of the loop that sees each finished epoch, in the order the loop lists them. */
export interface TrainingCallback {
  onEpochEnd(state: EpochState): EpochDecision | Promise<EpochDecision>;
}

/** A callback that may end the run, and says why. */
export interface Stopper extends TrainingCallback {
  stopReason(state: EpochState): string;
}

const isStopper = (callback: TrainingCallback): callback is Stopper => typeof (callback as Partial<Stopper>).stopReason === 'function';

/**
 * Shows the epoch to every callback in order, then, when one or more of them said stop, logs the reason of
 * the first: the reason comes after every callback has run, so that the epoch's own report comes before it.
 */
export async function endEpoch(callbacks: readonly TrainingCallback[], state: EpochState, onInfo?: (message: string) => void): Promise<EpochDecision> {
  let stoppedBy: TrainingCallback | null = null;
  for (const callback of callbacks) {
    if ((await callback.onEpochEnd(state)) === 'stop') stoppedBy ??= callback;
  }
  if (!stoppedBy) return 'continue';
  if (isStopper(stoppedBy)) onInfo?.(stoppedBy.stopReason(state));
  return 'stop';
}

/** Passes each epoch on to a listener (the CLI's progress line); never stops the run. */
export function reportEpochs(onEpoch: ((epoch: number, loss: number, triplesPerSecond: number, validMrr?: number) => void) | undefined): TrainingCallback {
  return {
    onEpochEnd(state) {
      onEpoch?.(state.epoch, state.loss, state.triplesPerSecond, state.validMrr);
      return 'continue';
    },
  };
}
