import { statSync } from 'node:fs';
import { checkedRecords } from './checkedRecords.js';
import type { Located, Rejection } from './kinds.js';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../config.js';
import { KINDS, type Kind } from './records.js';

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
      /** How far record times may lie ahead of the clock (default DEFAULT_MAX_CLOCK_SKEW_SECONDS). */
      maxClockSkewSeconds?: number;
      onRejection: (rejection: Rejection) => void;
      onProgress?: (bytesRead: number, bytesTotal: number, records: number) => void;
    },
  ) {
    this.bytesTotal = KINDS.flatMap((kind) => files[kind] ?? []).reduce((sum, file) => sum + statSync(file).size, 0);
  }

  /**
   * Hands each valid, new record of the kind to `onRecord`, in file order; waits for it when it returns a
   * promise. With `thread`, the files are parsed, validated and checked for repeats on a thread of their own
   * while this one runs `onRecord`: for a large kind when the other core is free (Neo4j is stopped).
   */
  async each<T>(kind: Kind, onRecord: (item: Located<T>) => void | Promise<void> | undefined, options: { thread?: boolean } = {}): Promise<void> {
    const tally: KindTally = { files: this.files[kind] ?? [], records: 0, duplicates: 0 };
    const clock = { maxClockSkewSeconds: this.options.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS };
    const checking = { kind, relationTypes: this.options.relationTypes, clock, thread: options.thread ?? false, onRejection: this.options.onRejection };
    for await (const chunk of checkedRecords<T>(tally.files, checking)) {
      for (const item of chunk.items) {
        const pending = onRecord(item);
        if (pending) await pending;
      }
      tally.records += chunk.records;
      tally.duplicates = chunk.duplicates;
      this.records += chunk.records;
      this.options.onProgress?.(this.bytesBefore + chunk.bytesRead, this.bytesTotal, this.records);
    }
    this.bytesBefore += tally.files.reduce((sum, file) => sum + statSync(file).size, 0);
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
