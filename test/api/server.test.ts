import { Writable } from 'node:stream';
import neo4j from 'neo4j-driver';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConfigSchema } from '../../src/api/config.js';
import { createApiServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { Graph } from '../../src/graph/graph.js';
import type { Ranker } from '../../src/ranking/types.js';
import { clearQueryPlans, tempDir } from '../helpers.js';
import { codeOf, servingRanker, startHarness, type Harness } from './harness.js';

/** The server around GraphQL: health, metrics, request limits, error hygiene, production mode. */

const SMALL_SHOP = { products: 30, users: 5, events: 100, seed: 5 };

describe('a running server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ shop: SMALL_SHOP });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('/health reports Neo4j and the active model', async () => {
    const response = await fetch(new URL('/health', h.server.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', neo4j: { reachable: true }, model: { active: h.modelVersion }, ranking: { mode: 'in-process' } });
  });

  it('/ready answers 200 once the ranker has loaded its state', async () => {
    let response = await fetch(new URL('/ready', h.server.url));
    for (let tries = 0; response.status !== 200 && tries < 100; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await fetch(new URL('/ready', h.server.url));
    }
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true });
  });

  it('/ready waits until the serving queries are planned at every size class a request can bring', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const api = { ...h.api, port: 0, warmQueryPlans: true };
    const server = await createApiServer({ graph: h.graph, config: h.config, api, logger: pino({ level: 'info' }, sink), ranker: servingRanker(h.graph, h.config, api), closeGraph: false });
    try {
      await clearQueryPlans(h.graph);
      let response = await fetch(new URL('/ready', server.url));
      for (let tries = 0; response.status !== 200 && tries < 300; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        response = await fetch(new URL('/ready', server.url));
      }
      expect(response.status).toBe(200);
      const planned = lines.map((line) => JSON.parse(line) as { msg: string; planned?: number; failed?: number }).find((entry) => entry.msg === 'serving queries planned');
      // 13 queries; size classes up to 64 (3), `first` 100 (3), 1,000 events (4), 500 served lists (4), 30 products (3).
      expect(planned).toMatchObject({ planned: 42, failed: 0 });
      // Neo4j holds those plans, beside the ranker's.
      expect(await clearQueryPlans(h.graph)).toBeGreaterThanOrEqual(42);
    } finally {
      await server.stop();
    }
  });

  it('/metrics counts requests, errors and latency per operation', async () => {
    await h.gql('{ categories { id } }');
    await h.gql('{ recommend(userId: "u-0001", first: 1000) { strategy } }');
    const text = await (await fetch(new URL('/metrics', h.server.url))).text();
    expect(text).toMatch(/kgrec_graphql_requests_total\{operation="query:categories"\} [1-9]/);
    expect(text).toMatch(/kgrec_graphql_errors_total\{operation="query:recommend",code="BAD_USER_INPUT"\} 1/);
    expect(text).toMatch(/kgrec_graphql_request_duration_seconds_bucket\{le="[0-9.]+",operation="query:recommend"\}/);
  });

  it('refuses queries nested deeper than the limit', async () => {
    const deep = '{ product(id: "p-00001") { relations { product { relations { product { relations { product { relations { product { relations { product { id } } } } } } } } } } } }';
    const response = await h.gql(deep);
    expect(codeOf(response)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors?.[0]?.message).toMatch(/at most 10/);
  });

  it('refuses request bodies over the size limit with 413', async () => {
    const body = JSON.stringify({ query: `{ categories { id } } # ${'x'.repeat(h.api.maxBodyBytes)}` });
    const response = await fetch(h.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(413);
  });

  it('answers malformed JSON with 400 and unknown paths with 404', async () => {
    const malformed = await fetch(h.server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(malformed.status).toBe(400);
    expect((await fetch(new URL('/nope', h.server.url))).status).toBe(404);
  });

  it('answers every kind of request the same whether queries take the direct compiled path or Apollo with graphql-js', async () => {
    expect(h.api.executor).toBe('jit');
    const interpreted = await createApiServer({
      graph: h.graph,
      config: h.config,
      api: { ...h.api, executor: 'graphql-js' },
      logger: pino({ level: 'silent' }),
      // The same ranker as the harness's: the two paths must answer alike, not two rankers.
      ranker: servingRanker(h.graph, h.config, { ...h.api, executor: 'graphql-js' }),
      closeGraph: false,
    });
    const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      // The bytes and the media type, not only the parsed JSON: clients must not tell the two paths apart.
      return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
    };
    const directCount = async (url: string, operation: string): Promise<number> => {
      const text = await (await fetch(new URL('/metrics', url))).text();
      const line = text.split('\n').find((row) => row.startsWith(`kgrec_graphql_direct_requests_total{operation="${operation}"}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const requests: Array<{ body: unknown; headers?: Record<string, string> }> = [
      // Nested objects, lists, aliases, fragments, enums and variables.
      {
        body: {
          query: `query ($u: ID!, $n: Int) { recommend(userId: $u, first: $n, explain: true) { strategy items { score reasons { kind text } breakdown { name weight }
          product { ...P other: title category { name path { id } } brand { name } } } } } fragment P on Product { id title price inStock }`,
          variables: { u: 'u-0001', n: 5 },
        },
      },
      { body: { query: '{ categories { id name children { id } } products(first: 3) { nodes { id } pageInfo { hasNextPage endCursor } } }' } },
      { body: { query: 'query One { product(id: "p-00001") { id } } query Two { product(id: "no-such") { id } }', operationName: 'Two' } },
      // A resolver's refusal (BAD_USER_INPUT with its field), a variable of the wrong type, a missing one, an unknown operation.
      { body: { query: '{ recommend(userId: "u-0001", first: 1000) { strategy } }' } },
      { body: { query: 'query ($n: Int) { recommend(userId: "u-0001", first: $n) { strategy } }', variables: { n: 'ten' } } },
      { body: { query: 'query ($u: ID!) { recommend(userId: $u) { strategy } }', variables: {} } },
      { body: { query: 'query One { categories { id } }', operationName: 'Other' } },
      // The Accept header an HTTP client library sends by default: Apollo would answer JSON, so the direct path does.
      { body: { query: '{ brands { id name } }' }, headers: { accept: 'application/json, text/plain, */*' } },
      // What the direct path leaves to Apollo: another media type, a persisted query, a mutation, a syntax error.
      { body: { query: '{ categories { id } }' }, headers: { accept: 'application/graphql-response+json' } },
      { body: { query: '{ categories { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } } },
      { body: { query: 'mutation { unrelateProducts(from: "p-00001", to: "p-00002", type: COMPLEMENTS) }' } },
      { body: { query: '{ categories { id ' } },
      // A context that cannot be built (the token is unknown): Apollo's 401.
      { body: { query: '{ categories { id } }' }, headers: { authorization: 'Bearer not-a-token' } },
    ];
    const labels = ['query:recommend', 'query:categories,products', 'query:product', 'query:brands', 'query:categories'];
    const counts = async () => Promise.all(labels.map((label) => directCount(h.server.url, label)));
    try {
      const before = await counts();
      for (const request of requests) {
        const [compiled, reference] = await Promise.all([post(h.server.url, request.body, request.headers), post(interpreted.url, request.body, request.headers)]);
        expect(compiled, JSON.stringify(request)).toEqual(reference);
      }
      // Answered directly: the successful queries only (the first recommend, the categories with products,
      // the product of operation `Two`, the brands); the rest went through Apollo.
      const after = await counts();
      expect(after.map((count, i) => count - (before[i] ?? 0))).toEqual([1, 1, 1, 1, 0]);
      expect(await directCount(interpreted.url, 'query:recommend')).toBe(0);
    } finally {
      await interpreted.stop();
    }
  });

  it('offers introspection outside production', async () => {
    const response = await h.gql<{ __type: { enumValues: Array<{ name: string }> } }>('{ __type(name: "ProductRelationType") { enumValues { name } } }');
    expect(response.data?.__type.enumValues.map((value) => value.name)).toEqual(h.config.relationTypes);
  });
});

describe('configuration and failures', () => {
  const logger = pino({ level: 'silent' });

  it('takes the relation types of the configuration as the enum, and hides introspection in production', async () => {
    const graph = Graph.open(loadConfig());
    const config = loadConfig(process.env, { relationTypes: ['BUNDLED_WITH', 'COMPLEMENTS'] });
    const server = await createApiServer({ graph, config, api: apiConfigSchema.parse({ port: 0, production: true, modelsDir: tempDir() }), logger });
    try {
      const ask = async (query: string) =>
        (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json() as Promise<{
          errors?: Array<{ extensions?: { code?: string } }>;
        }>;
      expect((await ask('{ __schema { types { name } } }')).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const related = await ask('mutation { unrelateProducts(from: "a", to: "b", type: BUNDLED_WITH) }');
      expect(related.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED'); // the enum value exists: refused for the token, not the type
      const unknown = await ask('mutation { unrelateProducts(from: "a", to: "b", type: SUBSTITUTES) }');
      expect(unknown.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await server.stop();
    }
  });

  it('returns internal errors without their details', async () => {
    const failing: Ranker = {
      recommend: () => Promise.reject(new Error('Neo.ClientError.Secret: password=hunter2 at bolt://db')),
      search: () => Promise.reject(new Error('boom')),
      similar: () => Promise.reject(new Error('boom')),
      invalidate: () => undefined,
      warmUp: () => Promise.resolve(),
    };
    const graph = Graph.open(loadConfig());
    const server = await createApiServer({ graph, config: loadConfig(), api: apiConfigSchema.parse({ port: 0, modelsDir: tempDir() }), logger, ranker: failing });
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ recommend(userId: "u") { strategy } }' }),
      });
      const text = await response.text();
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('Neo.ClientError');
      expect(JSON.parse(text)).toMatchObject({ errors: [{ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    } finally {
      await server.stop();
    }
  });

  it('/health answers 503 when Neo4j cannot be reached', async () => {
    // Retries of a failed query given up after 1 s (the driver's default is 30 s): the server's stop waits
    // for the ranker's warm-ups, which /ready may start again, to give up.
    const graph = new Graph(neo4j.driver('bolt://127.0.0.1:1', neo4j.auth.basic('neo4j', 'unused'), { maxTransactionRetryTime: 1_000, connectionTimeout: 1_000 }), undefined);
    const server = await createApiServer({ graph, config: loadConfig(), api: apiConfigSchema.parse({ port: 0, modelsDir: tempDir() }), logger });
    try {
      const response = await fetch(new URL('/health', server.url));
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'unavailable', neo4j: { reachable: false } });
      // Its ranker cannot load anything: not ready for traffic either.
      const ready = await fetch(new URL('/ready', server.url));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false });
    } finally {
      await server.stop();
    }
  });
});
