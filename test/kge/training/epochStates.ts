import type { EpochState } from '../../../src/kge/training/callbacks.js';
import type { Embeddings } from '../../../src/kge/types.js';

/** Two entities and one relation in two dimensions, each epoch's values set from its number. */
export function embeddingsOf(epoch: number): Embeddings {
  return { dimension: 2, entity: Float32Array.of(epoch, 0, 0, epoch), relation: Float32Array.of(epoch, epoch) };
}

/** The state after `epoch` of a run of `epochs` one-second epochs of 100 triples each. */
export function epochState(epoch: number, overrides: Partial<EpochState> = {}): EpochState {
  return {
    epoch,
    epochs: 10,
    loss: 1 / epoch,
    triplesPerSecond: 100,
    epochSeconds: 1,
    trainingSeconds: epoch,
    trainedTriples: 100 * epoch,
    embeddings: embeddingsOf(epoch),
    ...overrides,
  };
}
