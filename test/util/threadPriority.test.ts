import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { startModuleWorker } from '../../src/util/moduleWorker.js';

describe.runIf(process.platform === 'linux')('lowerThisThreadPriority', () => {
  it("lowers the calling worker thread's priority and leaves the process's main thread as it was", async () => {
    const before = os.getPriority(process.pid);
    const worker = startModuleWorker(new URL('./fixtures/', import.meta.url).href, 'lowerPriorityWorker', null);
    try {
      const { threadId } = await new Promise<{ threadId: number | null }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(threadId).not.toBeNull();
      expect(threadId).not.toBe(process.pid);
      expect(os.getPriority(threadId as number)).toBe(Math.max(before, 12));
      expect(os.getPriority(process.pid)).toBe(before);
    } finally {
      worker.postMessage('end');
      await worker.terminate();
    }
  });
});
