import { describe, expect, it } from 'vitest';
import { escapeControlCharacters } from '../../src/util/controlCharacters.js';

describe('escapeControlCharacters', () => {
  it('writes ANSI escapes, carriage returns, C1 controls and text-reordering marks as \\uXXXX', () => {
    expect(escapeControlCharacters('a\u001b[2Jb\rc\u0007\u009b\u202ed\u2066')).toBe('a\\u001b[2Jb\\u000dc\\u0007\\u009b\\u202ed\\u2066');
    expect(escapeControlCharacters('line\nnext\ttab')).toBe('line\\u000anext\\u0009tab');
  });

  it('keeps newlines and tabs when asked, and leaves other text alone', () => {
    expect(escapeControlCharacters('line\nnext\ttab\u001b', { keepLayout: true })).toBe('line\nnext\ttab\\u001b');
    const text = 'Prix: 12,50 € — Größe 42 — 靴 — "quoted" \\ backslash';
    expect(escapeControlCharacters(text)).toBe(text);
  });

  it('leaves no control character in anything', () => {
    const every = Array.from({ length: 0x2100 }, (_, code) => String.fromCharCode(code)).join('');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(escapeControlCharacters(every)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});
