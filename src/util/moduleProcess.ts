import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Starts a child Node process on the module `name` beside `base` (a caller's import.meta.url): `name.js`
 * once compiled. Run from the TypeScript sources (tsx, vitest) only `name.ts` exists, so the child loads
 * tsx's loader first. The parent's own execArgv (a test runner's flags, an inspector port) is not passed
 * on: the child is a plain Node process.
 */
export function forkModule(base: string, name: string, args: readonly string[], options: Omit<ForkOptions, 'execArgv'> = {}): ChildProcess {
  const compiled = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(compiled))) return fork(fileURLToPath(compiled), [...args], { ...options, execArgv: [] });
  const source = fileURLToPath(new URL(`./${name}.ts`, base));
  return fork(source, [...args], { ...options, execArgv: ['--import', import.meta.resolve('tsx/esm')] });
}
