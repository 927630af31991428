import { tokenize } from '../text/tokenize.js';
import type { CatalogueSnapshot } from './catalogueSnapshot.js';
import type { ModelVectors } from './modelVectors.js';
import { countWithoutText, floorWithoutText, historyTaste } from './encodedTextSpace.js';
import { EXACT_SCAN_MAX_ROWS, indexForModel, type IvfIndex } from './ivfIndex.js';
import { SimdRowScorer } from './simdRowScorer.js';
import { addScaled, negativeDistances, negativeL2Distances, rowDot, rowSquaredNorms, scale } from './vectorMath.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';

/**
 * Every product of the catalogue snapshot as a row of one matrix, in the snapshot's order, so that a
 * request scores the whole catalogue with one pass over contiguous memory. Products the model has not
 * seen (added since it was trained) get a vector at once, derived from what the graph already says about
 * them: TransE learns product + r ≈ tail, so each known category, brand and term of the product's text
 * points to where it should sit (tail − r), and their mean is its vector until the next retraining.
 */

export type VectorSource = 'trained' | 'derived' | 'none';

export interface ColdProductText {
  title: string;
  description: string | null;
}

export class ProductSpace {
  readonly matrix: Float32Array;
  readonly dimension: number;
  readonly sources: VectorSource[];
  readonly derivedCount: number;

  constructor(
    readonly model: ModelVectors,
    readonly snapshot: CatalogueSnapshot,
    coldTexts: ReadonlyMap<string, ColdProductText>,
    /** The SIMD kernels' module, for the exact pass (null: the plain loops). */
    rowKernels: WebAssembly.Module | null = null,
  ) {
    const { dimension } = model;
    const n = snapshot.products.length;
    this.dimension = dimension;
    this.matrix = new Float32Array(n * dimension);
    this.sources = new Array<VectorSource>(n).fill('none');
    const mean = new Float32Array(dimension);
    let trained = 0;
    snapshot.products.forEach((product, row) => {
      const vector = model.entity('Product', product.id);
      if (!vector) return;
      this.matrix.set(vector, row * dimension);
      this.sources[row] = 'trained';
      addScaled(mean, vector, 1);
      trained += 1;
    });
    if (trained > 0) scale(mean, 1 / trained);
    let derived = 0;
    snapshot.products.forEach((product, row) => {
      if (this.sources[row] === 'trained') return;
      const vector = deriveVector(model, product.categoryId, product.brandId, coldTexts.get(product.id));
      // With nothing to go on, the catalogue's centre: close to nothing in particular, far from nothing.
      this.matrix.set(vector ?? mean, row * dimension);
      if (vector) {
        this.sources[row] = 'derived';
        derived += 1;
      }
    });
    this.derivedCount = derived;
    this.scorer = new RowScorer(model, 'products', this.matrix, n, snapshot.products.map((product) => product.id), rowKernels);
  }

  private readonly scorer: RowScorer;

  get size(): number {
    return this.snapshot.products.length;
  }

  row(index: number): Float32Array {
    return this.matrix.subarray(index * this.dimension, (index + 1) * this.dimension);
  }

  /** out[i] = −distance(query, product i) under the model's distance. */
  score(query: Float32Array, out: Float32Array): void {
    this.scorer.score(query, out);
  }

  /**
   * Cosine similarity of products i and j, from the rows' norms computed once (0 for a zero row). Asked a
   * few hundred times per request (diversity, explanations): no view of a row is allocated.
   */
  cosine(i: number, j: number): number {
    const norms = this.scorer.squaredNorms;
    const squared = (norms[i] as number) * (norms[j] as number);
    return squared > 0 ? rowDot(this.matrix, j * this.dimension, this.matrix, this.dimension, i * this.dimension) / Math.sqrt(squared) : 0;
  }
}

/**
 * −distance from a query to every row of a matrix under the model's distance: through an IVF index for a
 * large L2 space (exact near the query, estimated elsewhere; see ivfIndex.ts), else one exact pass.
 */
class RowScorer {
  readonly squaredNorms: Float32Array;
  private readonly index: IvfIndex | null;
  private readonly simd: SimdRowScorer | null;

