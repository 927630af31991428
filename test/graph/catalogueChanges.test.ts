import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueVersion, recordCatalogueChange, watchCatalogue } from '../../src/graph/catalogueChanges.js';
import type { Graph } from '../../src/graph/graph.js';
import { freshGraph } from '../helpers.js';

/** The catalogue change marker and its watcher against the real Neo4j. */

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});

afterAll(async () => {
  await graph.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A watcher that counts the changes it reports; a poll that fails fails the test. */
function countingWatch(intervalMs: number) {
  const counted = { changes: 0 };
  const watch = watchCatalogue(graph, intervalMs, () => (counted.changes += 1), (error) => {
    throw error;
  });
  return { watch, counted };
}

describe('watchCatalogue', () => {
  it('takes its baseline at once, so an edit made before its first interval is still reported', async () => {
    // A process starts, loads its snapshot, and another process edits the catalogue before the first poll
    // is due: the watcher must report that edit (a baseline read at the first interval would include it).
    const { watch, counted } = countingWatch(3_000);
    try {
      await sleep(1_000);
      const before = await catalogueVersion(graph);
      await graph.transaction((tx) => recordCatalogueChange(tx));
      expect(await catalogueVersion(graph)).toBe(before + 1);
      for (let waited = 0; counted.changes === 0 && waited < 6_000; waited += 100) await sleep(100);
      expect(counted.changes).toBe(1);
    } finally {
      watch.stop();
    }
  });

  it('does not report versions the process recorded itself', async () => {
    const { watch, counted } = countingWatch(200);
    try {
      await sleep(500);
      const version = await graph.transaction((tx) => recordCatalogueChange(tx));
      watch.recordedHere(version);
      await sleep(800);
      expect(counted.changes).toBe(0);
    } finally {
      watch.stop();
    }
  });
});
