import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
