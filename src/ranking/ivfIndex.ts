import { multiplyTransposed } from '../math/matmul.js';
import { Random } from '../math/random.js';
import { rowDot, rowSquaredNorms } from './vectorMath.js';

/**
 * An inverted-file (IVF) index over the rows of a large vector matrix, so that a request does not pay a
 * full, memory-bound pass over 100,000 × 64 floats for one signal. Rows are grouped into
 * k-means lists; a query scores every list centre, then scores exactly the rows of the nearest lists
 * (a set share of the catalogue), and gives every other row an estimate from its list:
 *
 *   ‖q − p‖² ≈ ‖q − c‖² + ‖p − c‖²   (c: the row's list centre)
 *
 * which is exact when the row's offset from its centre is orthogonal to the query's, and is the expected
 * value when that offset points anywhere. Far rows therefore keep a sensible score (the fused ranking
 * standardises every signal over the whole catalogue, and another signal may still lift a far row), while
 * the near rows that decide the top of the list are exact. Hand-written: no maintained JS ANN library
 * gives approximate scores for every row, which the fusion needs, rather than a top-k alone. Recall and
 * speed against an exact pass: docs/decisions/0002-ivf-index-for-large-catalogues.md.
 */

export interface IvfOptions {
  /** Number of lists (default √rows, at least 8). */
  lists?: number;
  /** Share of the rows scored exactly per query, nearest lists first (default 0.1)... */
  probeShare?: number;
  /** ...but no more rows than this (default MAX_PROBED_ROWS). */
  maxProbedRows?: number;
  /** Rows sampled to fit the list centres (default 32 per list). */
  samplePerList?: number;
  /** Lloyd iterations on the sample (default 6). */
  iterations?: number;
  seed?: number;
}

/**
 * Rows scored exactly per query at most: what decides the top of a list is the few lists nearest the
 * query, whose number grows with √rows, not with the catalogue; this probe keeps the exact top 100 on the
 * 100,000-product benchmark shop (bench/rank prints it) at a fraction of a millisecond.
 */
export const MAX_PROBED_ROWS = 4_000;

/** Rows per block when assigning rows to their nearest centre: 1,024 × 316 floats stay in cache. */
const ASSIGN_BLOCK = 1_024;

export class IvfIndex {
  readonly lists: number;
  readonly probeShare: number;
  readonly maxProbedRows: number;
  /** List centres, lists × dimension. */
  readonly centroids: Float32Array;
  private readonly centroidNorms: Float32Array;
  /** The list of each row. */
  readonly listOf: Int32Array;
  /** ‖row − its centre‖² of each row. */
  private readonly residuals: Float32Array;
  /** Row numbers grouped by list: list l holds order[start[l] .. start[l + 1]). */
  private readonly order: Int32Array;
  private readonly start: Int32Array;
  /** The rows copied in list order, so that probing a list reads contiguous memory. */
  private readonly grouped: Float32Array;
  /** Where each row sits in `order` and `grouped`. */
  private readonly positionOf: Int32Array;
  private readonly groupedNorms: Float32Array;
  /** Per-query scratch (a request is synchronous from start to end of `score`). */
  private readonly centreDistances: Float32Array;

