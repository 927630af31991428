/**
 * Loads TensorFlow.js on the fastest backend this machine has: the native bindings (`@tensorflow/tfjs-node-gpu`
 * for CUDA, `@tensorflow/tfjs-node` for the CPU build of libtensorflow), then WebAssembly with SIMD, then the
 * pure-JavaScript `cpu` backend.
 *
 * The native packages are optional dependencies: their install script downloads libtensorflow from
 * storage.googleapis.com, which fails where only the package registries are reachable, so they are often
 * absent. They are imported through a specifier held in a variable, so that TypeScript needs neither their
 * presence nor their types. The WebAssembly binaries ship inside `@tensorflow/tfjs-backend-wasm`, and are read
 * from its folder on disk so that nothing is fetched over the network.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

export type Tensorflow = typeof import('@tensorflow/tfjs');

export type BackendPreference = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

export interface LoadedTensorflow {
  tf: Tensorflow;
  /** What runs, to log: `tfjs-node-gpu (CUDA)`, `tfjs-node`, `tfjs-wasm (SIMD)`, `tfjs-wasm`, `tfjs-cpu`. */
  backend: string;
  /** The backend's name inside TensorFlow.js (`tensorflow`, `wasm`, `cpu`), for `tf.setBackend`. */
  kernelBackend: string;
}

const NATIVE_PACKAGES = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
} as const;

/** Why a native package is usually missing, for the error that asks for it by name. */
const NATIVE_INSTALL_NOTE =
  'it is an optional dependency whose install script downloads libtensorflow from storage.googleapis.com, outside the npm registry, ' +
  'so its install fails (and npm skips it) on machines that reach only the registries. Install it where that download works, or use `wasm`';

/** What the wasm backend package exports, narrowed to the call made here. */
interface WasmBackendModule {
  setWasmPaths(prefixOrFileMap: string, usePlatformFetch?: boolean): void;
}

const require = createRequire(import.meta.url);

/**
 * TensorFlow.js on `preference`, or with `auto` on the first backend that loads (native GPU, native CPU,
 * wasm, cpu). An explicit preference that cannot load is an error that says why.
 */
export async function loadTensorflow(preference: BackendPreference = 'auto'): Promise<LoadedTensorflow> {
  if (preference !== 'auto') return loadOne(preference);
  const failures: string[] = [];
  for (const candidate of ['tfjs-node-gpu', 'tfjs-node', 'wasm'] as const) {
    try {
      return await loadOne(candidate);
    } catch (error) {
      failures.push(`${candidate}: ${message(error)}`);
    }
  }
  try {
    return await loadOne('cpu');
  } catch (error) {
    failures.push(`cpu: ${message(error)}`);
    throw new Error(`loadTensorflow: no TensorFlow.js backend could start (${failures.join('; ')})`);
  }
}

async function loadOne(preference: Exclude<BackendPreference, 'auto'>): Promise<LoadedTensorflow> {
  switch (preference) {
    case 'tfjs-node-gpu':
    case 'tfjs-node':
      return loadNative(preference);
    case 'wasm':
      return loadWasm();
    case 'cpu': {
      const tf = await import('@tensorflow/tfjs');
      await activate(tf, 'cpu');
      return { tf, backend: 'tfjs-cpu', kernelBackend: 'cpu' };
    }
  }
}

async function loadNative(preference: keyof typeof NATIVE_PACKAGES): Promise<LoadedTensorflow> {
  const specifier: string = NATIVE_PACKAGES[preference];
  let tf: Tensorflow;
  try {
    // The package re-exports @tensorflow/tfjs and registers the `tensorflow` backend as it loads.
    tf = fromCommonJs<Tensorflow>(await import(specifier), 'setBackend');
  } catch (error) {
    if (isModuleNotFound(error, specifier)) throw new Error(`${specifier} is not installed: ${NATIVE_INSTALL_NOTE}`);
    // Installed without its native library (for example with --ignore-scripts): the binding fails to load.
    throw new Error(`${specifier} is installed but failed to load (${message(error)}); its libtensorflow download probably did not run: ${NATIVE_INSTALL_NOTE}`, {
      cause: error,
    });
  }
  await activate(tf, 'tensorflow');
  return { tf, backend: preference === 'tfjs-node-gpu' ? 'tfjs-node-gpu (CUDA)' : 'tfjs-node', kernelBackend: 'tensorflow' };
}

async function loadWasm(): Promise<LoadedTensorflow> {
  const tf = await import('@tensorflow/tfjs');
  const specifier = '@tensorflow/tfjs-backend-wasm';
  const wasm = fromCommonJs<WasmBackendModule>(await import(specifier), 'setWasmPaths');
  // The package's Node entry is dist/tf-backend-wasm.node.js, next to the .wasm binaries.
  const folder = path.dirname(require.resolve(specifier));
  // Read only when the backend first initialises; setting it again later is harmless.
  wasm.setWasmPaths(`${folder}${path.sep}`);
  await activate(tf, 'wasm');
  // Node 20 runs wasm SIMD; the flag says which binary the backend picked.
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { tf, backend: simd === true ? 'tfjs-wasm (SIMD)' : 'tfjs-wasm', kernelBackend: 'wasm' };
}

/** Makes `name` the active backend; `setBackend` resolves false (not an error) when it fails to start. */
async function activate(tf: Tensorflow, name: string): Promise<void> {
  if (tf.getBackend() === name) return;
  let started: boolean;
  try {
    started = await tf.setBackend(name);
  } catch (error) {
    throw new Error(`the TensorFlow.js backend '${name}' failed to start: ${message(error)}`, { cause: error });
  }
  if (!started) throw new Error(`the TensorFlow.js backend '${name}' failed to start (see the warning TensorFlow.js logged)`);
  await tf.ready();
}

/**
 * These packages are CommonJS: Node exposes their exports as `default`, and as named exports only where it
 * can detect them statically (re-exports through a helper, as in tfjs-node, it may miss).
 */
function fromCommonJs<T>(namespace: unknown, member: string): T {
  const candidates = [(namespace as { default?: unknown }).default, namespace];
  const found = candidates.find((candidate) => typeof candidate === 'object' && candidate !== null && typeof (candidate as Record<string, unknown>)[member] === 'function');
  if (found === undefined) throw new Error(`the module has no ${member}()`);
  return found as T;
}

function isModuleNotFound(error: unknown, specifier: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  const text = message(error);
  // A missing dependency of the package itself is a failure to load, not an absent package.
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && text.includes(specifier);
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return String(error);
}
