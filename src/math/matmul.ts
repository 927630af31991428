/**
 * scores = A · Bᵀ for row-major Float32Arrays, A (rows × dim, e.g. a batch of user vectors) and
 * B (cols × dim, e.g. every item vector): the whole cost of scoring a factor model against all items.
 *
 * Hand-written because V8 does not vectorise and no maintained JS BLAS beats a register-blocked loop:
 * a 4 × 2 block (4 rows of A against 2 rows of B) loads 6 values per 8 multiply-adds and keeps its
 * 8 sums in registers; larger blocks were no faster (block shapes measured:
 * docs/decisions/0015-evaluation-baselines-and-kernels.md).
 */

/**
 * Columns of B per tile: 256 rows × 64 floats × 4 bytes = 64 KiB, which stays in the 1 MiB L2 cache while
 * every row block of A passes over it (other tile sizes measured the same at dimension 64; smaller tiles
 * matter at larger dimensions).
 */
const TILE_COLUMNS = 256;

/**
 * out[i · ldOut + j] = Σ_k a[i · dim + k] · b[j · dim + k], for i < rows and j < cols. `ldOut` (default
 * cols) is the stride of a row of `out`.
 */
export function multiplyTransposed(
  a: Float32Array,
  rows: number,
  b: Float32Array,
  cols: number,
  dim: number,
  out: Float32Array,
  ldOut = cols,
): void {
  if (a.length < rows * dim || b.length < cols * dim) {
    throw new RangeError(`multiplyTransposed: A holds ${a.length} values for ${rows} × ${dim}, B ${b.length} for ${cols} × ${dim}`);
  }
  if (ldOut < cols || out.length < (rows - 1) * ldOut + cols) {
    throw new RangeError(`multiplyTransposed: out holds ${out.length} values for ${rows} rows of stride ${ldOut} and ${cols} columns`);
  }
  for (let from = 0; from < cols; from += TILE_COLUMNS) {
    const to = Math.min(cols, from + TILE_COLUMNS);
    let i = 0;
    for (; i + 4 <= rows; i += 4) block4(a, i, b, from, to, dim, out, ldOut);
    for (; i < rows; i += 1) block1(a, i, b, from, to, dim, out, ldOut);
  }
}

/** Rows i..i+3 of A against the columns [from, to), two columns at a time. */
function block4(a: Float32Array, i: number, b: Float32Array, from: number, to: number, dim: number, out: Float32Array, ldOut: number): void {
  const a0 = i * dim;
  const a1 = a0 + dim;
  const a2 = a1 + dim;
  const a3 = a2 + dim;
  const o0 = i * ldOut;
  const o1 = o0 + ldOut;
  const o2 = o1 + ldOut;
  const o3 = o2 + ldOut;
  let j = from;
  for (; j + 2 <= to; j += 2) {
    const b0 = j * dim;
    const b1 = b0 + dim;
    let s00 = 0;
    let s10 = 0;
    let s20 = 0;
    let s30 = 0;
    let s01 = 0;
    let s11 = 0;
    let s21 = 0;
    let s31 = 0;
    for (let k = 0; k < dim; k += 1) {
      const x = b[b0 + k]!;
      const y = b[b1 + k]!;
      const p = a[a0 + k]!;
      const q = a[a1 + k]!;
      const r = a[a2 + k]!;
      const t = a[a3 + k]!;
      s00 += p * x;
      s10 += q * x;
      s20 += r * x;
      s30 += t * x;
      s01 += p * y;
      s11 += q * y;
      s21 += r * y;
      s31 += t * y;
    }
    out[o0 + j] = s00;
    out[o1 + j] = s10;
    out[o2 + j] = s20;
    out[o3 + j] = s30;
    out[o0 + j + 1] = s01;
    out[o1 + j + 1] = s11;
    out[o2 + j + 1] = s21;
    out[o3 + j + 1] = s31;
  }
  if (j < to) {
    const b0 = j * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < dim; k += 1) {
      const x = b[b0 + k]!;
      s0 += a[a0 + k]! * x;
      s1 += a[a1 + k]! * x;
      s2 += a[a2 + k]! * x;
      s3 += a[a3 + k]! * x;
    }
    out[o0 + j] = s0;
    out[o1 + j] = s1;
    out[o2 + j] = s2;
    out[o3 + j] = s3;
  }
}

/** One row of A (the last rows % 4) against the columns [from, to). */
function block1(a: Float32Array, i: number, b: Float32Array, from: number, to: number, dim: number, out: Float32Array, ldOut: number): void {
  const a0 = i * dim;
  const o0 = i * ldOut;
  for (let j = from; j < to; j += 1) {
    const b0 = j * dim;
    let s = 0;
    for (let k = 0; k < dim; k += 1) s += a[a0 + k]! * b[b0 + k]!;
    out[o0 + j] = s;
  }
}
