import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiServer, type ApiServer } from '../../src/api/server.js';
import { catalogueVersion } from '../../src/graph/catalogueChanges.js';
import { ingestFiles } from '../../src/ingest/ingest.js';
import { countingReads, jsonl, tempDir, writeFixture } from '../helpers.js';
import { servingRanker, startHarness, TOKENS, type Harness } from './harness.js';

interface SearchData {
  search: { items: Array<{ product: { id: string; title: string } }> };
}
const SEARCH = 'query ($q: String!) { search(query: $q, first: 5) { items { product { id title } } } }';

/** Retries until `check` passes or `ms` elapse; whether it passed. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  try {
    await vi.waitFor(async () => expect(await check()).toBe(true), { timeout: ms, interval: 100 });
    return true;
  } catch {
    return false;
  }
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

describe('catalogue edits through one API process', () => {
  let h: Harness;
  const servers: Array<{ server: ApiServer; reloads: () => number; versionReads: () => number }> = [];
  /** An API process of its own over the same database, counting the reloads its watch started. */
  const startProcess = async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    // Its own view of the shared connection, counting the catalogue version reads its watch finished.
    const { graph, finishedReads } = countingReads(h.graph, (query) => query.includes(':CatalogueChange'));
    const api = { ...h.api, port: 0 };
    const server = await createApiServer({ graph, config: h.config, api, logger: pino({ level: 'info' }, sink), ranker: servingRanker(graph, h.config, api), closeGraph: false });
    const entry = { server, reloads: () => lines.filter((line) => line.includes('changed by another process')).length, versionReads: finishedReads };
    servers.push(entry);
    return entry;
  };
  const post = async (server: ApiServer, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.merchandiser}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };

  beforeAll(async () => {
    h = await startHarness({ api: { snapshotTtlSeconds: 3_600, cataloguePollMs: 200, publicReads: true } });
  });
  afterAll(async () => {
    for (const { server } of servers) await server.stop();
    await h.stop();
  });

  it('reach the other processes behind a balancer within a poll, and do not make the editing process reload twice', async () => {
    const a = await startProcess();
    const b = await startProcess();
    const found = async (server: ApiServer) => {
      const response = await post(server, SEARCH, { q: 'wombat' });
      return ((response.data as SearchData | undefined)?.search.items ?? []).some((item) => item.product.id === 'p-wombat');
    };
    // Both have loaded their snapshot before the edit (an hour's TTL: only the marker can refresh it).
    expect(await found(a.server)).toBe(false);
    expect(await found(b.server)).toBe(false);

    const version = await catalogueVersion(h.graph);
    const upsert = await post(a.server, 'mutation ($input: ProductInput!) { upsertProduct(input: $input) { id } }', {
      input: { id: 'p-wombat', title: 'Wombat door stop', description: 'A door stop shaped like a wombat' },
    });
    expect(upsert.errors).toBeUndefined();
    expect(await catalogueVersion(h.graph)).toBe(version + 1);
    // The editing process at once; the other within its polls.
    expect(await found(a.server)).toBe(true);
    expect(await eventually(() => found(b.server), 10_000)).toBe(true);

    const pin = await post(a.server, 'mutation { pinProduct(productId: "p-wombat", position: 1, query: "door stop") { id } }');
    expect(pin.errors).toBeUndefined();
    expect(await catalogueVersion(h.graph)).toBe(version + 2);
    expect(await eventually(async () => b.reloads() >= 2, 10_000)).toBe(true);
    // Two more polls of its own (the second started after now): the process that made both edits never reloaded for them again.
    const mark = a.versionReads();
    await vi.waitFor(() => expect(a.versionReads()).toBeGreaterThanOrEqual(mark + 2), { timeout: 10_000, interval: 50 });
    expect(a.reloads()).toBe(0);
    expect(b.reloads()).toBe(2);
  });
});
