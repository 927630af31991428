import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadOnnxRuntime } from '../../src/text/onnxRuntime.js';
import { loadSentenceEncoder, meanPool, type SentenceEncoder } from '../../src/text/sentenceEncoder.js';
import { tempDir } from '../helpers.js';
import { TINY_DIMENSION, TINY_VOCABULARY, writeTinyEncoder } from './tinyEncoder.js';

/** The loader against tiny encoders the tests write: an ONNX Gather model and a WordPiece tokenizer.json. */

const row = (vectors: Float32Array, i: number): number[] => [...vectors.subarray(i * TINY_DIMENSION, (i + 1) * TINY_DIMENSION)];
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((sum, value, k) => sum + value * (b[k] as number), 0);
const norm = (a: readonly number[]): number => Math.sqrt(dot(a, a));
const unit = (a: readonly number[]): number[] => a.map((value) => value / norm(a));
const embedding = (token: string): readonly number[] => TINY_VOCABULARY.find(([name]) => name === token)?.[1] ?? [];
const sum = (...tokens: string[]): number[] => tokens.map(embedding).reduce<number[]>((total, vector) => total.map((value, k) => value + (vector[k] as number)), new Array<number>(TINY_DIMENSION).fill(0));

const expectClose = (actual: readonly number[], expected: readonly number[]): void => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, k) => expect(value).toBeCloseTo(expected[k] as number, 5));
};

let encoder: SentenceEncoder;
const opened: SentenceEncoder[] = [];

beforeAll(async () => {
  encoder = await loadSentenceEncoder(writeTinyEncoder());
  opened.push(encoder);
});

afterAll(async () => {
  await Promise.all(opened.map((each) => each.close()));
});

describe('loadSentenceEncoder', () => {
  it('loads the folder and reports its dimension, name and runtime', () => {
    expect(encoder.dimension).toBe(TINY_DIMENSION);
    expect(encoder.name).toMatch(/^kgrec-encoder-/);
    expect(encoder.runtime).toMatch(/^onnxruntime-(node|web)/);
    expect(encoder.maxTokens).toBe(512);
  });

  it('gives unit-length rows in which synonyms align and unrelated words are orthogonal', async () => {
    const vectors = await encoder.encode(['sneaker', 'Shoe', 'lamp', 'kettle', 'sneakers']);
    expect(vectors).toHaveLength(5 * TINY_DIMENSION);
    for (let i = 0; i < 5; i += 1) expect(norm(row(vectors, i))).toBeCloseTo(1, 5);
    expect(dot(row(vectors, 0), row(vectors, 1))).toBeGreaterThan(0.98);
    expect(dot(row(vectors, 0), row(vectors, 2))).toBeCloseTo(0, 6);
    expect(dot(row(vectors, 2), row(vectors, 3))).toBeCloseTo(0, 6);
    // WordPiece splits "sneakers" into sneaker + ##s.
    expectClose(row(vectors, 4), row(vectors, 0));
  });

  it('mean-pools over the attention mask: padding in a batch changes nothing', async () => {
    // "sneaker" is [CLS] sneaker [SEP]; beside a longer text it is padded with [PAD], whose row is large.
    const alone = await encoder.encode(['sneaker']);
    const padded = await encoder.encode(['sneaker', 'red lamp kettle boot shoe lamp']);
    expectClose(row(alone, 0), unit(sum('[CLS]', 'sneaker', '[SEP]')));
    expectClose(row(padded, 0), row(alone, 0));
    expectClose(row(padded, 1), unit(sum('red', 'lamp', 'kettle', 'boot', 'shoe', 'lamp')));
  });

  it('encodes in batches and keeps the order of the texts', async () => {
    const texts = ['lamp lamp lamp red', 'shoe', 'kettle red', 'boot boot', 'sneaker lamp', 'red', ''];
    const small = await loadSentenceEncoder(writeTinyEncoder(), { batchSize: 2 });
    opened.push(small);
    const batched = await small.encode(texts);
    const whole = await encoder.encode(texts);
    texts.forEach((text, i) => {
      expectClose(row(batched, i), row(whole, i));
      const words = text.split(' ').filter(Boolean);
      // An empty text is [CLS] [SEP], both zero rows: a zero vector stays zero.
      expectClose(row(whole, i), words.length === 0 ? new Array<number>(TINY_DIMENSION).fill(0) : unit(sum(...words)));
    });
    expect(await small.encode([])).toHaveLength(0);
  });

  it('runs one batch at a time when asked concurrently', async () => {
    const [a, b] = await Promise.all([encoder.encode(['shoe', 'lamp']), encoder.encode(['kettle'])]);
    expectClose(row(a, 1), unit(sum('lamp')));
    expectClose(row(b, 0), unit(sum('kettle')));
  });

  it('cuts long texts to the model limit, keeping the closing [SEP]', async () => {
    const short = await loadSentenceEncoder(writeTinyEncoder({ maxSeqLength: 4 }));
    opened.push(short);
    expect(short.maxTokens).toBe(4);
    expectClose(row(await short.encode(['sneaker lamp lamp lamp']), 0), unit(sum('sneaker', 'lamp')));
  });

  it('takes the model from onnx/model.onnx, feeds token_type_ids when declared, and uses a pooled output', async () => {
    const nested = await loadSentenceEncoder(writeTinyEncoder({ modelAt: 'onnx/model.onnx', tokenTypes: true }));
    opened.push(nested);
    expectClose(row(await nested.encode(['boot shoe']), 0), unit(sum('boot', 'shoe')));
    const pooled = await loadSentenceEncoder(writeTinyEncoder({ output: 'sentence_embedding' }));
    opened.push(pooled);
    expect(pooled.dimension).toBe(TINY_DIMENSION);
    // This model pools by itself (over every position): its output is only normalised.
    expectClose(row(await pooled.encode(['lamp red']), 0), unit(sum('lamp', 'red')));
  });
});

