import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * Starts a worker thread on the module `name` beside `base` (a caller's import.meta.url): `name.js` once
 * compiled. Run from the TypeScript sources (tsx, vitest) only `name.ts` exists, and Node 20 does not hand
 * tsx's loader on to worker threads, so the worker registers it first.
 */
export function startModuleWorker(base: string, name: string, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  const compiled = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData, ...(resourceLimits && { resourceLimits }) });
  const source = new URL(`./${name}.ts`, base).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, ...(resourceLimits && { resourceLimits }) });
}
