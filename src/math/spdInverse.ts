/**
 * The inverse of a dense symmetric positive-definite matrix (row-major Float64Array, n × n), for EASE's
 * item × item Gram matrix: a blocked Cholesky factorisation G = L·Lᵀ, the triangular inverse
 * N = L⁻ᵀ (upper triangular), and G⁻¹ = N·Nᵀ, about n³ floating-point operations in all.
 *
 * Hand-written: the npm packages that offer a Cholesky in Node are pure-JS and unblocked (ml-matrix,
 * @stdlib/lapack), unmaintained Emscripten builds without SIMD (emlapack), or native bindings that need
 * a system LAPACK and a compiler at install time (nlapack). Every stage is arranged so that its bulk is one
 * kernel, C[r][c] −= Σ_t A[r][t]·B[c][t], whose operands are rows contiguous in memory, register-blocked
 * 4 × 2 like the float32 product of matmul.ts.
 */

/** Rows and columns per tile of the blocked stages: a tile's panels (2 × 64 × 64 doubles) stay in L2. */
const BLOCK = 64;

/** Thrown when the matrix is not positive definite (within rounding): names the pivot. */
export class NotPositiveDefiniteError extends RangeError {}

/**
 * Returns G⁻¹ as a new row-major n × n Float64Array holding the lower triangle (i ≥ j) only; the upper
 * triangle is left zero: read P[i][j] with j > i as P[j][i]. `g` is overwritten with its Cholesky factor.
 * `onProgress` gets a share done in [0, 1] between the stages' blocks.
 */
export function invertSymmetricPositiveDefinite(g: Float64Array, n: number, onProgress?: (share: number) => void): Float64Array {
  if (!Number.isInteger(n) || n < 1 || g.length !== n * n) throw new RangeError(`invertSymmetricPositiveDefinite: expected ${n} × ${n} = ${n * n} values, got ${g.length}`);
  choleskyInPlace(g, n, (share) => onProgress?.(share / 3));
  const upper = inverseTransposeOfLower(g, n, (share) => onProgress?.((1 + share) / 3));
  const inverse = g; // L is no longer needed: its storage receives the lower triangle of N·Nᵀ.
  inverse.fill(0);
  gramOfUpperRows(upper, n, inverse, (share) => onProgress?.((2 + share) / 3));
  return inverse;
}

/** Overwrites the lower triangle of the symmetric g (read from its lower triangle) with L, G = L·Lᵀ. */
export function choleskyInPlace(g: Float64Array, n: number, onProgress?: (share: number) => void): void {
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(n, k0 + BLOCK);
    // The diagonal block and the panel below it, row by row: L[i][j] = (A[i][j] − Σ_{k0 ≤ t < j} L[i][t]·L[j][t]) / L[j][j].
    for (let i = k0; i < n; i += 1) {
      const rowI = i * n;
      const last = Math.min(i, k1 - 1);
      for (let j = k0; j <= last; j += 1) {
        const rowJ = j * n;
        let s = g[rowI + j]!;
        for (let t = k0; t < j; t += 1) s -= g[rowI + t]! * g[rowJ + t]!;
        if (i === j) {
          if (!(s > 0)) throw new NotPositiveDefiniteError(`cholesky: pivot ${i} is ${s}: the matrix is not positive definite (raise the regularisation)`);
          g[rowI + i] = Math.sqrt(s);
        } else g[rowI + j] = s / g[rowJ + j]!;
      }
    }
    // The trailing lower triangle: A[i][j] −= Σ_{k0 ≤ t < k1} L[i][t]·L[j][t] for k1 ≤ j ≤ i.
    for (let j0 = k1; j0 < n; j0 += BLOCK) {
      const j1 = Math.min(n, j0 + BLOCK);
      subtractRowProducts(g, n, g, n, g, n, j0, n, j0, j1, k0, k1, true);
    }
    onProgress?.(k1 / n);
  }
}

/**
 * N = L⁻ᵀ for the lower-triangular L (in the lower triangle of `l`), as a new upper-triangular matrix.
 * Row c of N solves L·x = e_c: N[c][i] = (δ_ci − Σ_{c ≤ t < i} L[i][t]·N[c][t]) / L[i][i], a dot product
 * of two rows.
 */
export function inverseTransposeOfLower(l: Float64Array, n: number, onProgress?: (share: number) => void): Float64Array {
  const inv = new Float64Array(n * n);
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    // Earlier column blocks of every row c ≤ i1 at once: N[c][i] −= Σ_{t < i0} N[c][t]·L[i][t].
    if (i0 > 0) subtractRowProducts(inv, n, l, n, inv, n, 0, i1, i0, i1, 0, i0, false, true);
    // Then within the block, column by column.
    for (let c = 0; c < i1; c += 1) {
      const rowC = c * n;
      for (let i = Math.max(i0, c); i < i1; i += 1) {
        const rowI = i * n;
        let s = (i === c ? 1 : 0) + inv[rowC + i]!;
        for (let t = Math.max(i0, c); t < i; t += 1) s -= l[rowI + t]! * inv[rowC + t]!;
        inv[rowC + i] = s / l[rowI + i]!;
      }
    }
    onProgress?.(i1 / n);
  }
  return inv;
}

/** out[a][b] = Σ_t N[a][t]·N[b][t] for a ≥ b (N upper triangular, so t runs from a), the lower triangle. */
export function gramOfUpperRows(upper: Float64Array, n: number, out: Float64Array, onProgress?: (share: number) => void): void {
  for (let a0 = 0; a0 < n; a0 += BLOCK) {
    const a1 = Math.min(n, a0 + BLOCK);
    // −= of a negated sum: the kernel subtracts, so accumulate into zeros and flip the sign after.
    subtractRowProducts(upper, n, upper, n, out, n, a0, a1, 0, a1, a0, n, true);
    for (let a = a0; a < a1; a += 1) for (let b = 0; b <= a; b += 1) out[a * n + b] = -out[a * n + b]!;
    onProgress?.(a1 / n);
  }
}

