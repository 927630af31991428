import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { EventEmitter } from 'node:events';
import { Parser } from 'csv-parse';

/** One line of an input file: either a raw record (field name → value) or why it could not be read. */
export type SourceLine =
  | { line: number; bytes: number; record: Record<string, unknown> }
  | { line: number; bytes: number; error: string };

export type FileFormat = 'jsonl' | 'csv';

export function formatOf(file: string): FileFormat {
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl';
  if (/\.csv$/i.test(file)) return 'csv';
  throw new Error(`${file}: unknown file type; expected .jsonl, .ndjson or .csv`);
}

/** The columns a CSV of one kind may have, and those it must have. */
export interface ColumnSet {
  all: readonly string[];
  required: readonly string[];
}

/**
 * Streams the records of a JSON Lines or CSV file with their 1-based line numbers and bytes read so far,
 * in the batches the file arrives in. Awaiting each record on its own costs a promise per record, which at
 * a few µs a record was a quarter of what ingestion spent outside Neo4j. With `columns`, a CSV whose header
 * names an unknown column or lacks a required one is refused whole, naming them.
 */
export function readSource(file: string, columns?: ColumnSet): AsyncGenerator<SourceLine[]> {
  return formatOf(file) === 'jsonl' ? readJsonLines(file) : readCsv(file, columns);
}

const quoted = (names: readonly string[]): string => names.map((name) => JSON.stringify(name)).join(', ');

/** What is wrong with a CSV header, or undefined when nothing is. */
export function headerProblem(header: readonly string[], columns: ColumnSet | undefined): string | undefined {
  const duplicate = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicate !== undefined) return `header names column ${JSON.stringify(duplicate)} twice`;
  if (!columns) return undefined;
  const unknown = header.filter((name) => !columns.all.includes(name));
  const missing = columns.required.filter((name) => !header.includes(name));
  if (unknown.length === 0 && missing.length === 0) return undefined;
  const problems = [
    ...(unknown.length > 0 ? [`unknown column(s) ${quoted(unknown)}`] : []),
    ...(missing.length > 0 ? [`missing column(s) ${quoted(missing)}`] : []),
  ];
  const optional = columns.all.filter((name) => !columns.required.includes(name));
  return `${problems.join(', ')}; expected ${columns.required.join(', ')}${optional.length > 0 ? ` and optionally ${optional.join(', ')}` : ''}`;
}

/** A readable stream or a readline interface: both emit items, an end, and can be paused. */
type PausableEmitter = EventEmitter & { pause(): unknown; resume(): unknown };

/** Lines parsed but not yet taken by the consumer before the input is paused: bounds memory on big files. */
const MAX_QUEUED = 20_000;

/**
 * Collects what a stream emits into batches: everything emitted since the consumer last asked. The source is
 * paused while the consumer lags by more than MAX_QUEUED items (back-pressure) and resumed when it catches up.
 */
async function* batchesOf<I, T>(
  source: PausableEmitter,
  events: { item: string; end: string },
  convert: (item: I) => T | undefined,
  /** Closes the file: called when the consumer stops before the end (a failed batch stops a run). */
  close: () => void,
): AsyncGenerator<T[]> {
  let queue: T[] = [];
  let finished = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  source.on(events.item, (item: unknown) => {
    const value = convert(item as I);
    if (value === undefined) return;
    queue.push(value);
    if (queue.length >= MAX_QUEUED) source.pause();
    notify();
  });
  source.on('error', (error: Error) => {
    failure = error;
    notify();
  });
  source.on(events.end, () => {
    finished = true;
    notify();
  });
  try {
    for (;;) {
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        source.resume();
        yield batch;
        continue;
      }
      if (failure) throw failure;
      if (finished) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!finished) close();
  }
}

function readJsonLines(file: string): AsyncGenerator<SourceLine[]> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let bytes = 0;
  const close = () => {
    lines.close();
    input.destroy();
  };
  return batchesOf(lines, { item: 'line', end: 'close' }, (text: string): SourceLine | undefined => {
    line += 1;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { line, bytes, error: `invalid JSON: ${(error as Error).message}` };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, bytes, error: 'expected a JSON object' };
    return { line, bytes, record: value as Record<string, unknown> };
  }, close);
}

/** A CSV row as LocatedCsvParser pushes it: its cells, the line it ends on and the bytes read so far. */
interface LocatedRow {
  record: string[];
  line: number;
  bytes: number;
}

/**
 * csv-parse's parser, pushing each row with the line it ends on and the bytes read so far, taken from the
 * parser's live `info` at the moment it pushes the row. Its `info` option gives the same two numbers but copies
 * the whole `info` twice into new objects per row, a large share of parsing time (docs/decisions/0007-csv-line-numbers.md).
 * Its count takes a `\r\n` inside a quoted cell for two line ends; they are counted once.
 */
class LocatedCsvParser extends Parser {
  /** Line ends counted twice so far: one for each `\r\n` inside the cells read. */
  private countedTwice = 0;
  private linesBefore = 0;

  override push(row: string[] | null): boolean {
    if (row === null) return super.push(null);
    // Only a row that ended more than one line after the one before can hold line ends: the others are not searched.
    if (this.info.lines - this.linesBefore > 1) {
      for (const cell of row) {
        for (let at = cell.indexOf('\r\n'); at !== -1; at = cell.indexOf('\r\n', at + 2)) this.countedTwice += 1;
      }
    }
    this.linesBefore = this.info.lines;
    return super.push({ record: row, line: this.info.lines - this.countedTwice, bytes: this.info.bytes } satisfies LocatedRow);
  }
}

function readCsv(file: string, columns: ColumnSet | undefined): AsyncGenerator<SourceLine[]> {
  // Rows are read as arrays and mapped to the header here, so that a row with the wrong number of cells
  // is reported on its own line instead of aborting the whole file.
  const input = createReadStream(file);
  const parser = input.pipe(new LocatedCsvParser({ bom: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true }));
  let header: string[] | undefined;
  return batchesOf(parser, { item: 'data', end: 'end' }, ({ record, line, bytes }: LocatedRow): SourceLine | undefined => {
    if (!header) {
      header = record.map((name) => name.trim());
      const problem = headerProblem(header, columns);
      if (problem !== undefined) parser.destroy(new Error(`${file}:${line}: ${problem}`));
      return undefined;
    }
    if (record.length !== header.length) {
      return { line, bytes, error: `expected ${header.length} cells as in the header, got ${record.length}` };
    }
    const fields: Record<string, unknown> = {};
    for (let index = 0; index < header.length; index += 1) fields[header[index] as string] = record[index];
    return { line, bytes, record: fields };
  }, () => {
    input.destroy();
    parser.destroy();
  });
}