  constructor(
    private readonly model: ModelVectors,
    space: string,
    private readonly matrix: Float32Array,
    private readonly rows: number,
    /** What each row is (product ids): a reload reassigns only the rows that are new or changed. */
    keys?: readonly string[],
    rowKernels: WebAssembly.Module | null = null,
  ) {
    const { dimension } = model;
    this.squaredNorms = rowSquaredNorms(matrix, rows, dimension);
    // The index's estimate is an L2 one.
    this.index = model.distance === 'L2' && rows > EXACT_SCAN_MAX_ROWS ? indexForModel(model, space, matrix, rows, dimension, {}, keys) : null;
    this.simd = !this.index && rowKernels ? new SimdRowScorer(rowKernels, matrix, rows, dimension, model.distance) : null;
  }

  score(query: Float32Array, out: Float32Array): void {
    const { dimension, distance } = this.model;
    if (this.index) this.index.negativeL2(query, out);
    else if (this.simd) this.simd.score(query, out);
    else if (distance === 'L2') negativeL2Distances(this.matrix, this.rows, dimension, query, this.squaredNorms, out);
    else negativeDistances(this.matrix, this.rows, dimension, query, distance, out);
  }
}

/** The mean of the product points implied by the product's category, brand and text terms; null if none is known. */
export function deriveVector(model: ModelVectors, categoryId: string | null, brandId: string | null, text: ColdProductText | undefined): Float32Array | null {
  const sum = new Float32Array(model.dimension);
  let count = 0;
  const add = (point: Float32Array | null): void => {
    if (!point) return;
    addScaled(sum, point, 1);
    count += 1;
  };
  if (categoryId !== null) add(model.productPointFor('Category', categoryId, 'IN_CATEGORY'));
  if (brandId !== null) add(model.productPointFor('Brand', brandId, 'HAS_BRAND'));
  if (text) for (const term of new Set(tokenize(`${text.title} ${text.description ?? ''}`))) add(model.productPointFor('Term', term, 'HAS_TERM'));
  return count === 0 ? null : scale(sum, 1 / count);
}

/**
 * Products by the words of their texts, in the model's space: each product's row is the mean of the
 * points its terms imply (term − r_HAS_TERM). A user's text taste is the weighted mean of their products'
 * rows, so "text likeness" ranks products described like the ones they engaged with, including
 * products new since training.
 */
export class TextSpace {
  readonly matrix: Float32Array;
  readonly dimension: number;
  /** 1 for products with at least one known term. */
  readonly hasText: Uint8Array;

  constructor(
    model: ModelVectors,
    productCount: number,
    termsOf: (index: number) => readonly string[],
    keys?: readonly string[],
    /** The SIMD kernels' module, for the exact pass (null: the plain loops). */
    rowKernels: WebAssembly.Module | null = null,
  ) {
    const { dimension } = model;
    this.dimension = dimension;
    this.matrix = new Float32Array(productCount * dimension);
    this.hasText = new Uint8Array(productCount);
    const points = new Map<string, Float32Array | null>();
    for (let index = 0; index < productCount; index += 1) {
      const row = this.matrix.subarray(index * dimension, (index + 1) * dimension);
      let count = 0;
      for (const term of termsOf(index)) {
        let point = points.get(term);
        if (point === undefined) {
          point = model.productPointFor('Term', term, 'HAS_TERM');
          points.set(term, point);
        }
        if (!point) continue;
        addScaled(row, point, 1);
        count += 1;
      }
      if (count > 0) {
        scale(row, 1 / count);
        this.hasText[index] = 1;
      }
    }
    this.scorer = new RowScorer(model, 'texts', this.matrix, productCount, keys, rowKernels);
    this.withoutText = countWithoutText(this.hasText);
  }

  /** Products with no known term: when there are none, the per-request fix-up pass is skipped. */
  private readonly withoutText: number;
  private readonly scorer: RowScorer;

  /** −distance from the history's weighted mean text vector to every product (products without text score the minimum). */
  scoreHistory(history: readonly { index: number; weight: number }[], scores: ScoreAllocator = freshScores): Float32Array {
    const out = scores(this.hasText.length);
    const taste = historyTaste(this.matrix, this.dimension, this.hasText, history);
    if (!taste) return out;
    this.scorer.score(taste, out);
    floorWithoutText(out, this.hasText, this.withoutText);
    return out;
  }
}
