import { CpuEngine } from './cpuEngine.js';
import { TfjsEngine } from './tfjsEngine.js';
import type { TrainingEngine } from './types.js';

export type EngineChoice = 'auto' | 'cpu' | 'tfjs' | 'tfjs-gpu';

/**
 * The engine a run uses. `auto` takes TensorFlow.js only on a GPU (tfjs-node-gpu with CUDA); on a CPU the
 * CPU engine's SIMD kernels are several times faster than any tfjs backend, tfjs-node on libtensorflow
 * included (docs/decisions/0009-cpu-engine-on-simd-kernels.md). `tfjs` takes the best tfjs backend
 * there is (wasm here), `tfjs-gpu` insists on CUDA.
 */
export async function chooseEngine(choice: EngineChoice, workers: number): Promise<TrainingEngine> {
  if (choice === 'cpu') return CpuEngine.create({ workers });
  if (choice === 'tfjs') return TfjsEngine.create('auto');
  if (choice === 'tfjs-gpu') return TfjsEngine.create('tfjs-node-gpu');
  try {
    return await TfjsEngine.create('tfjs-node-gpu');
  } catch {
    // not installed, or no CUDA: the CPU engine
  }
  return CpuEngine.create({ workers });
}
