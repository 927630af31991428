import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

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

/** Streams the records of a JSON Lines or CSV file with their 1-based line numbers and bytes read so far. */
export function readSource(file: string): AsyncGenerator<SourceLine> {
  return formatOf(file) === 'jsonl' ? readJsonLines(file) : readCsv(file);
}

async function* readJsonLines(file: string): AsyncGenerator<SourceLine> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  let bytes = 0;
  for await (const text of lines) {
    line += 1;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line, bytes, error: `invalid JSON: ${(error as Error).message}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, bytes, error: 'expected a JSON object' };
      continue;
    }
    yield { line, bytes, record: value as Record<string, unknown> };
  }
}

async function* readCsv(file: string): AsyncGenerator<SourceLine> {
  // Rows are read as arrays and mapped to the header here, so that a row with the wrong number of cells
  // is reported on its own line instead of aborting the whole file.
  const parser = createReadStream(file).pipe(
    parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true }),
  );
  let header: string[] | undefined;
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
    const { record, info } = item;
    if (!header) {
      header = record.map((name) => name.trim());
      const duplicate = header.find((name, index) => header?.indexOf(name) !== index);
      if (duplicate !== undefined) throw new Error(`${file}:${info.lines}: header names column "${duplicate}" twice`);
      continue;
    }
    if (record.length !== header.length) {
      yield { line: info.lines, bytes: info.bytes, error: `expected ${header.length} cells as in the header, got ${record.length}` };
      continue;
    }
    const fields: Record<string, unknown> = {};
    header.forEach((name, index) => {
      fields[name] = record[index];
    });
    yield { line: info.lines, bytes: info.bytes, record: fields };
  }
}
