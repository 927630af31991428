/** A CSV cell value; `undefined` is an absent value and becomes an empty cell. */
export type CsvValue = string | number | boolean | undefined;

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell as RFC 4180 has it: quoted when it holds a comma, quote or line break, with quotes doubled. */
export function csvCell(value: CsvValue): string {
  if (value === undefined) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly CsvValue[]): string => cells.map(csvCell).join(',');

/**
 * A whole CSV document. Lines end in LF rather than RFC 4180's CRLF: the project's reader (csv-parse) takes
 * either, and LF files diff cleanly in git.
 */
export function csvDocument<T>(header: readonly string[], rows: readonly T[], cellsOf: (row: T) => readonly CsvValue[]): string {
  const lines = [csvLine(header)];
  for (const row of rows) lines.push(csvLine(cellsOf(row)));
  return `${lines.join('\n')}\n`;
}
