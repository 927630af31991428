import { startModuleWorker } from '../util/moduleWorker.js';
import type { ValidatedBatch, ValidationThreadData, ValidationThreadMessage } from './validationThread.js';

/**
 * Reads and validates a file on a thread of its own and yields its batches in order: parsing and validation
 * (most of the cost of a record outside Neo4j) then run beside what the caller does with the records.
 */
export async function* validatedInThread(data: ValidationThreadData): AsyncGenerator<ValidatedBatch> {
  const worker = startModuleWorker(import.meta.url, 'validationThread', data);
  const queue: ValidationThreadMessage[] = [];
  let wake: (() => void) | null = null;
  const push = (message: ValidationThreadMessage) => {
    queue.push(message);
    wake?.();
    wake = null;
  };
  worker.on('message', push);
  worker.on('error', (error) => push({ error: error.message }));
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const message = queue.shift() as ValidationThreadMessage;
      if ('error' in message) throw new Error(message.error);
      if ('done' in message) return;
      worker.postMessage('more');
      yield message.batch;
    }
  } finally {
    await worker.terminate();
  }
}
