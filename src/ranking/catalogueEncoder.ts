import path from 'node:path';
import type { ProductTextRow } from '../graph/rankingReads.js';
import { loadSentenceEncoder, type SentenceEncoder } from '../text/sentenceEncoder.js';
import { EncodedTextSpace } from './encodedTextSpace.js';

/**
 * The catalogue's texts through a sentence encoder, kept between reloads of the ranking state: a reload
 * (every KGREC_API_SNAPSHOT_TTL_SECONDS, and after catalogue edits) encodes only products that are new or
 * whose title or description changed, and
 * copies every other row from the previous load.
 */

/** Where the encoder says what it does (pino's logger fits). */
export interface EncoderLog {
  info(details: Record<string, unknown>, message: string): void;
}

/** What one encoded load leaves for the next. */
interface EncodedCatalogue {
  rowOf: Map<string, number>;
  texts: string[];
  matrix: Float32Array;
}

export class CatalogueEncoder {
  private previous: EncodedCatalogue | null = null;

  constructor(
    readonly encoder: SentenceEncoder,
    private readonly log?: EncoderLog,
  ) {}

  /** Rows for `products` in their order, from `texts` (products missing there have no text). */
  async encode(products: readonly { id: string }[], texts: ReadonlyMap<string, ProductTextRow>): Promise<EncodedTextSpace> {
    const started = Date.now();
    const { dimension } = this.encoder;
    const matrix = new Float32Array(products.length * dimension);
    const hasText = new Uint8Array(products.length);
    const productTexts = products.map((product) => {
      const row = texts.get(product.id);
      return row ? productText(row) : '';
    });
    const previous = this.previous;
    const pending: number[] = [];
    productTexts.forEach((text, index) => {
      if (text === '') return;
      hasText[index] = 1;
      const id = (products[index] as { id: string }).id;
      const before = previous?.rowOf.get(id);
      if (previous && before !== undefined && previous.texts[before] === text) {
        matrix.set(previous.matrix.subarray(before * dimension, (before + 1) * dimension), index * dimension);
      } else {
        pending.push(index);
      }
    });
    if (pending.length > 0) {
      const vectors = await this.encoder.encode(pending.map((index) => productTexts[index] as string));
      pending.forEach((index, k) => matrix.set(vectors.subarray(k * dimension, (k + 1) * dimension), index * dimension));
    }
    this.previous = { rowOf: new Map(products.map((product, index) => [product.id, index])), texts: productTexts, matrix };
    const counts = { encoded: pending.length, reused: hasText.reduce((sum, flag) => sum + flag, 0) - pending.length };
    if (counts.encoded > 0) this.log?.info({ ...counts, seconds: (Date.now() - started) / 1000, model: this.encoder.name }, 'product texts encoded');
    return new EncodedTextSpace(this.encoder, matrix, hasText, counts);
  }
}

/** What is encoded of a product: its title, then its description. */
export function productText(row: Pick<ProductTextRow, 'title' | 'description'>): string {
  return [row.title, row.description ?? ''].map((part) => part.trim()).filter((part) => part.length > 0).join('\n');
}

/** Encoders by folder: every reload of the state shares one, and with it the encodings of the last load. */
const encoders = new Map<string, Promise<CatalogueEncoder>>();

/** The catalogue encoder of the model in `dir`, loaded once per process (a failed load is tried again next time). */
export function catalogueEncoder(dir: string, log?: EncoderLog): Promise<CatalogueEncoder> {
  const key = path.resolve(dir);
  let cached = encoders.get(key);
  if (!cached) {
    cached = loadSentenceEncoder(key).then((encoder) => {
      log?.info({ model: encoder.name, path: key, runtime: encoder.runtime, dimension: encoder.dimension, maxTokens: encoder.maxTokens }, 'text encoder loaded');
      return new CatalogueEncoder(encoder, log);
    });
    cached.catch(() => encoders.delete(key));
    encoders.set(key, cached);
  }
  return cached;
}
