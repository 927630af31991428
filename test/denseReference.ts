/**
 * Dense, obviously-correct references for the recommender tests: plain matrices as arrays of rows, a
 * Gauss–Jordan inverse with partial pivoting, and the binary user–item matrix of an interaction matrix.
 */
import type { InteractionMatrix } from '../src/math/interactions.js';

export type Dense = number[][];

export function denseOf(matrix: InteractionMatrix): Dense {
  const rows: Dense = Array.from({ length: matrix.userCount }, () => new Array<number>(matrix.itemCount).fill(0));
  for (let u = 0; u < matrix.userCount; u += 1) {
    for (let p = matrix.indptr[u]!; p < matrix.indptr[u + 1]!; p += 1) rows[u]![matrix.indices[p]!] = 1;
  }
  return rows;
}

export function transposed(a: Dense): Dense {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

export function product(a: Dense, b: Dense): Dense {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((sum, value, t) => sum + value * b[t]![j]!, 0)));
}

export function inverse(a: Dense): Dense {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const scale = m[col]![col]!;
    m[col] = m[col]!.map((value) => value / scale);
    for (let r = 0; r < n; r += 1) {
      if (r === col) continue;
      const factor = m[r]![col]!;
      if (factor !== 0) m[r] = m[r]!.map((value, c) => value - factor * m[col]![c]!);
    }
  }
  return m.map((row) => row.slice(n));
}

/** Row i of a sparse similarity as a dense row. */
export function denseRow(model: { itemCount: number; indptr: Int32Array; indices: Int32Array; similarities: Float32Array }, i: number): number[] {
  const row = new Array<number>(model.itemCount).fill(0);
  for (let p = model.indptr[i]!; p < model.indptr[i + 1]!; p += 1) row[model.indices[p]!] = model.similarities[p]!;
  return row;
}

/**
 * Checks one row of a top-k model against the full dense row of its formula: the kept values are the k
 * largest positive ones (ties may keep either item), and every kept entry has its formula value, divided
 * by the kept values' sum when the rows are normalised.
 */
export function expectTopKRow(got: number[], full: number[], k: number, normalised: boolean, expectClose: (a: number, b: number) => void): void {
  const best = full.filter((value) => value > 0).sort((a, b) => b - a).slice(0, k);
  const scale = normalised ? best.reduce((sum, value) => sum + value, 0) : 1;
  const kept = got.map((value, j) => [value, j] as const).filter(([value]) => value !== 0);
  if (kept.length !== best.length) throw new Error(`expected ${best.length} neighbours, got ${kept.length}`);
  for (const [value, j] of kept) expectClose(value, full[j]! / scale);
  const keptValues = kept.map(([value]) => value).sort((a, b) => b - a);
  best.forEach((value, n) => expectClose(keptValues[n]!, value / scale));
}