  private constructor(
    readonly rows: number,
    readonly dimension: number,
    centroids: Float32Array,
    listOf: Int32Array,
    matrix: Float32Array,
    probeShare: number,
    maxProbedRows: number,
  ) {
    this.lists = centroids.length / dimension;
    this.probeShare = probeShare;
    this.maxProbedRows = maxProbedRows;
    this.centroids = centroids;
    this.centroidNorms = rowSquaredNorms(centroids, this.lists, dimension);
    this.listOf = listOf;
    this.start = new Int32Array(this.lists + 1);
    for (let row = 0; row < rows; row += 1) this.start[(listOf[row] as number) + 1]! += 1;
    for (let list = 0; list < this.lists; list += 1) this.start[list + 1]! += this.start[list] as number;
    this.order = new Int32Array(rows);
    this.positionOf = new Int32Array(rows);
    const next = this.start.slice(0, this.lists);
    for (let row = 0; row < rows; row += 1) {
      const at = next[listOf[row] as number]!++;
      this.order[at] = row;
      this.positionOf[row] = at;
    }
    this.grouped = new Float32Array(rows * dimension);
    this.residuals = new Float32Array(rows);
    for (let at = 0; at < rows; at += 1) {
      const row = this.order[at] as number;
      const source = matrix.subarray(row * dimension, (row + 1) * dimension);
      this.grouped.set(source, at * dimension);
      const centre = (listOf[row] as number) * dimension;
      let sum = 0;
      for (let k = 0; k < dimension; k += 1) sum += ((source[k] as number) - (centroids[centre + k] as number)) ** 2;
      this.residuals[row] = sum;
    }
    this.groupedNorms = rowSquaredNorms(this.grouped, rows, dimension);
    this.centreDistances = new Float32Array(this.lists);
  }

  /** Fits list centres on a sample of the rows (k-means) and assigns every row to its nearest one. */
  static build(matrix: Float32Array, rows: number, dimension: number, options: IvfOptions = {}): IvfIndex {
    const lists = Math.max(1, Math.min(rows, options.lists ?? Math.max(8, Math.round(Math.sqrt(rows)))));
    const centroids = fitCentroids(matrix, rows, dimension, lists, options);
    return IvfIndex.withCentroids(matrix, rows, dimension, centroids, options);
  }

  /** An index over new rows with centres fitted before (the centres of the same model's vectors). */
  static withCentroids(matrix: Float32Array, rows: number, dimension: number, centroids: Float32Array, options: Pick<IvfOptions, 'probeShare' | 'maxProbedRows'> = {}): IvfIndex {
    const { probeShare = 0.1, maxProbedRows = MAX_PROBED_ROWS } = options;
    if (centroids.length % dimension !== 0 || centroids.length === 0) throw new RangeError(`IvfIndex: ${centroids.length} centre values do not make rows of ${dimension}`);
    if (!(probeShare > 0 && probeShare <= 1)) throw new RangeError(`IvfIndex: probeShare must be in (0, 1], got ${probeShare}`);
    if (!(maxProbedRows >= 1)) throw new RangeError(`IvfIndex: maxProbedRows must be at least 1, got ${maxProbedRows}`);
    return new IvfIndex(rows, dimension, centroids, assignRows(matrix, rows, dimension, centroids), matrix, probeShare, maxProbedRows);
  }

  /**
   * An index over new rows with this index's centres, where a row whose key (a product id) was indexed
   * here before with the same vector keeps its list and only the others are assigned: a reload of
   * 100,000 products then costs a comparison per row instead of a pass against every centre (seconds
   * on the event loop).
   */
  update(keys: readonly string[], matrix: Float32Array, rows: number, newKeys: readonly string[], options: Pick<IvfOptions, 'probeShare' | 'maxProbedRows'> = {}): IvfIndex {
    const { dimension } = this;
    const previousRow = new Map<string, number>();
    for (let row = 0; row < Math.min(keys.length, this.rows); row += 1) previousRow.set(keys[row] as string, row);
    const listOf = new Int32Array(rows).fill(-1);
    const unassigned: number[] = [];
    for (let row = 0; row < rows; row += 1) {
      const before = previousRow.get(newKeys[row] as string);
      if (before !== undefined && this.sameVector(before, matrix, row * dimension)) listOf[row] = this.listOf[before] as number;
      else unassigned.push(row);
    }
    if (unassigned.length > 0) {
      const pending = new Float32Array(unassigned.length * dimension);
      unassigned.forEach((row, at) => pending.set(matrix.subarray(row * dimension, (row + 1) * dimension), at * dimension));
      const lists = assignRows(pending, unassigned.length, dimension, this.centroids);
      unassigned.forEach((row, at) => (listOf[row] = lists[at] as number));
    }
    const { probeShare = this.probeShare, maxProbedRows = this.maxProbedRows } = options;
    return new IvfIndex(rows, dimension, this.centroids, listOf, matrix, probeShare, maxProbedRows);
  }

