/**
 * Notices when this thread's event loop was blocked: a timer due every `tickMs` that runs late by more
 * than `thresholdMs` means the thread ran something else that long. Node's own monitorEventLoopDelay gives a
 * histogram; this gives each stall with the time it ended, to set beside a request log or a reload.
 */
export interface Stall {
  /** When the stall ended (epoch ms). */
  endedAt: number;
  /** How long the loop could not run a due timer, less the tick. */
  blockedMs: number;
}

export interface StallWatch {
  stop(): void;
}

export function watchStalls(onStall: (stall: Stall) => void, thresholdMs: number, tickMs = 10): StallWatch {
  let due = performance.now() + tickMs;
  const timer = setInterval(() => {
    const now = performance.now();
    const blockedMs = now - due;
    due = now + tickMs;
    if (blockedMs > thresholdMs) onStall({ endedAt: Date.now(), blockedMs: Math.round(blockedMs * 10) / 10 });
  }, tickMs);
  // A watch never keeps a process or a thread alive on its own.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
