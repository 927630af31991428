import http from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DISCARDED_BYTES } from '../../src/api/http.js';
import { createApiServer, type ApiServer } from '../../src/api/server.js';
import { startHarness, TOKENS, type Harness } from './harness.js';

let harness: Harness;
const SHOP = 'https://shop.example.com';

beforeAll(async () => {
  harness = await startHarness({ shop: false, api: { corsOrigins: [SHOP], rateLimitPerMinute: 3 } });
});
afterAll(async () => {
  await harness.stop();
});

const post = (headers: Record<string, string> = {}) =>
  fetch(harness.server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ categories { id } }' }) });

describe('CORS and rate limiting', () => {
  it('answers a preflight from an allowed origin and refuses one from another', async () => {
    const allowed = await fetch(harness.server.url, { method: 'OPTIONS', headers: { origin: SHOP, 'access-control-request-method': 'POST' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const other = await fetch(harness.server.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits each client to its requests per minute, with Retry-After, and counts tokens apart', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await post({ origin: SHOP, authorization: `Bearer ${TOKENS.frontend}` })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await post({ authorization: `Bearer ${TOKENS.frontend}` });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('RATE_LIMITED');
    // Another client still gets through.
    expect((await post({ authorization: `Bearer ${TOKENS.merchandiser}` })).status).toBe(200);
  });
});

/** A second API over the harness's graph with other settings; stopped by the caller. */
const otherServer = (settings: Partial<Harness['api']>): Promise<ApiServer> =>
  createApiServer({ graph: harness.graph, config: harness.config, api: { ...harness.api, ...settings }, logger: pino({ level: 'silent' }), closeGraph: false });

describe('the client address behind a proxy (KGREC_API_TRUST_PROXY)', () => {
  const anonymous = (server: ApiServer, forwardedFor: string) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ query: '{ categories { id } }' }) });

  it('counts each forwarded address apart behind one trusted proxy, whatever a client wrote left of it', async () => {
    const server = await otherServer({ rateLimitPerMinute: 2, trustProxy: 1 });
    try {
      const first = [];
      for (let i = 0; i < 3; i += 1) first.push((await anonymous(server, `198.51.100.${i}, 203.0.113.1`)).status);
      // The client made up the left entries; the proxy's own entry is the same each time.
      expect(first).toEqual([200, 200, 429]);
      expect((await anonymous(server, '203.0.113.2')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('ignores X-Forwarded-For by default: every caller on the socket shares one budget', async () => {
    const server = await otherServer({ rateLimitPerMinute: 2 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await anonymous(server, `203.0.113.${i}`)).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await server.stop();
    }
  });
});

/** POSTs `bytes` of body on `agent` (no Expect: 100-continue: the body follows the headers at once). */
function postBody(agent: http.Agent, url: string, bytes: number): Promise<{ status: number; code: string | undefined; connection: string | undefined; reused: boolean }> {
  const body = Buffer.alloc(bytes, ' ');
  body.write('{"query": "{ categories { id } }", "padding": "', 0);
  body.write('"}', bytes - 2);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': bytes } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { errors?: Array<{ extensions?: { code?: string } }> };
        resolve({ status: res.statusCode ?? 0, code: answer.errors?.[0]?.extensions?.code, connection: res.headers.connection, reused: req.reusedSocket });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('bodies over the size limit', () => {
  it('answers each with a clean 413 on a connection that stays open, never a reset', async () => {
    const server = await otherServer({ maxBodyBytes: 64 * 1024, rateLimitPerMinute: 0 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      // Four times the limit: the client is still sending when the server has seen enough to refuse.
      for (let i = 0; i < 20; i += 1) answers.push(await postBody(agent, server.url, 256 * 1024));
      expect(answers.map(({ status, code, connection }) => ({ status, code, connection }))).toEqual(answers.map(() => ({ status: 413, code: 'BAD_REQUEST', connection: 'keep-alive' })));
      // One connection served them all, and serves an ordinary request after them.
      expect(answers.slice(1).every((answer) => answer.reused)).toBe(true);
      const ordinary = await postBody(agent, server.url, 1024);
      expect(ordinary).toMatchObject({ status: 200, reused: true });
    } finally {
      agent.destroy();
      await server.stop();
    }
  });

  it('closes the connection after the 413 when a body is larger than it is worth reading', async () => {
    const server = await otherServer({ maxBodyBytes: 1024, rateLimitPerMinute: 0 });
    const agent = new http.Agent({ keepAlive: true });
    try {
      // Declared past the limit and what is read past it: refused from its headers.
      const bytes = 1024 + MAX_DISCARDED_BYTES + 1;
      const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = http.request(server.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': bytes } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        });
        req.on('error', reject);
        // Only the headers are sent: the answer must not wait for a body it will never read.
        req.flushHeaders();
      });
      expect(answer).toEqual({ status: 413, connection: 'close' });
    } finally {
      agent.destroy();
      await server.stop();
    }
  });
});
