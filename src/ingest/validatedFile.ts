import type { Located, Rejection } from './kinds.js';
import { readSource } from './readers.js';
import type { Kind } from './records.js';
import { startModuleWorker } from '../util/moduleWorker.js';
import type { RecordValidator } from './validation.js';
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

/** A stretch of a file: its valid, new records, how many lines holding a record it had, and the bytes read to its end. */
export interface CheckedChunk<T> {
  items: Located<T>[];
  records: number;
  bytes: number;
}

export interface CheckedFileOptions {
  kind: Kind;
  relationTypes: readonly string[];
  /** Parse and validate on a thread of their own (worth its start-up for large files). */
  thread: boolean;
  onRejection: (rejection: Rejection) => void;
}

/**
 * The valid records of one file that are new to `validator` (which spans a run's files, to skip repeats and
 * reject clashes across them), chunk by chunk in file order. Inline or on a validation thread, the records,
 * repeats and rejections are the same.
 */
export async function* checkedRecords<T>(file: string, validator: RecordValidator<T>, options: CheckedFileOptions): AsyncGenerator<CheckedChunk<T>> {
  if (options.thread) {
    for await (const batch of validatedInThread({ file, kind: options.kind, relationTypes: options.relationTypes })) {
      batch.rejections.forEach(options.onRejection);
      const items: Located<T>[] = [];
      for (let i = 0; i < batch.lines.length; i += 1) {
        const item = validator.accept(file, batch.lines[i] as number, batch.values[i] as T, batch.fingerprints[i]);
        if (item !== null) items.push(item);
      }
      yield { items, records: batch.records, bytes: batch.bytes };
    }
    return;
  }
  for await (const sources of readSource(file)) {
    // Short chunks, each followed by a turn of the event loop: a file arrives in stretches of up to 20,000
    // lines, and validating one whole would keep Neo4j's answers to the batches in flight waiting.
    for (let start = 0; start < sources.length; start += INLINE_CHUNK) {
      const stretch = sources.slice(start, start + INLINE_CHUNK);
      const items: Located<T>[] = [];
      for (const source of stretch) {
        const item = validator.check(file, source);
        if (item !== null) items.push(item);
      }
      yield { items, records: stretch.length, bytes: stretch.at(-1)?.bytes ?? 0 };
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

const INLINE_CHUNK = 500;
