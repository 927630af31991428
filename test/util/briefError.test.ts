import { describe, expect, it } from 'vitest';
import { briefError } from '../../src/util/briefError.js';

describe('briefError', () => {
  it('keeps the name, the code and the start of a huge message, and says how long it was', () => {
    const error = Object.assign(new Error(`Property value is too large to index: ${'x'.repeat(100_000)}`), { code: 'Neo.DatabaseError.Statement.ExecutionFailed' });
    const brief = briefError(error);
    expect(brief.code).toBe('Neo.DatabaseError.Statement.ExecutionFailed');
    expect(brief.name).toBe('Error');
    expect(brief.message.startsWith('Property value is too large to index')).toBe(true);
    expect(brief.message.length).toBeLessThan(600);
    expect(brief.message).toContain('100038 characters');
  });

  it('leaves a short message whole and takes anything thrown', () => {
    expect(briefError(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(briefError('plain text')).toEqual({ name: 'Error', message: 'plain text' });
    expect(briefError(null)).toEqual({ name: 'Error', message: 'null' });
  });
});