/**
 * C[r][c] −= Σ_{t ∈ [t0, t1)} A[r][t]·B[c][t] for r ∈ [r0, r1), c ∈ [c0, c1); only c ≤ r when `lowerOnly`;
 * only c > r when `upperOnly`, where A is upper triangular, so t starts at r (A[r][t < r] is zero).
 * Rows are strided by lda, ldb, ldc. Tiles of BLOCK columns keep B's rows in cache while every row of A
 * passes over them.
 */
function subtractRowProducts(
  a: Float64Array,
  lda: number,
  b: Float64Array,
  ldb: number,
  c: Float64Array,
  ldc: number,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
  t0: number,
  t1: number,
  lowerOnly: boolean,
  upperOnly = false,
): void {
  for (let cFrom = c0; cFrom < c1; cFrom += BLOCK) {
    const cTo = Math.min(c1, cFrom + BLOCK);
    // Only rows that have a column of this tile on their side of the diagonal.
    const rFrom = lowerOnly ? Math.max(r0, cFrom) : r0;
    const rTo = upperOnly ? Math.min(r1, cTo) : r1;
    let r = rFrom;
    for (; r + 4 <= rTo; r += 4) {
      // The columns of this tile that rows r..r+3 all need; the ragged edge goes one row at a time.
      const common0 = upperOnly ? Math.max(cFrom, r + 4) : cFrom;
      const common1 = lowerOnly ? Math.min(cTo, r + 1) : cTo;
      if (common0 < common1) block4(a, lda, b, ldb, c, ldc, r, common0, common1, upperOnly ? Math.max(t0, r) : t0, t1);
      for (let rr = r; rr < r + 4; rr += 1) {
        if (lowerOnly) {
          if (common0 < common1) row1(a, lda, b, ldb, c, ldc, rr, Math.max(common1, cFrom), Math.min(cTo, rr + 1), t0, t1);
          else row1(a, lda, b, ldb, c, ldc, rr, cFrom, Math.min(cTo, rr + 1), t0, t1);
        } else if (upperOnly) {
          const rowT0 = Math.max(t0, rr);
          if (common0 < common1) row1(a, lda, b, ldb, c, ldc, rr, Math.max(cFrom, rr + 1), Math.min(common0, cTo), rowT0, t1);
          else row1(a, lda, b, ldb, c, ldc, rr, Math.max(cFrom, rr + 1), cTo, rowT0, t1);
        }
      }
    }
    for (; r < rTo; r += 1) {
      const from = upperOnly ? Math.max(cFrom, r + 1) : cFrom;
      const to = lowerOnly ? Math.min(cTo, r + 1) : cTo;
      row1(a, lda, b, ldb, c, ldc, r, from, to, upperOnly ? Math.max(t0, r) : t0, t1);
    }
  }
}

/** Rows r..r+3 against the columns [from, to), two at a time. */
function block4(a: Float64Array, lda: number, b: Float64Array, ldb: number, c: Float64Array, ldc: number, r: number, from: number, to: number, t0: number, t1: number): void {
  const a0 = r * lda;
  const a1 = a0 + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  const o0 = r * ldc;
  const o1 = o0 + ldc;
  const o2 = o1 + ldc;
  const o3 = o2 + ldc;
  let j = from;
  for (; j + 2 <= to; j += 2) {
    const b0 = j * ldb;
    const b1 = b0 + ldb;
    let s00 = 0;
    let s10 = 0;
    let s20 = 0;
    let s30 = 0;
    let s01 = 0;
    let s11 = 0;
    let s21 = 0;
    let s31 = 0;
    for (let t = t0; t < t1; t += 1) {
      const x = b[b0 + t]!;
      const y = b[b1 + t]!;
      const p = a[a0 + t]!;
      const q = a[a1 + t]!;
      const u = a[a2 + t]!;
      const v = a[a3 + t]!;
      s00 += p * x;
      s10 += q * x;
      s20 += u * x;
      s30 += v * x;
      s01 += p * y;
      s11 += q * y;
      s21 += u * y;
      s31 += v * y;
    }
    c[o0 + j]! -= s00;
    c[o1 + j]! -= s10;
    c[o2 + j]! -= s20;
    c[o3 + j]! -= s30;
    c[o0 + j + 1]! -= s01;
    c[o1 + j + 1]! -= s11;
    c[o2 + j + 1]! -= s21;
    c[o3 + j + 1]! -= s31;
  }
  if (j < to) {
    const b0 = j * ldb;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let t = t0; t < t1; t += 1) {
      const x = b[b0 + t]!;
      s0 += a[a0 + t]! * x;
      s1 += a[a1 + t]! * x;
      s2 += a[a2 + t]! * x;
      s3 += a[a3 + t]! * x;
    }
    c[o0 + j]! -= s0;
    c[o1 + j]! -= s1;
    c[o2 + j]! -= s2;
    c[o3 + j]! -= s3;
  }
}

function row1(a: Float64Array, lda: number, b: Float64Array, ldb: number, c: Float64Array, ldc: number, r: number, from: number, to: number, t0: number, t1: number): void {
  const a0 = r * lda;
  const o0 = r * ldc;
  for (let j = from; j < to; j += 1) {
    const b0 = j * ldb;
    let s = 0;
    for (let t = t0; t < t1; t += 1) s += a[a0 + t]! * b[b0 + t]!;
    c[o0 + j]! -= s;
  }
}
