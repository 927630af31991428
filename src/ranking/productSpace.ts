import { tokenize } from '../text/tokenize.js';
import type { CatalogSnapshot } from './catalogSnapshot.js';
import type { ModelVectors } from './modelVectors.js';
import { EXACT_SCAN_MAX_ROWS, indexForModel, type IvfIndex } from './ivfIndex.js';
import { addScaled, negativeDistances, negativeL2Distances, rowSquaredNorms, scale } from './vectorMath.js';

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
    readonly snapshot: CatalogSnapshot,
    coldTexts: ReadonlyMap<string, ColdProductText>,
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
    this.squaredNorms = rowSquaredNorms(this.matrix, n, dimension);
    this.index = largeL2(model, n) ? indexForModel(model, 'products', this.matrix, n, dimension) : null;
  }

  private readonly squaredNorms: Float32Array;
  /** For a large catalogue: exact scores near the query, estimates elsewhere (see ivfIndex.ts). */
  private readonly index: IvfIndex | null;

  get size(): number {
    return this.snapshot.products.length;
  }

  row(index: number): Float32Array {
    return this.matrix.subarray(index * this.dimension, (index + 1) * this.dimension);
  }

  /** out[i] = −distance(query, product i) under the model's distance. */
  score(query: Float32Array, out: Float32Array): void {
    if (this.index) this.index.negativeL2(query, out);
    else if (this.model.distance === 'L2') negativeL2Distances(this.matrix, this.size, this.dimension, query, this.squaredNorms, out);
    else negativeDistances(this.matrix, this.size, this.dimension, query, this.model.distance, out);
  }
}

/** Whether a space of `rows` rows is scored through an IVF index (L2 only: the estimate is an L2 one). */
function largeL2(model: ModelVectors, rows: number): boolean {
  return model.distance === 'L2' && rows > EXACT_SCAN_MAX_ROWS;
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

  constructor(model: ModelVectors, productCount: number, termsOf: (index: number) => readonly string[]) {
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
    this.distance = model.distance;
    this.squaredNorms = rowSquaredNorms(this.matrix, productCount, dimension);
    this.index = largeL2(model, productCount) ? indexForModel(model, 'texts', this.matrix, productCount, dimension) : null;
    this.withoutText = this.hasText.reduce((count, flag) => count + (flag ? 0 : 1), 0);
  }

  /** Products with no known term: when there are none, the per-request fix-up pass is skipped. */
  private readonly withoutText: number;

  private readonly distance: ModelVectors['distance'];
  private readonly squaredNorms: Float32Array;
  private readonly index: IvfIndex | null;

  /** −distance from the history's weighted mean text vector to every product (products without text score the minimum). */
  scoreHistory(history: readonly { index: number; weight: number }[]): Float32Array {
    const n = this.hasText.length;
    const out = new Float32Array(n);
    const taste = new Float32Array(this.dimension);
    let total = 0;
    for (const item of history) {
      if (!this.hasText[item.index] || item.weight <= 0) continue;
      addScaled(taste, this.matrix.subarray(item.index * this.dimension, (item.index + 1) * this.dimension), item.weight);
      total += item.weight;
    }
    if (total === 0) return out;
    scale(taste, 1 / total);
    if (this.index) this.index.negativeL2(taste, out);
    else if (this.distance === 'L2') negativeL2Distances(this.matrix, n, this.dimension, taste, this.squaredNorms, out);
    else negativeDistances(this.matrix, n, this.dimension, taste, this.distance, out);
    if (this.withoutText === 0) return out;
    let min = 0;
    for (let i = 0; i < n; i += 1) if (this.hasText[i] && (out[i] as number) < min) min = out[i] as number;
    for (let i = 0; i < n; i += 1) if (!this.hasText[i]) out[i] = min;
    return out;
  }
}
