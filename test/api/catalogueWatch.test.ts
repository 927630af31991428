import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueVersion } from '../../src/graph/catalogueChanges.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { jsonl, tempDir, writeFixture } from '../helpers.js';
import { startHarness, type Harness } from './harness.js';

interface SearchData {
  search: { items: Array<{ product: { id: string; title: string } }> };
}
const SEARCH = 'query ($q: String!) { search(query: $q, first: 5) { items { product { id title } } } }';

/** Retries until `check` passes or `ms` elapse. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('catalogue edits by another process', () => {
  let h: Harness;
  // A snapshot that would serve for an hour: only the change marker can make the API reload it.
  beforeAll(async () => {
    h = await startHarness({ api: { snapshotTtlSeconds: 3_600, cataloguePollMs: 200, publicReads: true } });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('reach search within seconds of an ingestion run, which records a change only when it changed something', async () => {
    const before = await h.gql<SearchData>(SEARCH, { q: 'quokka' });
    expect(before.data?.search.items.some((item) => item.product.id === 'p-quokka')).toBe(false);

    const version = await catalogueVersion(h.graph);
    const file = writeFixture(tempDir(), 'products.jsonl', jsonl([{ id: 'p-quokka', title: 'Quokka reading lamp', description: 'A lamp shaped like a quokka' }]));
    const ingest = () => ingestFiles(h.graph, { kind: 'products', files: [file], batchSize: 100, relationTypes: h.config.relationTypes });
    expect((await ingest()).written).toBe(1);
    expect(await catalogueVersion(h.graph)).toBe(version + 1);

    const found = await eventually(async () => {
      const response = await h.gql<SearchData>(SEARCH, { q: 'quokka' });
      return response.data?.search.items.some((item) => item.product.id === 'p-quokka') ?? false;
    }, 10_000);
    expect(found).toBe(true);

    expect((await ingest()).written).toBe(0);
    expect(await catalogueVersion(h.graph)).toBe(version + 1);
  });
});
