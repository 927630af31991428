import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { nonNegativeNumber, numberAbove, oneOf, positiveInteger, wholeNumber } from '../../src/cli/flagParsers.js';

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

  it('take numbers above a bound and up to a limit for numberAbove, refusing 0 for rates and factors', () => {
    expect(numberAbove('--learning-rate', 0, 10)('0.001')).toBe(0.001);
    expect(numberAbove('--lr-decay', 0, 1)('1')).toBe(1);
    expect(() => numberAbove('--learning-rate', 0, 10)('0')).toThrow('--learning-rate: expected a number above 0 and at most 10, got "0"');
    expect(() => numberAbove('--lr-decay', 0, 1)('1.5')).toThrow('--lr-decay: expected a number above 0 and at most 1, got "1.5"');
    expect(() => numberAbove('--margin', 0)('-2')).toThrow('--margin: expected a number above 0, got "-2"');
    expect(() => numberAbove('--margin', 0)('NaN')).toThrow(InvalidArgumentError);
  });
});
