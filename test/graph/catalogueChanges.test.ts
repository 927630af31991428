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

describe('watchCatalogue', () => {
  it('takes its baseline at once, so an edit made before its first interval is still reported', async () => {
    // A process starts, loads its snapshot, and another process edits the catalogue before the first poll
    // is due: the watcher must report that edit (a baseline read at the first interval would include it).
    let changes = 0;
    const watch = watchCatalogue(graph, 3_000, () => (changes += 1), (error) => {
      throw error;
    });
    try {
      await sleep(1_000);
      const before = await catalogueVersion(graph);
      await graph.transaction((tx) => recordCatalogueChange(tx));
      expect(await catalogueVersion(graph)).toBe(before + 1);
      for (let waited = 0; changes === 0 && waited < 6_000; waited += 100) await sleep(100);
      expect(changes).toBe(1);
    } finally {
      watch.stop();
    }
  });

  it('does not report versions the process recorded itself', async () => {
    let changes = 0;
    const watch = watchCatalogue(graph, 200, () => (changes += 1), (error) => {
      throw error;
    });
    try {
      await sleep(500);
      const version = await graph.transaction((tx) => recordCatalogueChange(tx));
      watch.recordedHere(version);
      await sleep(800);
      expect(changes).toBe(0);
    } finally {
      watch.stop();
    }
  });
});
