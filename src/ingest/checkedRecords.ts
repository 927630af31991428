import { statSync } from 'node:fs';
import { handlerFor, type KindHandler, type Located, type Rejection } from './kinds.js';
import { readSource } from './readers.js';
import { RECORD_FIELDS, type ClockLimit, type Kind } from './records.js';
import { startModuleWorker } from '../util/moduleWorker.js';
import { RecordValidator } from './validation.js';
import type { ValidationThreadData, ValidationThreadMessage } from './validationThread.js';

/** A stretch of one of a run's files: its valid records that are new to the run, and where reading stands. */
export interface CheckedChunk<T> {
  file: string;
  items: Located<T>[];
  /** Lines holding a record, good or bad, in this stretch. */
  records: number;
  /** Bytes of all the run's files read up to the end of this stretch. */
  bytesRead: number;
  /** Repeats of earlier records skipped so far in the run. */
  duplicates: number;
}

export interface CheckOptions {
  kind: Kind;
  relationTypes: readonly string[];
  /** Record times later than this clock plus its skew are refused. */
  clock: ClockLimit;
  /** Every problem of every bad line, and every clash of an id with an earlier record. */
  onRejection: (rejection: Rejection) => void;
  /**
   * Read, validate and de-duplicate on a thread of their own, beside what the caller does with the records
   * (worth its start-up for files of a megabyte or more).
   */
  thread?: boolean;
}

/**
 * The valid records of a run's files that are new to the run, in file order: a bad line is reported (every
 * problem of it), a repeat of an earlier record with the same values is counted and skipped, and the same key
 * with other values is rejected, naming where the first one was. Inline or on a validation thread, the
 * records, repeats and rejections are the same.
 */
export function checkedRecords<T>(files: string[], options: CheckOptions): AsyncGenerator<CheckedChunk<T>> {
  return options.thread ? checkedInThread<T>(files, options) : checkedInline<T>(files, options, INLINE_CHUNK);
}

/**
 * Lines validated between two turns of the event loop when checking inline: a file arrives in stretches of
 * up to 20,000 lines, and validating one whole would keep Neo4j's answers to the batches in flight waiting.
 */
const INLINE_CHUNK = 500;

/** Checks the files on the calling thread, `chunkSize` lines at a time (a whole stretch read when Infinity). */
export async function* checkedInline<T>(files: string[], options: CheckOptions, chunkSize: number): AsyncGenerator<CheckedChunk<T>> {
  // Each handler only ever meets records its own schema produced: the erased type is restored here.
  const validator = new RecordValidator(handlerFor(options.kind, options) as KindHandler<T>, options.onRejection);
  let bytesBefore = 0;
  for (const file of files) {
    for await (const sources of readSource(file, RECORD_FIELDS[options.kind])) {
      for (let start = 0; start < sources.length; start += chunkSize) {
        const stretch = sources.slice(start, start + chunkSize);
        const items: Located<T>[] = [];
        for (const source of stretch) {
          const item = validator.check(file, source);
          if (item !== null) items.push(item);
        }
        yield { file, items, records: stretch.length, bytesRead: bytesBefore + (stretch.at(-1)?.bytes ?? 0), duplicates: validator.duplicates };
        if (chunkSize < sources.length) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    bytesBefore += statSync(file).size;
  }
}

/** Checks the files on a validation thread (validationThread.ts) and yields its chunks in order. */
async function* checkedInThread<T>(files: string[], options: CheckOptions): AsyncGenerator<CheckedChunk<T>> {
  const data: ValidationThreadData = { files, kind: options.kind, relationTypes: options.relationTypes, clock: options.clock };
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
      const { chunk } = message;
      chunk.rejections.forEach(options.onRejection);
      const { file } = chunk;
      const items = chunk.values.map((value, i): Located<T> => ({ file, line: chunk.lines[i] as number, value: value as T }));
      yield { file, items, records: chunk.records, bytesRead: chunk.bytesRead, duplicates: chunk.duplicates };
    }
  } finally {
    await worker.terminate();
  }
}
