import { escapeControlCharacters } from '../util/controlCharacters.js';

/** Command output: human lines on stdout, or (with --json) one JSON object as the last line. */
export interface Output {
  json: boolean;
  /** A human line; suppressed in --json mode only when `quietInJson` is set. */
  line(text: string): void;
  /** Informational messages (progress, what is being started) go to stderr so stdout stays parseable. */
  info(text: string): void;
  result(value: unknown, human: () => void): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    line: (text) => {
      if (!json) process.stdout.write(`${escapeControlCharacters(text, { keepLayout: true })}\n`);
    },
    info: (text) => process.stderr.write(`${escapeControlCharacters(text, { keepLayout: true })}\n`),
    result: (value, human) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
      else human();
    },
  };
}

/** A failure the user can act on: printed without a stack trace, with this exit code. */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');