describe('the textEncoderPath setting', () => {
  it('comes from KGREC_TEXT_ENCODER and is unset by default', () => {
    expect(loadConfig({ KGREC_TEXT_ENCODER: '/models/all-MiniLM-L6-v2' }).textEncoderPath).toBe('/models/all-MiniLM-L6-v2');
    expect(loadConfig({}).textEncoderPath).toBeUndefined();
  });
});

describe('loadSentenceEncoder errors', () => {
  it('names a missing folder, a file given as the folder, and the setting', async () => {
    const missing = path.join(tempDir(), 'no-such-model');
    await expect(loadSentenceEncoder(missing)).rejects.toThrow(`KGREC_TEXT_ENCODER (textEncoderPath): text encoder folder not found: ${missing}`);
    const file = path.join(tempDir(), 'model.onnx');
    writeFileSync(file, 'x');
    await expect(loadSentenceEncoder(file)).rejects.toThrow(/KGREC_TEXT_ENCODER.*is not a folder/);
  });

  it('names the missing model or tokenizer file', async () => {
    const noModel = writeTinyEncoder({ modelAt: null });
    await expect(loadSentenceEncoder(noModel)).rejects.toThrow(`${noModel} has no model.onnx or onnx/model.onnx`);
    const noTokenizer = writeTinyEncoder();
    rmSync(path.join(noTokenizer, 'tokenizer.json'));
    await expect(loadSentenceEncoder(noTokenizer)).rejects.toThrow(`${noTokenizer} has no tokenizer.json`);
  });

  it('names a model file the runtime cannot read, an output it does not know, and a broken tokenizer.json', async () => {
    const broken = writeTinyEncoder({ modelAt: null });
    mkdirSync(path.join(broken, 'onnx'));
    writeFileSync(path.join(broken, 'onnx', 'model.onnx'), 'not a model');
    await expect(loadSentenceEncoder(broken)).rejects.toThrow(`${path.join(broken, 'onnx', 'model.onnx')}: onnxruntime-`);
    await expect(loadSentenceEncoder(writeTinyEncoder({ output: 'token_embeddings' }))).rejects.toThrow(/gives token_embeddings; expected last_hidden_state or sentence_embedding/);
    const badJson = writeTinyEncoder();
    writeFileSync(path.join(badJson, 'tokenizer.json'), '{"model": ');
    await expect(loadSentenceEncoder(badJson)).rejects.toThrow(`${path.join(badJson, 'tokenizer.json')}: not valid JSON`);
  });

  it('says how to install the runtime when none loads', async () => {
    const native = await loadOnnxRuntime(['onnxruntime-node']).then(
      () => null,
      (error: unknown) => error as Error,
    );
    // onnxruntime-node is not a dependency of the project; where someone installed it, it simply loads.
    if (native) {
      expect(native.message).toContain('onnxruntime-node: not installed');
      expect(native.message).toContain('npm install onnxruntime-web');
      expect(native.message).toContain('KGREC_TEXT_ENCODER');
    }
    const web = await loadOnnxRuntime(['onnxruntime-web']);
    expect(web.description()).toMatch(/^onnxruntime-web \d+\.\d+/);
  });
});

describe('meanPool', () => {
  it('averages the unmasked positions only, wherever the mask is 0', () => {
    // batch 2, length 3, dimension 2; the second sequence masks its middle position.
    const hidden = Float32Array.from([1, 2, 3, 4, 100, 100, 1, 1, 100, 100, 3, 5]);
    const mask = BigInt64Array.from([1n, 1n, 0n, 1n, 0n, 1n]);
    expect([...meanPool(hidden, mask, 2, 3, 2)]).toEqual([2, 3, 2, 3]);
    expect([...meanPool(hidden, [0, 0, 0, 0, 0, 0], 2, 3, 2)]).toEqual([0, 0, 0, 0]);
  });
});
