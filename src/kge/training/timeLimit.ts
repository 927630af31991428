import type { EpochState, Stopper } from './callbacks.js';

/**
 * Ends the run after the last epoch that fits in the training time allowed: it stops when another epoch as
 * long as the one just finished would pass the limit (evaluation is not counted).
 */
export class TimeLimit implements Stopper {
  constructor(readonly seconds: number) {}

  /** Whether the next epoch would pass the limit; the loop validates such an epoch, as it does the last one. */
  reached(state: Pick<EpochState, 'trainingSeconds' | 'epochSeconds'>): boolean {
    return state.trainingSeconds + state.epochSeconds > this.seconds;
  }

  onEpochEnd(state: EpochState): 'continue' | 'stop' {
    return this.reached(state) && state.epoch < state.epochs ? 'stop' : 'continue';
  }

  stopReason(state: EpochState): string {
    return `time limit: stopping after epoch ${state.epoch} (${(state.trainingSeconds / 60).toFixed(1)} min of training; another epoch would pass ${(this.seconds / 60).toFixed(1)} min)`;
  }
}
