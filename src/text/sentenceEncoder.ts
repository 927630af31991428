import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { readEncoderFolder, TEXT_ENCODER_SETTING, type EncoderFolder } from './encoderFolder.js';
import { loadOnnxRuntime, RUNTIMES, type OnnxRuntime, type OnnxSession, type OnnxTensor, type RuntimeName } from './onnxRuntime.js';

/**
 * A pre-trained sentence encoder (a sentence-transformers model exported to ONNX) read from a local
 * folder: texts in, one unit-length vector per text out, so that the dot product of two rows is their
 * cosine similarity. Tokenisation is Hugging Face's own tokenizers.js over the folder's tokenizer.json;
 * the model runs on ONNX Runtime (see onnxRuntime.ts). Nothing is downloaded, at install or at run time.
 */

export interface SentenceEncoder {
  /** The model folder's name, e.g. `all-MiniLM-L6-v2`. */
  readonly name: string;
  readonly dimension: number;
  /** The runtime that runs it, e.g. `onnxruntime-web 1.30.0, 1 thread(s)`. */
  readonly runtime: string;
  /** Inputs longer than this (in tokens) are cut to it. */
  readonly maxTokens: number;
  /** Row-major texts.length × dimension, each row L2-normalised (all zeros for a text that gives no vector). */
  encode(texts: readonly string[]): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface SentenceEncoderOptions {
  /** Texts per model run (default 32, as sentence-transformers encodes). */
  batchSize?: number;
  /** Runtimes to try, in order (default: onnxruntime-node, then onnxruntime-web). */
  runtimes?: readonly RuntimeName[];
}

/** sentence-transformers' default batch size: large enough to amortise a run, small enough to bound padding. */
export const DEFAULT_BATCH_SIZE = 32;

/** The inputs a BERT-family export takes; token_type_ids is optional (absent from DistilBERT and MPNet exports). */
const REQUIRED_INPUTS = ['input_ids', 'attention_mask'] as const;
const KNOWN_INPUTS = new Set<string>([...REQUIRED_INPUTS, 'token_type_ids']);
/** A pooled output is used as it is; else the token states are mean-pooled over the attention mask. */
const POOLED_OUTPUT = 'sentence_embedding';
const TOKEN_OUTPUT = 'last_hidden_state';

/** What tokenizers.js's Tokenizer does, narrowed to the calls made here (its published types do not resolve under NodeNext). */
interface HfTokenizer {
  encode(text: string): { ids: Array<number | undefined> };
  get_added_tokens_decoder(): Map<number, { special?: boolean }>;
}

export async function loadSentenceEncoder(dir: string, options: SentenceEncoderOptions = {}): Promise<SentenceEncoder> {
  const folder = await readEncoderFolder(dir);
  const tokenizer = createTokenizer(folder);
  const runtime = await loadOnnxRuntime(options.runtimes ?? RUNTIMES);
  let session: OnnxSession;
  try {
    session = await runtime.createSession(new Uint8Array(await readFile(folder.modelFile)));
  } catch (error) {
    throw new Error(`${folder.modelFile}: ${runtime.name} could not load the model (${(error as Error).message})`, { cause: error });
  }
  try {
    const encoder = new OnnxSentenceEncoder(folder, tokenizer, runtime, session, options.batchSize ?? DEFAULT_BATCH_SIZE);
    await encoder.probe();
    return encoder;
  } catch (error) {
    await session.release();
    throw error;
  }
}

function createTokenizer(folder: EncoderFolder): HfTokenizer {
  try {
    return new Tokenizer(folder.tokenizerJson, folder.tokenizerConfig) as HfTokenizer;
  } catch (error) {
    throw new Error(`${folder.dir}/tokenizer.json: not a tokenizer that tokenizers.js can load (${(error as Error).message})`, { cause: error });
  }
}

class OnnxSentenceEncoder implements SentenceEncoder {
  readonly name: string;
  readonly maxTokens: number;
  dimension = 0;
  private readonly output: string;
  private readonly withTokenTypes: boolean;
  private readonly specialIds: ReadonlySet<number>;
  private readonly padId: number;
  /** One model run at a time: the catalogue's batches and a request's query take turns. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly folder: EncoderFolder,
    private readonly tokenizer: HfTokenizer,
    private readonly onnx: OnnxRuntime,
    private readonly session: OnnxSession,
    private readonly batchSize: number,
  ) {
    this.name = folder.name;
    this.maxTokens = folder.maxTokens;
    const where = `${folder.modelFile} (${TEXT_ENCODER_SETTING})`;
    const missing = REQUIRED_INPUTS.filter((input) => !session.inputNames.includes(input));
    const unknown = session.inputNames.filter((input) => !KNOWN_INPUTS.has(input));
    if (missing.length > 0 || unknown.length > 0) {
      throw new Error(`${where}: the model takes ${session.inputNames.join(', ')}; expected input_ids, attention_mask and optionally token_type_ids`);
    }
    const output = [POOLED_OUTPUT, TOKEN_OUTPUT].find((name) => session.outputNames.includes(name));
    if (!output) throw new Error(`${where}: the model gives ${session.outputNames.join(', ')}; expected ${TOKEN_OUTPUT} or ${POOLED_OUTPUT}`);
    this.output = output;
    this.withTokenTypes = session.inputNames.includes('token_type_ids');
    this.specialIds = new Set([...tokenizer.get_added_tokens_decoder()].filter(([, token]) => token.special).map(([id]) => id));
    const padding = folder.tokenizerJson.padding as { pad_id?: unknown } | null | undefined;
    // Padded positions are masked out of pooling, so any valid id serves; the tokenizer's own is the natural one.
    this.padId = typeof padding?.pad_id === 'number' ? padding.pad_id : 0;
  }

  get runtime(): string {
    return this.onnx.description();
  }

  /** Runs the model once on a short text: checks it end to end at load time and learns its dimension. */
  async probe(): Promise<void> {
    const { output } = await this.run([this.tokenize('dimension probe')]);
    this.dimension = output.dims.at(-1) ?? 0;
    if (this.dimension <= 0) throw new Error(`${this.folder.modelFile}: ${this.output} has shape [${output.dims.join(', ')}]; expected a last dimension of at least 1`);
  }

