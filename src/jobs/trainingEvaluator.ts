import { evaluateLinkPrediction } from '../kge/evaluate.js';
import type { Embeddings, LinkPredictionResult, TransEHyperparameters, TripleSet } from '../kge/types.js';

export interface TrainingEvaluatorOptions {
  distance: TransEHyperparameters['distance'];
  /** Every triple of the data set (train, valid, test): filtered ranking leaves the known ones out. */
  known: TripleSet[];
  relationNames: string[];
  /** In a shop, PURCHASED tails are ranked among products only: that is the recommendation question. */
  candidateEntities?: Int32Array | undefined;
  sides: 'tail' | 'both';
  onEval?: ((stage: string, done: number, total: number) => void) | undefined;
  onInfo?: ((message: string) => void) | undefined;
}

/** Link-prediction evaluation for a training run: the same question each time, and the time it took in all. */
export class TrainingEvaluator {
  private spent = 0;
  private kernelsLogged = false;

  constructor(private readonly options: TrainingEvaluatorOptions) {}

  /** Seconds spent evaluating so far (reported apart from the training time). */
  get seconds(): number {
    return this.spent;
  }

  async evaluate(triples: TripleSet, embeddings: Embeddings, stage: string): Promise<LinkPredictionResult> {
    const { options } = this;
    const started = performance.now();
    const result = await evaluateLinkPrediction(embeddings, options.distance, triples, options.known, {
      relationNames: options.relationNames,
      candidateEntities: options.candidateEntities,
      sides: options.sides,
      onProgress: (done, total) => options.onEval?.(stage, done, total),
      onKernels: (description) => {
        if (!this.kernelsLogged) options.onInfo?.(`evaluation distances on ${description}`);
        this.kernelsLogged = true;
      },
    });
    this.spent += (performance.now() - started) / 1000;
    return result;
  }
}
