import { statSync } from 'node:fs';
import { handlerFor, type Located, type Rejection } from './kinds.js';
import { KINDS, type Kind } from './records.js';
import { checkedRecords } from './validatedFile.js';
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

  /**
   * Hands each valid, new record of the kind to `onRecord`, in file order; waits for it when it returns a
   * promise. With `thread`, each file is parsed and validated on a thread of its own while this one checks
   * for repeats and runs `onRecord`: for a large kind when the other core is free (Neo4j is stopped).
   */
  async each<T>(kind: Kind, onRecord: (item: Located<T>) => void | Promise<void> | undefined, options: { thread?: boolean } = {}): Promise<void> {
    const validator = new RecordValidator(handlerFor(kind, this.options.relationTypes), this.options.onRejection);
    const tally: KindTally = { files: this.files[kind] ?? [], records: 0, duplicates: 0 };
    const checking = { kind, relationTypes: this.options.relationTypes, thread: options.thread ?? false, onRejection: this.options.onRejection };
    for (const file of tally.files) {
      for await (const chunk of checkedRecords(file, validator, checking)) {
        for (const item of chunk.items) {
          const pending = onRecord(item as Located<T>);
          if (pending) await pending;
        }
        tally.records += chunk.records;
        this.records += chunk.records;
        this.options.onProgress?.(this.bytesBefore + chunk.bytes, this.bytesTotal, this.records);
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
