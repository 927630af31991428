import { parentPort, workerData } from 'node:worker_threads';
import { checkedInline } from './checkedRecords.js';
import type { Rejection } from './kinds.js';
import type { ClockLimit, Kind } from './records.js';

/**
 * A thread that reads, validates and de-duplicates a run's files (see checkedRecords.ts): it posts, per
 * stretch of a file, the new valid records with their line numbers and the rejections, and waits for the
 * reader to take a stretch before it is more than two ahead.
 */

export interface ValidationThreadData {
  files: string[];
  kind: Kind;
  relationTypes: readonly string[];
  clock: ClockLimit;
}

/** A CheckedChunk as it crosses threads: its file named once rather than in every item. */
export interface ThreadChunk {
  file: string;
  lines: number[];
  values: unknown[];
  rejections: Rejection[];
  records: number;
  bytesRead: number;
  duplicates: number;
}

export type ValidationThreadMessage = { chunk: ThreadChunk } | { done: true } | { error: string };

const AHEAD = 2;

async function run(data: ValidationThreadData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('validationThread runs as a worker thread');
  let credits = AHEAD;
  let wake: (() => void) | null = null;
  port.on('message', () => {
    credits += 1;
    wake?.();
    wake = null;
  });
  let rejections: Rejection[] = [];
  try {
    const chunks = checkedInline(data.files, { kind: data.kind, relationTypes: data.relationTypes, clock: data.clock, onRejection: (r) => rejections.push(r) }, Infinity);
    for await (const { file, items, records, bytesRead, duplicates } of chunks) {
      const chunk: ThreadChunk = {
        file,
        lines: items.map((item) => item.line),
        values: items.map((item) => item.value),
        rejections,
        records,
        bytesRead,
        duplicates,
      };
      rejections = [];
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits -= 1;
      port.postMessage({ chunk } satisfies ValidationThreadMessage);
    }
    port.postMessage({ done: true } satisfies ValidationThreadMessage);
  } catch (error) {
    port.postMessage({ error: (error as Error).message } satisfies ValidationThreadMessage);
  }
  port.close();
}

void run(workerData as ValidationThreadData);
