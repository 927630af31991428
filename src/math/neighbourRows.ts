import type { TopKSelector } from './topK.js';

/** The result arrays start at this many entries (or rows · neighbours if smaller) and double when full. */
const INITIAL_CAPACITY = 1 << 20;

/** Sparse rows of best neighbours (CSR: indptr, indices, similarities), as item-similarity builds produce them. */
export interface NeighbourRows {
  indptr: Int32Array;
  indices: Int32Array;
  similarities: Float32Array;
}

/**
 * Collects one row of best neighbours after another, straight from a TopKSelector, into arrays that grow
 * by doubling: the builds do not know their total size before the last row.
 */
export class NeighbourRowsBuilder {
  readonly indptr: Int32Array;
  private indices: Int32Array;
  private similarities: Float32Array;
  private written = 0;

  constructor(rowCount: number, neighbours: number) {
    this.indptr = new Int32Array(rowCount + 1);
    this.indices = new Int32Array(Math.max(1, Math.min(rowCount * neighbours, INITIAL_CAPACITY)));
    this.similarities = new Float32Array(this.indices.length);
  }

  /** Ends `row` with the selector's first `kept` entries: column `columns[item]`, similarity `score · scale`. */
  endRow(row: number, columns: Int32Array, selector: TopKSelector, kept: number, scale = 1): void {
    const needed = this.written + kept;
    if (needed > this.indices.length) {
      const capacity = Math.max(needed, this.indices.length * 2);
      this.indices = resized(this.indices, capacity);
      this.similarities = resized(this.similarities, capacity);
    }
    for (let n = 0; n < kept; n += 1) {
      this.indices[this.written] = columns[selector.items[n]!]!;
      this.similarities[this.written] = selector.scores[n]! * scale;
      this.written += 1;
    }
    this.indptr[row + 1] = this.written;
  }

  /** The rows written, trimmed to their size. */
  finish(): NeighbourRows {
    return { indptr: this.indptr, indices: this.indices.slice(0, this.written), similarities: this.similarities.slice(0, this.written) };
  }
}

function resized<T extends Int32Array | Float32Array>(values: T, capacity: number): T {
  const bigger = new (values.constructor as new (length: number) => T)(capacity);
  bigger.set(values);
  return bigger;
}
