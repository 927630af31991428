import type { SentenceEncoder } from '../text/sentenceEncoder.js';
import { addScaled, rowDot, scale } from './vectorMath.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';

/**
 * Text likeness between products: what the `text` signal of recommend needs. Two implementations: TransE
 * term vectors (`TextSpace` in productSpace.ts, the default) and a pre-trained sentence encoder
 * (`EncodedTextSpace` below, when `KGREC_TEXT_ENCODER` names one).
 */
export interface ProductTextSpace {
  /** 1 for products whose text gives a vector. */
  readonly hasText: Uint8Array;
  /** Likeness of every product to the history's weighted mean text vector (products without text score the minimum; all 0 without history). */
  scoreHistory(history: readonly { index: number; weight: number }[], scores?: ScoreAllocator): Float32Array;
}

/** How many product texts a load encoded, and how many it took unchanged from the load before. */
export interface EncodingCounts {
  encoded: number;
  reused: number;
}

/**
 * Every product's title and description encoded by a sentence encoder, one unit-length row per product in
 * the snapshot's order. Likeness is the dot product: the cosine for a query, and for a history's mean
 * (not unit length) a constant multiple of it, which the fusion's standardisation removes.
 */
export class EncodedTextSpace implements ProductTextSpace {
  readonly dimension: number;
  private readonly withoutText: number;

  constructor(
    readonly encoder: SentenceEncoder,
    readonly matrix: Float32Array,
    readonly hasText: Uint8Array,
    readonly counts: EncodingCounts,
  ) {
    this.dimension = encoder.dimension;
    this.withoutText = countWithoutText(hasText);
  }

  get size(): number {
    return this.hasText.length;
  }

  scoreHistory(history: readonly { index: number; weight: number }[], scores: ScoreAllocator = freshScores): Float32Array {
    const taste = historyTaste(this.matrix, this.dimension, this.hasText, history);
    return taste ? this.scoreVector(taste, scores(this.size)) : scores(this.size);
  }

  /** Cosine similarity of the encoded query to every product (products without text score the minimum). */
  async scoreQuery(text: string, scores: ScoreAllocator = freshScores): Promise<Float32Array> {
    const vector = await this.encoder.encode([text]);
    return this.scoreVector(vector, scores(this.size));
  }

  private scoreVector(vector: Float32Array, out: Float32Array): Float32Array {
    const n = this.size;
    const d = this.dimension;
    for (let i = 0; i < n; i += 1) out[i] = rowDot(this.matrix, i * d, vector, d);
    floorWithoutText(out, this.hasText, this.withoutText);
    return out;
  }
}

/** The weighted mean of the history's rows that have text; null when none has (or no weight is positive). */
export function historyTaste(matrix: Float32Array, dimension: number, hasText: Uint8Array, history: readonly { index: number; weight: number }[]): Float32Array | null {
  const taste = new Float32Array(dimension);
  let total = 0;
  for (const item of history) {
    if (!hasText[item.index] || item.weight <= 0) continue;
    addScaled(taste, matrix.subarray(item.index * dimension, (item.index + 1) * dimension), item.weight);
    total += item.weight;
  }
  return total === 0 ? null : scale(taste, 1 / total);
}

export function countWithoutText(hasText: Uint8Array): number {
  return hasText.reduce((count, flag) => count + (flag ? 0 : 1), 0);
}

/** Products without text take the lowest score of those with one (0 at most): no opinion, not a penalty. */
export function floorWithoutText(out: Float32Array, hasText: Uint8Array, withoutText: number): void {
  if (withoutText === 0) return;
  let min = 0;
  for (let i = 0; i < out.length; i += 1) if (hasText[i] && (out[i] as number) < min) min = out[i] as number;
  for (let i = 0; i < out.length; i += 1) if (!hasText[i]) out[i] = min;
}
