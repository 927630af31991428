import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { tempDir } from '../helpers.js';

/**
 * Writes a tiny sentence encoder in the layout of a sentence-transformers ONNX export: a BERT-style
 * WordPiece `tokenizer.json` and a `model.onnx` whose "transformer" is one Gather over an embedding table,
 * so each token's state is its row. The table puts "sneaker" and "shoe" almost on one direction, "boot"
 * near them, and the other words on directions of their own; [PAD] is large, so that pooling which does
 * not honour the attention mask shows.
 */

export const TINY_DIMENSION = 6;

/** Token → its embedding row (the vocabulary, in id order). */
export const TINY_VOCABULARY: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['[PAD]', [5, 5, 5, 5, 5, 5]],
  ['[UNK]', [0, 0, 0, 0, 0, 0]],
  ['[CLS]', [0, 0, 0, 0, 0, 0]],
  ['[SEP]', [0, 0, 0, 0, 0, 0]],
  ['sneaker', [1, 0.1, 0, 0, 0, 0]],
  ['shoe', [1, 0, 0.1, 0, 0, 0]],
  ['boot', [0.6, 0, 0.8, 0, 0, 0]],
  ['lamp', [0, 0, 0, 1, 0, 0]],
  ['kettle', [0, 0, 0, 0, 1, 0]],
  ['red', [0, 0, 0, 0, 0, 1]],
  ['##s', [0, 0, 0, 0, 0, 0]],
];

export interface TinyEncoderOptions {
  /** `last_hidden_state` (the token states, to pool), `sentence_embedding` (the model pools: a mean over all positions), or another name for the token states. */
  output?: string;
  /** Declare a token_type_ids input, as BERT exports do. */
  tokenTypes?: boolean;
  /** Where model.onnx goes: the folder itself or its onnx/ subfolder. */
  modelAt?: 'model.onnx' | 'onnx/model.onnx' | null;
  /** sentence_bert_config.json's max_seq_length. */
  maxSeqLength?: number;
  dir?: string;
}

/** Writes the encoder's files into a new temporary folder (or `dir`) and returns the folder. */
export function writeTinyEncoder(options: TinyEncoderOptions = {}): string {
  const dir = options.dir ?? tempDir('kgrec-encoder-');
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  if (options.maxSeqLength !== undefined) writeFileSync(path.join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: options.maxSeqLength, do_lower_case: false }));
  const modelAt = options.modelAt === undefined ? 'model.onnx' : options.modelAt;
  if (modelAt !== null) {
    const file = path.join(dir, modelAt);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, modelBytes(options.output ?? 'last_hidden_state', options.tokenTypes ?? false));
  }
  return dir;
}

function tokenizerJson(): Record<string, unknown> {
  const vocab = Object.fromEntries(TINY_VOCABULARY.map(([token], id) => [token, id]));
  const special = (content: string) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const specialToken = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]')],
      pair: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]'), { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((token) => [token, { id: token, ids: [vocab[token]], tokens: [token] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

/** The part of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto) that a Gather model needs; field numbers as there. */
const ONNX_SUBSET = `
syntax = "proto2";
package onnx;
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; repeated float float_data = 4 [packed = true]; optional string name = 8; }
message AttributeProto { optional string name = 1; optional int64 i = 3; repeated int64 ints = 8; optional int32 type = 20; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; repeated AttributeProto attribute = 5; }
message GraphProto {
  repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message ModelProto { optional int64 ir_version = 1; optional string producer_name = 2; optional GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

/** TensorProto.DataType and AttributeProto.AttributeType values used here. */
const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

function modelBytes(output: string, tokenTypes: boolean): Uint8Array {
  const Model = protobuf.parse(ONNX_SUBSET).root.lookupType('onnx.ModelProto');
  const tensorInfo = (name: string, type: number, dims: Array<string | number>) => ({
    name,
    type: { tensorType: { elemType: type, shape: { dim: dims.map((dim) => (typeof dim === 'string' ? { dimParam: dim } : { dimValue: dim })) } } },
  });
  const states = output === 'sentence_embedding' ? 'last_hidden_state' : output;
  const nodes: object[] = [{ name: 'embed', opType: 'Gather', input: ['embeddings', 'input_ids'], output: [states], attribute: [{ name: 'axis', type: ATTRIBUTE_INT, i: 0 }] }];
  if (output === 'sentence_embedding') {
    nodes.push({ name: 'pool', opType: 'ReduceMean', input: ['last_hidden_state'], output: ['sentence_embedding'], attribute: [{ name: 'axes', type: ATTRIBUTE_INTS, ints: [1] }, { name: 'keepdims', type: ATTRIBUTE_INT, i: 0 }] });
  }
  const inputs = [tensorInfo('input_ids', INT64, ['batch', 'sequence']), tensorInfo('attention_mask', INT64, ['batch', 'sequence'])];
  if (tokenTypes) inputs.push(tensorInfo('token_type_ids', INT64, ['batch', 'sequence']));
  const message = {
    irVersion: 8,
    producerName: 'kgrec-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny-encoder',
      node: nodes,
      initializer: [{ name: 'embeddings', dataType: FLOAT, dims: [TINY_VOCABULARY.length, TINY_DIMENSION], floatData: TINY_VOCABULARY.flatMap(([, row]) => row) }],
      input: inputs,
      output: [output === 'sentence_embedding' ? tensorInfo(output, FLOAT, ['batch', TINY_DIMENSION]) : tensorInfo(output, FLOAT, ['batch', 'sequence', TINY_DIMENSION])],
    },
  };
  const problem = Model.verify(message);
  if (problem) throw new Error(`tiny encoder: ${problem}`);
  return Model.encode(Model.fromObject(message)).finish();
}
