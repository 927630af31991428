import { readlinkSync } from 'node:fs';
import os from 'node:os';

/**
 * The Unix nice value (0 normal to 19 lowest) of background work on a machine it shares with the API:
 * trainings and the API's list builds. The API's requests get the cores first, the work what is left.
 */
export const BACKGROUND_NICENESS = 10;

/**
 * Lowers the scheduling priority of the calling thread alone (a worker's, say), not its process's. Linux
 * schedules threads one by one and `setpriority` takes a thread id there; Node names no thread ids, but
 * /proc/thread-self links to this thread's task. Background work on a worker (the API's list builds) then
 * takes what the threads that answer requests leave of the cores, as the training process does.
 *
 * Returns the thread id it lowered, or null where it cannot (another OS, no /proc): the work runs at the
 * normal priority then, which is only slower to serve beside it.
 */
export function lowerThisThreadPriority(niceness: number): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isInteger(threadId) || threadId <= 0) return null;
    os.setPriority(threadId, niceness);
    return threadId;
  } catch {
    return null;
  }
}