  private sameVector(row: number, matrix: Float32Array, offset: number): boolean {
    const from = (this.positionOf[row] as number) * this.dimension;
    for (let k = 0; k < this.dimension; k += 1) if (this.grouped[from + k] !== matrix[offset + k]) return false;
    return true;
  }

  /**
   * out[row] = −‖query − row‖₂: exact for the rows of the nearest lists (at least `probeShare` of all
   * rows, up to maxProbedRows), estimated from the list centre for the others. Returns how many rows
   * were scored exactly.
   */
  negativeL2(query: Float32Array, out: Float32Array): number {
    const { dimension, lists } = this;
    let qq = 0;
    for (let k = 0; k < dimension; k += 1) qq += (query[k] as number) ** 2;
    const centre = this.centreDistances;
    for (let list = 0, offset = 0; list < lists; list += 1, offset += dimension) {
      centre[list] = Math.max(0, qq - 2 * rowDot(this.centroids, offset, query, dimension) + (this.centroidNorms[list] as number));
    }
    estimateAll(out, this.rows, centre, this.listOf, this.residuals);
    const wanted = Math.min(Math.ceil(this.probeShare * this.rows), this.maxProbedRows);
    // The nearest lists one at a time: a probe visits a few dozen of hundreds, cheaper than sorting them all.
    const visited = new Uint8Array(lists);
    let probed = 0;
    while (probed < wanted) {
      let nearest = -1;
      for (let list = 0; list < lists; list += 1) {
        if (visited[list] === 0 && (nearest < 0 || (centre[list] as number) < (centre[nearest] as number))) nearest = list;
      }
      if (nearest < 0) break;
      visited[nearest] = 1;
      probed += this.scoreList(nearest, query, qq, out);
    }
    return probed;
  }

  private scoreList(list: number, query: Float32Array, qq: number, out: Float32Array): number {
    const { dimension, grouped } = this;
    const from = this.start[list] as number;
    const to = this.start[list + 1] as number;
    for (let at = from, offset = from * dimension; at < to; at += 1, offset += dimension) {
      out[this.order[at] as number] = -Math.sqrt(Math.max(0, qq - 2 * rowDot(grouped, offset, query, dimension) + (this.groupedNorms[at] as number)));
    }
    return to - from;
  }
}

/**
 * out[row] = −√(‖q − c‖² + ‖p − c‖²) for every row, from its list's centre distance: a loop of its own,
 * which V8 compiles tighter than inside negativeL2.
 */
function estimateAll(out: Float32Array, rows: number, centreDistances: Float32Array, listOf: Int32Array, residuals: Float32Array): void {
  for (let row = 0; row < rows; row += 1) out[row] = -Math.sqrt((centreDistances[listOf[row] as number] as number) + (residuals[row] as number));
}

