/**
 * Builds the SIMD TransE kernels (assembly/transe.ts, AssemblyScript) into WebAssembly with the
 * AssemblyScript compiler, a development dependency: `npm run build` puts the module beside the compiled
 * JavaScript, and runs from the TypeScript sources compile it on first use into a cache keyed by the
 * source's hash, so that a module never lags behind its source.
 *
 *   node dist/kge/simd/compile.js OUT.wasm
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../config.js';

export const TRANSE_WASM_SOURCE = path.join(PROJECT_ROOT, 'src', 'kge', 'simd', 'assembly', 'transe.ts');

/**
 * The module imports one shared memory (the tables that every training thread sees) and uses SIMD; it
 * allocates nothing, so the stub runtime suffices; `--noAssert` because the engine validates its input.
 */
const COMPILER_FLAGS = [
  '-O3',
  '--runtime', 'stub',
  '--noAssert',
  '--importMemory',
  '--sharedMemory',
  '--initialMemory', '1',
  '--maximumMemory', '65536',
  '--enable', 'simd',
  '--enable', 'threads',
];

interface OutputStream {
  write(chunk: string | Uint8Array): boolean;
}

/** The part of the AssemblyScript compiler's API used here (its own typings redeclare Node's globals). */
interface AssemblyScriptCompiler {
  main(argv: string[], options: { stdout: OutputStream; stderr: OutputStream }): Promise<{ error: Error | null }>;
}

async function loadCompiler(): Promise<AssemblyScriptCompiler> {
  const specifier: string = 'assemblyscript/asc';
  try {
    return ((await import(specifier)) as { default: AssemblyScriptCompiler }).default;
  } catch (error) {
    throw new Error(`the AssemblyScript compiler (a development dependency) is not installed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A key that changes with the source and the flags: the name of a cached build. */
export function sourceFingerprint(): string {
  return createHash('sha256').update(readFileSync(TRANSE_WASM_SOURCE)).update(COMPILER_FLAGS.join(' ')).digest('hex').slice(0, 16);
}

/** Compiles the kernels into `outFile` (written under a temporary name, then renamed: never half a file). */
export async function compileTransEWasm(outFile: string): Promise<void> {
  const asc = await loadCompiler();
  mkdirSync(path.dirname(outFile), { recursive: true });
  const temporary = `${outFile}.${process.pid}.${Date.now()}.tmp`;
  const errors: string[] = [];
  const result = await asc.main([TRANSE_WASM_SOURCE, ...COMPILER_FLAGS, '--outFile', temporary], {
    stdout: { write: () => true },
    stderr: {
      write: (chunk: string | Uint8Array) => {
        errors.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      },
    },
  });
  if (result.error) {
    rmSync(temporary, { force: true });
    throw new Error(`compiling ${path.relative(PROJECT_ROOT, TRANSE_WASM_SOURCE)} failed: ${result.error.message}\n${errors.join('')}`);
  }
  renameSync(temporary, outFile);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const outFile = process.argv[2];
  if (!outFile) {
    console.error('usage: node dist/kge/simd/compile.js OUT.wasm');
    process.exit(2);
  }
  await compileTransEWasm(path.resolve(outFile));
  console.log(`built ${outFile}`);
}
