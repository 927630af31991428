import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServedListLog, type ServedList } from '../../src/api/servedListLog.js';
import { loadConfig } from '../../src/config.js';
import { Graph } from '../../src/graph/graph.js';
import { freshGraph } from '../helpers.js';

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});

afterAll(async () => {
  await graph.close();
});

const list = (userId: string): ServedList => ({
  userId,
  surface: 'recommend',
  productIds: ['p-1', 'p-2'],
  experimentId: null,
  variant: null,
});

const storedUsers = async (): Promise<string[]> =>
  (await graph.read<{ userId: string }>('MATCH (s:ServedList) RETURN s.userId AS userId ORDER BY userId')).map((row) => row.userId);

describe('served list log', () => {
  it('loses only the list Neo4j refuses, never the lists written beside it in one batch', async () => {
    await graph.write('MATCH (s:ServedList) DELETE s');
    const failures: Array<{ code: unknown; lists: number }> = [];
    const log = new ServedListLog(graph, {
      enabled: true,
      flushMs: 60_000,
      batchSize: 100,
      onError: (error, lists) => failures.push({ code: (error as { code?: unknown }).code, lists }),
    });
    // A user id past the index's key size: Neo4j refuses the whole statement that holds it.
    const oversized = 'x'.repeat(100_000);
    const users = ['u-1', 'u-2', 'u-3', oversized, 'u-5', 'u-6', 'u-7'];
    const servedIds = users.map((userId) => log.record(list(userId)));
    await log.flush();

    expect(await storedUsers()).toEqual(['u-1', 'u-2', 'u-3', 'u-5', 'u-6', 'u-7']);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.lists).toBe(1);
    expect(String(failures[0]?.code)).toMatch(/^Neo\./);
    // Every list still got its id, the refused one included.
    expect(new Set(servedIds).size).toBe(users.length);
  });

  it('writes a batch whole when nothing in it is refused', async () => {
    await graph.write('MATCH (s:ServedList) DELETE s');
    const failures: number[] = [];
    const log = new ServedListLog(graph, { enabled: true, flushMs: 60_000, batchSize: 3, onError: (_error, lists) => failures.push(lists) });
    for (const userId of ['a', 'b', 'c', 'd', 'e']) log.record(list(userId));
    expect(await log.close()).toBe(0);
    expect(await storedUsers()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(failures).toEqual([]);
  });
});

describe('closing the log', () => {
  it('stops waiting for a Neo4j out of reach after its grace period, and says how many lists were not written', async () => {
    // Nothing listens on port 1: the driver retries each write for 30 s.
    const unreachable = Graph.open(loadConfig({ NEO4J_URI: 'bolt://127.0.0.1:1', NEO4J_USER: 'neo4j', NEO4J_PASSWORD: 'not-a-real-password' }));
    const failures: number[] = [];
    const log = new ServedListLog(unreachable, { enabled: true, flushMs: 60_000, batchSize: 2, onError: (_error, lists) => failures.push(lists) });
    for (const userId of ['a', 'b', 'c']) log.record(list(userId));
    const started = performance.now();
    expect(await log.close(300)).toBe(3);
    expect(performance.now() - started).toBeLessThan(10_000);
    await unreachable.close();
  });
});

describe('served list ids', () => {
  it('are unique and ordered by when the list was served, so the id index only grows at its end', () => {
    const log = new ServedListLog(graph, { enabled: false, flushMs: 60_000, batchSize: 100 });
    const ids = Array.from({ length: 2_000 }, (_, i) => log.record(list(`u-${i % 7}`)));
    expect(new Set(ids).size).toBe(ids.length);
    // Neo4j orders string index keys by their code points, as this comparison does.
    expect(ids.every((id, i) => i === 0 || (ids[i - 1] as string) < id)).toBe(true);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
