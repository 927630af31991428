import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { catalogueVersion, recordCatalogueChange, watchCatalogue } from '../../src/graph/catalogueChanges.js';
import type { Graph } from '../../src/graph/graph.js';
import { countingReads, freshGraph } from '../helpers.js';

/** The catalogue change marker and its watcher against the real Neo4j. */

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});

afterAll(async () => {
  await graph.close();
});

/** A watcher that counts the changes it reports; a poll that fails fails the test. */
function countingWatch(intervalMs: number) {
  const counted = { changes: 0 };
  const { graph: watched, finishedReads } = countingReads(graph);
  const watch = watchCatalogue(watched, intervalMs, () => (counted.changes += 1), (error) => {
    throw error;
  });
  /** Resolves once the watcher has finished a poll that started after this call (polls never overlap: the second read to finish did). */
  const polledSinceNow = async () => {
    const mark = finishedReads();
    await vi.waitFor(() => expect(finishedReads()).toBeGreaterThanOrEqual(mark + 2), { timeout: 10_000, interval: 20 });
  };
  return { watch, counted, finishedReads, polledSinceNow };
}

const outsideEdit = () => graph.transaction((tx) => recordCatalogueChange(tx));

describe('watchCatalogue', () => {
  it('takes its baseline at once, so an edit made before its first interval is still reported', async () => {
    // A process starts, loads its snapshot, and another process edits the catalogue before the first poll
    // is due: the watcher must report that edit (a baseline read at the first interval would include it).
    const { watch, counted, finishedReads } = countingWatch(3_000);
    try {
      // The baseline read has finished, long before the first interval.
      await vi.waitFor(() => expect(finishedReads()).toBe(1), { timeout: 2_000, interval: 20 });
      const before = await catalogueVersion(graph);
      await outsideEdit();
      expect(await catalogueVersion(graph)).toBe(before + 1);
      await vi.waitFor(() => expect(counted.changes).toBe(1), { timeout: 6_000, interval: 50 });
    } finally {
      watch.stop();
    }
  });

  it('does not report versions the process recorded itself, and still reports the next outside one', async () => {
    const { watch, counted, finishedReads, polledSinceNow } = countingWatch(50);
    try {
      await vi.waitFor(() => expect(finishedReads()).toBeGreaterThanOrEqual(1), { timeout: 2_000, interval: 20 });
      const version = await graph.transaction((tx) => recordCatalogueChange(tx));
      watch.recordedHere(version);
      await polledSinceNow();
      expect(counted.changes).toBe(0);
      // The watcher is alive: an edit by another process right after is reported.
      await outsideEdit();
      await vi.waitFor(() => expect(counted.changes).toBe(1), { timeout: 10_000, interval: 20 });
    } finally {
      watch.stop();
    }
  });
});
