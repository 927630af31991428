import type { SentenceEncoder } from '../text/sentenceEncoder.js';

/**
 * Text likeness between products: what the `text` signal of recommend needs. Two implementations: TransE
 * term vectors (`TextSpace` in productSpace.ts, the default) and a pre-trained sentence encoder
 * (`EncodedTextSpace` below, when `KGREC_TEXT_ENCODER` names one).
 */
export interface ProductTextSpace {
  /** 1 for products whose text gives a vector. */
  readonly hasText: Uint8Array;
  /** Likeness of every product to the history's weighted mean text vector (products without text score the minimum; all 0 without history). */
  scoreHistory(history: readonly { index: number; weight: number }[]): Float32Array;
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
    this.withoutText = hasText.reduce((count, flag) => count + (flag ? 0 : 1), 0);
  }

  get size(): number {
    return this.hasText.length;
  }

  scoreHistory(history: readonly { index: number; weight: number }[]): Float32Array {
    const taste = new Float32Array(this.dimension);
    let total = 0;
    for (const item of history) {
      if (!this.hasText[item.index] || item.weight <= 0) continue;
      const offset = item.index * this.dimension;
      for (let k = 0; k < this.dimension; k += 1) taste[k] = (taste[k] as number) + item.weight * (this.matrix[offset + k] as number);
      total += item.weight;
    }
    if (total === 0) return new Float32Array(this.size);
    return this.scoreVector(taste);
  }

  /** Cosine similarity of the encoded query to every product (products without text score the minimum). */
  async scoreQuery(text: string): Promise<Float32Array> {
    return this.scoreVector(await this.encoder.encode([text]));
  }

  private scoreVector(vector: Float32Array): Float32Array {
    const n = this.size;
    const d = this.dimension;
    const out = new Float32Array(n);
    let min = 0;
    for (let i = 0; i < n; i += 1) {
      let dot = 0;
      const offset = i * d;
      for (let k = 0; k < d; k += 1) dot += (this.matrix[offset + k] as number) * (vector[k] as number);
      out[i] = dot;
      if (this.hasText[i] && dot < min) min = dot;
    }
    if (this.withoutText > 0) for (let i = 0; i < n; i += 1) if (!this.hasText[i]) out[i] = min;
    return out;
  }
}
