/**
 * Finds the compiled SIMD TransE kernels: the module `npm run build` placed beside this file, else a build
 * of the current source from the cache (compiled there on first use). When neither can be had, or
 * `KGREC_KGE_SIMD=0` switches them off, training runs on the scalar TypeScript kernels and says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { userCacheDir } from '../../config.js';
import { compileTransEWasm, sourceFingerprint, TRANSE_WASM_SOURCE } from './compile.js';

export type TransEWasm = { module: WebAssembly.Module; origin: string } | { module: undefined; reason: string };

const BUILT_MODULE = fileURLToPath(new URL('./transe.wasm', import.meta.url));
// In the user's cache, not under the package: an installed package's folder is not ours to write.
const CACHE_DIRECTORY = path.join(userCacheDir(), 'wasm');

let loading: Promise<TransEWasm> | undefined;

/** The kernels' module (compiled once per process), or why there is none. */
export function loadTransEWasm(): Promise<TransEWasm> {
  if (process.env.KGREC_KGE_SIMD === '0') return Promise.resolve({ module: undefined, reason: 'switched off by KGREC_KGE_SIMD=0' });
  loading ??= locate().catch((error: unknown) => ({ module: undefined, reason: error instanceof Error ? error.message : String(error) }));
  return loading;
}

async function locate(): Promise<TransEWasm> {
  if (existsSync(BUILT_MODULE)) return { module: new WebAssembly.Module(readFileSync(BUILT_MODULE)), origin: BUILT_MODULE };
  if (!existsSync(TRANSE_WASM_SOURCE)) return { module: undefined, reason: `neither ${BUILT_MODULE} nor its source is there` };
  const cached = path.join(CACHE_DIRECTORY, `transe-${sourceFingerprint()}.wasm`);
  if (!existsSync(cached)) await compileTransEWasm(cached);
  return { module: new WebAssembly.Module(readFileSync(cached)), origin: cached };
}
