/**
 * Loads an ONNX Runtime for the sentence encoder: `onnxruntime-node` (native, multi-threaded CPU kernels) when
 * it is installed, else `onnxruntime-web` (WebAssembly, which runs in Node).
 *
 * `onnxruntime-web` is the optional dependency the project declares: it installs from the npm registry alone,
 * with no install script. `onnxruntime-node` is not declared: its install script fetches CUDA libraries from
 * NuGet on Linux x64 unless told to skip them, and it carries every platform's binaries (decision record 0013); a
 * deployment that wants it installs it (`ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`).
 * Both are imported through a specifier held in a variable, so that TypeScript needs neither, and both
 * expose the same API (onnxruntime-common), narrowed here to the calls the encoder makes.
 */

export type RuntimeName = 'onnxruntime-node' | 'onnxruntime-web';

/** The preference order: the first that loads runs the model. */
export const RUNTIMES: readonly RuntimeName[] = ['onnxruntime-node', 'onnxruntime-web'];

export interface OnnxTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export interface OnnxSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OnnxTensor>, fetches: readonly string[]): Promise<Record<string, OnnxTensor>>;
  release(): Promise<void>;
}

export interface OnnxRuntime {
  name: RuntimeName;
  /** What runs, to log: the package and version, and for WebAssembly its thread count. */
  description(): string;
  createSession(model: Uint8Array): Promise<OnnxSession>;
  int64Tensor(data: BigInt64Array, dims: readonly number[]): OnnxTensor;
}

/** What both packages export, narrowed to the calls made here. */
interface OrtModule {
  InferenceSession: { create(model: Uint8Array): Promise<OnnxSession> };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => OnnxTensor;
  env: { versions?: Record<string, string>; wasm?: { numThreads?: number } };
}

/** Loads the first runtime of `preference` that is installed; an error names each and why it failed. */
export async function loadOnnxRuntime(preference: readonly RuntimeName[] = RUNTIMES): Promise<OnnxRuntime> {
  const failures: string[] = [];
  for (const name of preference) {
    try {
      return await loadOne(name);
    } catch (error) {
      failures.push(`${name}: ${message(error)}`);
    }
  }
  throw new Error(
    `no ONNX Runtime could be loaded (${failures.join('; ')}). Install the optional dependency onnxruntime-web ` +
      '(`npm install onnxruntime-web`, from the npm registry alone), or unset KGREC_TEXT_ENCODER (textEncoderPath)',
  );
}

async function loadOne(name: RuntimeName): Promise<OnnxRuntime> {
  const specifier: string = name;
  let ort: OrtModule;
  try {
    ort = fromCommonJs(await import(specifier));
  } catch (error) {
    if (isModuleNotFound(error, specifier)) throw new Error('not installed');
    throw new Error(`installed but failed to load (${message(error)})`, { cause: error });
  }
  return {
    name,
    description: () => {
      const version = ort.env.versions?.[name === 'onnxruntime-node' ? 'node' : 'web'] ?? ort.env.versions?.common;
      const threads = name === 'onnxruntime-web' ? `, ${ort.env.wasm?.numThreads ?? 1} thread(s)` : '';
      return `${name}${version ? ` ${version}` : ''}${threads}`;
    },
    createSession: (model) => ort.InferenceSession.create(model),
    int64Tensor: (data, dims) => new ort.Tensor('int64', data, dims),
  };
}

/** onnxruntime-node is CommonJS: Node exposes its exports as `default` (named ones only where it detects them). */
function fromCommonJs(namespace: unknown): OrtModule {
  const candidates = [namespace, (namespace as { default?: unknown }).default];
  const found = candidates.find((candidate) => typeof (candidate as Partial<OrtModule> | undefined)?.InferenceSession?.create === 'function');
  if (found === undefined) throw new Error('the module has no InferenceSession.create()');
  return found as OrtModule;
}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // A missing dependency of the package itself is a failure to load, not an absent package.
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message(error).includes(specifier);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
