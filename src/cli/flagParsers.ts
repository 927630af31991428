import { InvalidArgumentError } from 'commander';

/**
 * Parsers of flag values for commander's `.option(flag, description, parser)`: each is made with the
 * flag's name, so that a bad value is refused with a message naming the flag, before the command runs.
 */

/** A whole number ≥ 0: for flags where 0 means something (a port to pick, no rejects allowed, a seed). */
export const wholeNumber = (name: string) => (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError(`${name}: expected a whole number ≥ 0, got "${value}"`);
  return number;
};

/** A whole number ≥ 1: for sizes and counts, where 0 would write nothing forever or fall back to a default unseen. */
export const positiveInteger = (name: string) => (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`${name}: expected a whole number ≥ 1, got "${value}"`);
  return number;
};

/** A finite number ≥ 0. */
export const nonNegativeNumber = (name: string) => (value: string): number => {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError(`${name}: expected a number ≥ 0, got "${value}"`);
  return number;
};

/**
 * A finite number above `above` and at most `atMost`: for rates, margins and factors, where 0 would train
 * nothing (a learning rate) or wipe the rate at the first plateau (a decay).
 */
export const numberAbove = (name: string, above: number, atMost = Number.POSITIVE_INFINITY) => (value: string): number => {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= above || number > atMost) {
    throw new InvalidArgumentError(`${name}: expected a number above ${above}${Number.isFinite(atMost) ? ` and at most ${atMost}` : ''}, got "${value}"`);
  }
  return number;
};

/** One of the values listed. */
export const oneOf = (name: string, values: readonly string[]) => (value: string): string => {
  if (!values.includes(value)) throw new InvalidArgumentError(`${name}: expected one of ${values.join(', ')}, got "${value}"`);
  return value;
};
