import { parentPort, workerData } from 'node:worker_threads';
import { handlerFor, type Rejection } from './kinds.js';
import { readSource } from './readers.js';
import type { Kind } from './records.js';
import { fingerprint, validateSource } from './validation.js';

/**
 * A thread that reads and validates one file (see validatedInThread in validatedFile.ts): it posts, per
 * batch of lines, the valid records with their line numbers and the rejections, and waits for the reader
 * to take a batch before it is more than two ahead.
 */

export interface ValidationThreadData {
  file: string;
  kind: Kind;
  relationTypes: readonly string[];
}

export interface ValidatedBatch {
  lines: number[];
  values: unknown[];
  /** Each value's fingerprint, computed here to spare the reading thread. */
  fingerprints: number[];
  rejections: Rejection[];
  /** Bytes of the file read up to the end of this batch. */
  bytes: number;
  /** Lines holding a record, good or bad. */
  records: number;
}

export type ValidationThreadMessage = { batch: ValidatedBatch } | { done: true } | { error: string };

const AHEAD = 2;

async function run(data: ValidationThreadData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('validationThread runs as a worker thread');
  const { schema } = handlerFor(data.kind, data.relationTypes);
  let credits = AHEAD;
  let wake: (() => void) | null = null;
  port.on('message', () => {
    credits += 1;
    wake?.();
    wake = null;
  });
  try {
    for await (const sources of readSource(data.file)) {
      const batch: ValidatedBatch = { lines: [], values: [], fingerprints: [], rejections: [], bytes: sources.at(-1)?.bytes ?? 0, records: sources.length };
      const reject = (rejection: Rejection) => batch.rejections.push(rejection);
      for (const source of sources) {
        const value = validateSource(schema, data.file, source, reject);
        if (value === null) continue;
        batch.lines.push(source.line);
        batch.values.push(value);
        batch.fingerprints.push(fingerprint(value));
      }
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits -= 1;
      port.postMessage({ batch } satisfies ValidationThreadMessage);
    }
    port.postMessage({ done: true } satisfies ValidationThreadMessage);
  } catch (error) {
    port.postMessage({ error: (error as Error).message } satisfies ValidationThreadMessage);
  }
  port.close();
}

void run(workerData as ValidationThreadData);
