import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ENV_KEYS } from '../config.js';
import { readTextIfPresent } from '../util/files.js';

/**
 * The folder of a sentence encoder, as the ONNX export of a sentence-transformers model lays it out (for
 * example `optimum-cli export onnx --model sentence-transformers/all-MiniLM-L6-v2 DIR`, or the `onnx/`
 * folder of such a model's repository): `tokenizer.json` (Hugging Face tokenizers format), `model.onnx` at
 * the top or in `onnx/`, and optionally `tokenizer_config.json` and `sentence_bert_config.json`. Only local
 * files are read; nothing is ever downloaded.
 */

/** How errors name the setting that points here. */
export const TEXT_ENCODER_SETTING = `${ENV_KEYS.textEncoderPath} (textEncoderPath)`;

/** Where the model may lie, in the order looked at. */
export const MODEL_FILES = ['model.onnx', path.join('onnx', 'model.onnx')] as const;

/**
 * BERT's position embeddings end at 512 tokens; a model whose files name no limit gets this one, which
 * every BERT-family encoder accepts.
 */
export const DEFAULT_MAX_TOKENS = 512;

/** tokenizer_config.json's model_max_length is a huge sentinel (1e30) when the tokenizer has no limit. */
const UNSET_MAX_LENGTH = 1_000_000;

export interface EncoderFolder {
  dir: string;
  /** The folder's name, e.g. `all-MiniLM-L6-v2`, to log and show in reasons. */
  name: string;
  modelFile: string;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** The longest input (in tokens, special ones included) the model takes. */
  maxTokens: number;
}

/** Reads and checks the folder; errors name the missing file, the folder and the setting. */
export async function readEncoderFolder(dir: string): Promise<EncoderFolder> {
  const resolved = path.resolve(dir);
  const kind = await fileKind(resolved);
  if (kind === 'missing') throw new Error(`${TEXT_ENCODER_SETTING}: text encoder folder not found: ${resolved}`);
  if (kind !== 'folder') throw new Error(`${TEXT_ENCODER_SETTING}: ${resolved} is not a folder (expected a folder holding tokenizer.json and model.onnx)`);
  const tokenizerFile = path.join(resolved, 'tokenizer.json');
  if ((await fileKind(tokenizerFile)) !== 'file') {
    throw new Error(`${TEXT_ENCODER_SETTING}: ${resolved} has no tokenizer.json (the Hugging Face tokenizers file of a sentence-transformers ONNX export)`);
  }
  let modelFile: string | null = null;
  for (const candidate of MODEL_FILES) {
    if ((await fileKind(path.join(resolved, candidate))) === 'file') {
      modelFile = path.join(resolved, candidate);
      break;
    }
  }
  if (modelFile === null) throw new Error(`${TEXT_ENCODER_SETTING}: ${resolved} has no ${MODEL_FILES.join(' or ')}`);
  const tokenizerJson = (await readJson(tokenizerFile)) ?? {};
  const tokenizerConfig = (await readJson(path.join(resolved, 'tokenizer_config.json'))) ?? {};
  const sentenceConfig = (await readJson(path.join(resolved, 'sentence_bert_config.json'))) ?? {};
  return { dir: resolved, name: path.basename(resolved), modelFile, tokenizerJson, tokenizerConfig, maxTokens: maxTokens(sentenceConfig, tokenizerJson, tokenizerConfig) };
}

/** The model's input limit: sentence-transformers' own setting first, then the tokenizer's truncation, then its config. */
function maxTokens(sentenceConfig: Record<string, unknown>, tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown>): number {
  const truncation = tokenizerJson.truncation as { max_length?: unknown } | null | undefined;
  for (const value of [sentenceConfig.max_seq_length, truncation?.max_length, tokenizerConfig.model_max_length]) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 2 && value < UNSET_MAX_LENGTH) return value;
  }
  return DEFAULT_MAX_TOKENS;
}

async function fileKind(file: string): Promise<'missing' | 'file' | 'folder' | 'other'> {
  try {
    const info = await stat(file);
    return info.isDirectory() ? 'folder' : info.isFile() ? 'file' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
}

/** A JSON object from `file`, null when the file does not exist. */
async function readJson(file: string): Promise<Record<string, unknown> | null> {
  const text = await readTextIfPresent(file);
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}: expected a JSON object`);
  return value as Record<string, unknown>;
}