  async encode(texts: readonly string[]): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dimension);
    // Texts of similar length share a batch, so that little of each batch is padding. Each batch is
    // tokenised when its turn comes, so that a large catalogue never holds the event loop for long.
    const order = texts.map((_, i) => i).sort((a, b) => (texts[a] as string).length - (texts[b] as string).length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const rows = order.slice(start, start + this.batchSize);
      const batch = rows.map((row) => this.tokenize(texts[row] as string));
      const vectors = this.pool(await this.run(batch), batch.length);
      rows.forEach((row, k) => out.set(vectors.subarray(k * this.dimension, (k + 1) * this.dimension), row * this.dimension));
    }
    return out;
  }

  close(): Promise<void> {
    return this.session.release();
  }

  /** Token ids with the tokenizer's special tokens, cut to maxTokens keeping the closing special tokens ([SEP]). */
  private tokenize(text: string): number[] {
    const ids = this.tokenizer.encode(text).ids;
    const unknown = ids.findIndex((id) => typeof id !== 'number');
    if (unknown >= 0) throw new Error(`${this.folder.dir}/tokenizer.json: token ${unknown} of "${text.slice(0, 80)}" has no id (does the vocabulary hold the tokenizer's unk_token?)`);
    const known = ids as number[];
    if (known.length <= this.maxTokens) return known;
    let closing = 0;
    while (closing < known.length && this.specialIds.has(known[known.length - 1 - closing] as number)) closing += 1;
    return [...known.slice(0, this.maxTokens - closing), ...known.slice(known.length - closing)];
  }

  private run(batch: readonly number[][]): Promise<ModelRun> {
    const next = this.queue.then(() => this.runNow(batch));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(batch: readonly number[][]): Promise<ModelRun> {
    const length = Math.max(1, ...batch.map((ids) => ids.length));
    const ids = new BigInt64Array(batch.length * length).fill(BigInt(this.padId));
    const mask = new BigInt64Array(batch.length * length);
    batch.forEach((row, b) =>
      row.forEach((id, t) => {
        ids[b * length + t] = BigInt(id);
        mask[b * length + t] = 1n;
      }),
    );
    const dims = [batch.length, length];
    const feeds: Record<string, OnnxTensor> = { input_ids: this.onnx.int64Tensor(ids, dims), attention_mask: this.onnx.int64Tensor(mask, dims) };
    if (this.withTokenTypes) feeds.token_type_ids = this.onnx.int64Tensor(new BigInt64Array(ids.length), dims);
    const result = await this.session.run(feeds, [this.output]);
    const output = result[this.output];
    if (!output || !(output.data instanceof Float32Array)) {
      throw new Error(`${this.folder.modelFile}: ${this.output} is ${output?.type ?? 'missing'}; expected float32`);
    }
    return { output, mask };
  }

  /** Unit-length sentence vectors for the batch: the pooled output, or the token states' mean over the mask. */
  private pool({ output, mask }: ModelRun, batchSize: number): Float32Array {
    const data = output.data as Float32Array;
    if (this.output === POOLED_OUTPUT) return normaliseRows(data.slice(0, batchSize * this.dimension), this.dimension);
    const [batch = 0, length = 0, dimension = 0] = output.dims;
    if (output.dims.length !== 3 || batch !== batchSize || dimension !== this.dimension) {
      throw new Error(`${this.folder.modelFile}: ${TOKEN_OUTPUT} has shape [${output.dims.join(', ')}]; expected [${batchSize}, ${length}, ${this.dimension}]`);
    }
    return normaliseRows(meanPool(data, mask, batch, length, dimension), dimension);
  }
}

interface ModelRun {
  output: OnnxTensor;
  /** The attention mask fed to the model, [batch, length]. */
  mask: BigInt64Array;
}

/**
 * Each sequence's mean token state over its attention mask (padding left out), from hidden states laid out
 * [batch, length, dimension] and a mask laid out [batch, length]. A sequence with no unmasked token gets zeros.
 */
export function meanPool(hidden: Float32Array, mask: ArrayLike<number | bigint>, batch: number, length: number, dimension: number): Float32Array {
  const out = new Float32Array(batch * dimension);
  for (let b = 0; b < batch; b += 1) {
    const row = out.subarray(b * dimension, (b + 1) * dimension);
    let count = 0;
    for (let t = 0; t < length; t += 1) {
      if (Number(mask[b * length + t]) === 0) continue;
      const offset = (b * length + t) * dimension;
      for (let k = 0; k < dimension; k += 1) row[k] = (row[k] as number) + (hidden[offset + k] as number);
      count += 1;
    }
    if (count > 0) for (let k = 0; k < dimension; k += 1) row[k] = (row[k] as number) / count;
  }
  return out;
}

/** Scales each row to unit length in place (a zero row stays zero). */
export function normaliseRows(matrix: Float32Array, dimension: number): Float32Array {
  for (let start = 0; start < matrix.length; start += dimension) {
    let squares = 0;
    for (let k = start; k < start + dimension; k += 1) squares += (matrix[k] as number) ** 2;
    if (squares === 0) continue;
    const factor = 1 / Math.sqrt(squares);
    for (let k = start; k < start + dimension; k += 1) matrix[k] = (matrix[k] as number) * factor;
  }
  return matrix;
}
