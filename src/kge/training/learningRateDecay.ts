import type { TrainingCallback } from './callbacks.js';

/** Says whether the latest validation found no improvement while the run goes on (see EarlyStopping.onPlateau). */
export interface Plateau {
  readonly onPlateau: boolean;
}

export interface LearningRateDecayOptions {
  /** The rate to start from: the hyperparameter, or the rate as cut so far in a resumed run. */
  learningRate: number;
  /** Multiplies the rate at each plateau; 1 leaves it as it is. */
  factor: number;
  /** Whose verdict says when a validation did not improve; it must see each epoch before this callback does. */
  plateau: Plateau;
  onInfo?: (message: string) => void;
}

/**
 * ReduceLROnPlateau: cuts the learning rate at each validation without a better MRR, except the one that
 * ends the run, whose cut no epoch would use. The engine reads `learningRate` before every epoch.
 */
export class LearningRateDecay implements TrainingCallback {
  private rate: number;

  constructor(private readonly options: LearningRateDecayOptions) {
    this.rate = options.learningRate;
  }

  get learningRate(): number {
    return this.rate;
  }

  onEpochEnd(): 'continue' {
    if (this.options.factor < 1 && this.options.plateau.onPlateau) {
      this.rate *= this.options.factor;
      this.options.onInfo?.(`validation MRR did not improve: learning rate now ${this.rate.toPrecision(3)}`);
    }
    return 'continue';
  }
}
