import { forgetMoments } from './signalMoments.js';

/**
 * The catalogue-sized score arrays of one request (a signal's score per product, the fused scores), lent
 * from a pool of this thread and given back when the request's list is built.
 *
 * Why a pool: a request fills some seven such arrays. Their memory lies outside V8's heap, and V8 answers
 * a fast growth of it with scavenges of its own, which promote the objects of requests still in flight and
 * so bring on the mark-compacts that stall a ranking thread (docs/decisions/0017-api-request-path-and-soak.md).
 */

/** Gives out a zeroed array of one score per product. */
export type ScoreAllocator = (length: number) => Float32Array;

/** Allocation without a pool: offline evaluation, tests, and whatever keeps its scores. */
export const freshScores: ScoreAllocator = (length) => new Float32Array(length);

/**
 * Arrays kept for reuse: a few requests' worth (a thread ranks one request at a time, and a search's lease
 * spans at most its query's encoding), within a memory bound for large catalogues.
 */
const KEPT_ARRAYS = 64;
const KEPT_BYTES = 32 * 1024 * 1024;

function keptFor(length: number): number {
  return Math.max(8, Math.min(KEPT_ARRAYS, Math.floor(KEPT_BYTES / (length * Float32Array.BYTES_PER_ELEMENT))));
}

export class ScoreArrayPool {
  private readonly free = new Map<number, Float32Array[]>();

  /** A lease for one request: take() lends zeroed arrays, giveBack() returns every one of them. */
  lease(): ScoreLease {
    return new ScoreLease(this);
  }

  /** @internal A zeroed array of the length, reused when one is free. */
  take(length: number): Float32Array {
    const reused = this.free.get(length)?.pop();
    return reused ? reused.fill(0) : new Float32Array(length);
  }

  /** @internal */
  putBack(arrays: readonly Float32Array[]): void {
    for (const array of arrays) {
      forgetMoments(array);
      let kept = this.free.get(array.length);
      if (!kept) {
        // A catalogue of another size (a reload added products): the arrays of the old size are of no more use.
        this.free.clear();
        this.free.set(array.length, (kept = []));
      }
      if (kept.length < keptFor(array.length)) kept.push(array);
    }
  }

  /** Arrays waiting to be lent (for tests). */
  get freeCount(): number {
    let count = 0;
    for (const arrays of this.free.values()) count += arrays.length;
    return count;
  }
}

export class ScoreLease {
  private lent: Float32Array[] = [];

  constructor(private readonly pool: ScoreArrayPool) {}

  /** Lends a zeroed array; as a ScoreAllocator it is bound already. */
  readonly take: ScoreAllocator = (length) => {
    const array = this.pool.take(length);
    this.lent.push(array);
    return array;
  };

  /** Returns every array lent: none of them may be read or written after this. */
  giveBack(): void {
    this.pool.putBack(this.lent);
    this.lent = [];
  }
}