/** Lloyd's k-means on a random sample of rows; an emptied list is re-seeded with a random sampled row. */
function fitCentroids(matrix: Float32Array, rows: number, dimension: number, lists: number, options: IvfOptions): Float32Array {
  const random = new Random(options.seed ?? 17);
  const sampleSize = Math.min(rows, lists * (options.samplePerList ?? 32));
  const sample = new Float32Array(sampleSize * dimension);
  const picked = sampleRows(rows, sampleSize, random);
  picked.forEach((row, at) => sample.set(matrix.subarray(row * dimension, (row + 1) * dimension), at * dimension));
  const centroids = sample.slice(0, lists * dimension);
  const sums = new Float64Array(lists * dimension);
  const counts = new Int32Array(lists);
  for (let iteration = 0; iteration < (options.iterations ?? 6); iteration += 1) {
    const assigned = assignRows(sample, sampleSize, dimension, centroids);
    sums.fill(0);
    counts.fill(0);
    for (let at = 0; at < sampleSize; at += 1) {
      const list = assigned[at] as number;
      counts[list]! += 1;
      for (let k = 0; k < dimension; k += 1) sums[list * dimension + k]! += sample[at * dimension + k] as number;
    }
    for (let list = 0; list < lists; list += 1) {
      const count = counts[list] as number;
      if (count === 0) {
        const row = random.nextInt(sampleSize);
        centroids.set(sample.subarray(row * dimension, (row + 1) * dimension), list * dimension);
        continue;
      }
      for (let k = 0; k < dimension; k += 1) centroids[list * dimension + k] = (sums[list * dimension + k] as number) / count;
    }
  }
  return centroids;
}

/** The nearest centre of each row: ‖p − c‖² = ‖p‖² − 2 p·c + ‖c‖², with p·c from blocked matrix products. */
function assignRows(matrix: Float32Array, rows: number, dimension: number, centroids: Float32Array): Int32Array {
  const lists = centroids.length / dimension;
  const norms = rowSquaredNorms(centroids, lists, dimension);
  const listOf = new Int32Array(rows);
  const dots = new Float32Array(ASSIGN_BLOCK * lists);
  for (let from = 0; from < rows; from += ASSIGN_BLOCK) {
    const count = Math.min(ASSIGN_BLOCK, rows - from);
    multiplyTransposed(matrix.subarray(from * dimension, (from + count) * dimension), count, centroids, lists, dimension, dots);
    for (let r = 0; r < count; r += 1) {
      let best = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let list = 0; list < lists; list += 1) {
        const distance = (norms[list] as number) - 2 * (dots[r * lists + list] as number);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = list;
        }
      }
      listOf[from + r] = best;
    }
  }
  return listOf;
}

/** `count` distinct row numbers below `rows` (a partial Fisher–Yates shuffle). */
function sampleRows(rows: number, count: number, random: Random): Int32Array {
  const all = Int32Array.from({ length: rows }, (_, row) => row);
  for (let i = 0; i < count; i += 1) {
    const j = i + random.nextInt(rows - i);
    const swap = all[i] as number;
    all[i] = all[j] as number;
    all[j] = swap;
  }
  return all.slice(0, count);
}

/**
 * Below this many rows an exact pass is cheap enough (decision record 0002) and the index is not
 * worth its build; above it every request would pay milliseconds per dense signal.
 */
export const EXACT_SCAN_MAX_ROWS = 20_000;

/** The last index per model and space, with the keys of its rows: reloads start from it. */
const lastIndexes = new WeakMap<object, Map<string, { index: IvfIndex; keys: readonly string[] }>>();

/**
 * An index over `matrix` whose centres are fitted once per `owner` (a loaded model) and `space`; later
 * reloads keep those centres (the state reloads every minute, the model's vectors do not change) and,
 * given `keys` naming the rows, reassign only the rows that are new or whose vector changed (new
 * products get derived vectors, texts change).
 */
export function indexForModel(owner: object, space: string, matrix: Float32Array, rows: number, dimension: number, options: IvfOptions = {}, keys?: readonly string[]): IvfIndex {
  let bySpace = lastIndexes.get(owner);
  if (!bySpace) lastIndexes.set(owner, (bySpace = new Map()));
  const last = bySpace.get(space);
  let index: IvfIndex;
  if (last && last.index.dimension === dimension) {
    index = keys ? last.index.update(last.keys, matrix, rows, keys, options) : IvfIndex.withCentroids(matrix, rows, dimension, last.index.centroids, options);
  } else {
    index = IvfIndex.build(matrix, rows, dimension, options);
  }
  bySpace.set(space, { index, keys: keys ?? [] });
  return index;
}
