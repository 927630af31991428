import { statSync } from 'node:fs';
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
 * Reads the files of a bulk load kind by kind, with the same cleaning, validation and de-duplication as
 * `kgrec ingest`, and reports progress over the bytes of all of them.
 */
export class BulkReader {
  readonly tallies = {} as Record<Kind, KindTally>;
  private bytesBefore = 0;
  private records = 0;
  private readonly bytesTotal: number;

  constructor(
    private readonly files: Partial<Record<Kind, string[]>>,
    private readonly options: {
      relationTypes: readonly string[];
      onRejection: (rejection: Rejection) => void;
      onProgress?: (bytesRead: number, bytesTotal: number, records: number) => void;
    },
  ) {
    this.bytesTotal = KINDS.flatMap((kind) => files[kind] ?? []).reduce((sum, file) => sum + statSync(file).size, 0);
  }

  /** Hands each valid, new record of the kind to `onRecord`, in file order; waits for it when it returns a promise. */
  async each<T>(kind: Kind, onRecord: (item: Located<T>) => void | Promise<void> | undefined): Promise<void> {
    const validator = new RecordValidator(handlerFor(kind, this.options.relationTypes), this.options.onRejection);
    const tally: KindTally = { files: this.files[kind] ?? [], records: 0, duplicates: 0 };
    for (const file of tally.files) {
      for await (const sources of readSource(file)) {
        for (const source of sources) {
          const item = validator.check(file, source);
          const pending = item === null ? undefined : onRecord(item as Located<T>);
          if (pending) await pending;
        }
        tally.records += sources.length;
        this.records += sources.length;
        this.options.onProgress?.(this.bytesBefore + (sources.at(-1)?.bytes ?? 0), this.bytesTotal, this.records);
      }
      this.bytesBefore += statSync(file).size;
    }
    tally.duplicates = validator.duplicates;
    this.tallies[kind] = tally;
  }

  /** The valid, new records of a kind, held in memory (for the small kinds: the catalogue, users, relations). */
  async collect<T>(kind: Kind): Promise<Located<T>[]> {
    const items: Located<T>[] = [];
    await this.each<T>(kind, (item) => {
      items.push(item);
    });
    return items;
  }
}
