import { describe, expect, it } from 'vitest';
import { multiplyTransposed } from '../../src/math/matmul.js';
import { Random } from '../../src/math/random.js';

describe('multiplyTransposed', () => {
  it('matches the naive product for shapes that exercise every remainder', () => {
    const random = new Random(3);
    for (const [rows, cols, dim] of [[1, 1, 1], [3, 5, 7], [4, 2, 8], [9, 513, 13], [8, 300, 64]] as const) {
      const a = Float32Array.from({ length: rows * dim }, () => random.gaussian());
      const b = Float32Array.from({ length: cols * dim }, () => random.gaussian());
      const ld = cols + 3; // a padded output stride
      const out = new Float32Array(rows * ld).fill(99);
      multiplyTransposed(a, rows, b, cols, dim, out, ld);
      for (let i = 0; i < rows; i += 1) {
        for (let j = 0; j < cols; j += 1) {
          let expected = 0;
          for (let k = 0; k < dim; k += 1) expected += a[i * dim + k]! * b[j * dim + k]!;
          expect(out[i * ld + j]).toBeCloseTo(expected, 4);
        }
        expect(out[i * ld + cols]).toBe(99); // the padding is left alone
      }
    }
  });

  it('rejects an output too small for the product', () => {
    expect(() => multiplyTransposed(new Float32Array(4), 2, new Float32Array(6), 3, 2, new Float32Array(5))).toThrow(/out holds 5 values/);
  });
});
