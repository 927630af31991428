import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { nonNegativeNumber, oneOf, positiveInteger, wholeNumber } from '../../src/cli/flagParsers.js';

describe('flag parsers', () => {
  it('take whole numbers from 0 for wholeNumber and from 1 for positiveInteger', () => {
    expect(wholeNumber('--port')('0')).toBe(0);
    expect(wholeNumber('--port')('4000')).toBe(4000);
    expect(positiveInteger('--batch-size')('1')).toBe(1);
    expect(positiveInteger('--batch-size')('10000')).toBe(10_000);
  });

  it('refuse a size of 0, a fraction, a negative or a word, naming the flag and the value', () => {
    expect(() => positiveInteger('--batch-size')('0')).toThrow('--batch-size: expected a whole number ≥ 1, got "0"');
    expect(() => positiveInteger('--epochs')('2.5')).toThrow('--epochs: expected a whole number ≥ 1, got "2.5"');
    expect(() => wholeNumber('--max-rejects')('-1')).toThrow('--max-rejects: expected a whole number ≥ 0, got "-1"');
    expect(() => wholeNumber('--seed')('many')).toThrow(InvalidArgumentError);
  });

  it('take finite numbers from 0 for nonNegativeNumber, and only the listed values for oneOf', () => {
    expect(nonNegativeNumber('--margin')('0')).toBe(0);
    expect(nonNegativeNumber('--learning-rate')('0.001')).toBe(0.001);
    expect(() => nonNegativeNumber('--margin')('Infinity')).toThrow('--margin: expected a number ≥ 0, got "Infinity"');
    expect(oneOf('--distance', ['L1', 'L2'])('L2')).toBe('L2');
    expect(() => oneOf('--distance', ['L1', 'L2'])('L3')).toThrow('--distance: expected one of L1, L2, got "L3"');
  });
});
