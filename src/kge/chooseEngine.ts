import { CpuEngine } from './cpuEngine.js';
import { TfjsEngine } from './tfjsEngine.js';
import type { TrainingEngine } from './types.js';

export type EngineChoice = 'auto' | 'cpu' | 'tfjs' | 'tfjs-gpu';

/**
 * The engine a run uses. `auto` takes TensorFlow.js only where a native backend loads (tfjs-node-gpu on a
 * CUDA machine, or tfjs-node): on a plain CPU the typed-array engine is several times faster than tfjs's
 * WebAssembly backend. `tfjs` takes the best tfjs backend there is (wasm here), `tfjs-gpu` insists on CUDA.
 */
export async function chooseEngine(choice: EngineChoice, workers: number): Promise<TrainingEngine> {
  if (choice === 'cpu') return CpuEngine.create({ workers });
  if (choice === 'tfjs') return TfjsEngine.create('auto');
  if (choice === 'tfjs-gpu') return TfjsEngine.create('tfjs-node-gpu');
  for (const native of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    try {
      return await TfjsEngine.create(native);
    } catch {
      // not installed or its binding does not load: try the next one
    }
  }
  return CpuEngine.create({ workers });
}
