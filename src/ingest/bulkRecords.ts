import { statSync } from 'node:fs';
import type { BulkInput } from './bulkPlan.js';
import { handlerFor, type Located, type Rejection } from './kinds.js';
import { readSource } from './readers.js';
import { KINDS, type Kind } from './records.js';
import { RecordValidator } from './validation.js';

export interface KindTally {
  files: string[];
  /** Records read (lines holding a record, good or bad). */
  records: number;
  /** Repeats of an earlier record with the same values: skipped. */
  duplicates: number;
}

/**
 * Reads and validates the files of every kind of a bulk load, with the same cleaning, validation and
 * de-duplication as `kgrec ingest`. All records are held in memory: a bulk load writes them in one go.
 */
export async function readAllKinds(
  files: Partial<Record<Kind, string[]>>,
  options: {
    relationTypes: readonly string[];
    onRejection: (rejection: Rejection) => void;
    onProgress?: (bytesRead: number, bytesTotal: number, records: number) => void;
  },
): Promise<{ input: BulkInput; tallies: Record<Kind, KindTally> }> {
  const allFiles = KINDS.flatMap((kind) => files[kind] ?? []);
  const bytesTotal = allFiles.reduce((sum, file) => sum + statSync(file).size, 0);
  let bytesBefore = 0;
  let records = 0;
  const input: Record<Kind, Located<unknown>[]> = { categories: [], brands: [], products: [], users: [], events: [], relations: [] };
  const tallies = {} as Record<Kind, KindTally>;
  for (const kind of KINDS) {
    const validator = new RecordValidator(handlerFor(kind, options.relationTypes), options.onRejection);
    const tally: KindTally = { files: files[kind] ?? [], records: 0, duplicates: 0 };
    for (const file of tally.files) {
      for await (const sources of readSource(file)) {
        for (const source of sources) {
          tally.records += 1;
          const item = validator.check(file, source);
          if (item !== null) input[kind].push(item);
        }
        records += sources.length;
        options.onProgress?.(bytesBefore + (sources.at(-1)?.bytes ?? 0), bytesTotal, records);
      }
      bytesBefore += statSync(file).size;
    }
    tally.duplicates = validator.duplicates;
    tallies[kind] = tally;
  }
  return { input: input as unknown as BulkInput, tallies };
}
