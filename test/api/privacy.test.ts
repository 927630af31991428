import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { codeOf, startHarness, TOKENS, type GqlResponse, type Harness } from './harness.js';

/**
 * Who sees a shopper's history: role tokens and the shopper's own shopper token, in every mode; anonymous
 * callers get personalised lists in development, with reasons about products only, and nothing
 * personalised in production. Shopper tokens that are forged, expired, unsigned or for someone else are refused.
 */

const SHOP = { products: 60, users: 12, events: 900, seed: 5 };
const SECRET = 'a-shopper-token-secret-of-32-chars-or-more';
const ISSUER = 'https://shop.example.com';
const AUDIENCE = 'kgrec';

const BEHAVIOURS = 'query ($u: ID!) { user(id: $u) { id behaviours { type product { id } } } }';
const RECOMMEND = 'query ($u: ID!) { recommend(userId: $u, first: 10) { strategy items { product { id } reasons { kind text path } } } }';
const SEARCH = 'query ($u: ID) { search(query: "a", userId: $u, first: 5) { items { reasons { kind text path } } } }';
const RECORD = 'mutation ($e: [EventInput!]!) { recordEvents(events: $e) { created } }';

const now = () => Math.floor(Date.now() / 1000);

function hs256(claims: JWTPayload, options: { secret?: string; iat?: number; exp?: number; issuer?: string; audience?: string } = {}): Promise<string> {
  const iat = options.iat ?? now();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(options.exp ?? iat + 600)
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with a reason and, for claims, the claim named. */
function expectRefused(response: GqlResponse<unknown>, reason: string): void {
  expect(response.status).toBe(401);
  expect(codeOf(response)).toBe('UNAUTHENTICATED');
  expect(response.errors?.[0]?.extensions?.reason).toBe(reason);
}

/** True for a reason that tells what the shopper did. */
const personal = (reason: { text: string; path: string[] | null }): boolean =>
  /\byou(r)?\b/i.test(reason.text) || (reason.path ?? []).some((node) => node.startsWith('User:'));

interface Listed {
  strategy: string;
  items: Array<{ product: { id: string }; reasons: Array<{ kind: string; text: string; path: string[] | null }> }>;
}

describe('in development (the default), with HS256 shopper tokens', () => {
  let h: Harness;
  let shopper: string;
  let other: string;

  beforeAll(async () => {
    h = await startHarness({ shop: SHOP, api: { shopperTokenKey: SECRET, shopperTokenIssuer: ISSUER, shopperTokenAudience: AUDIENCE } });
    const rows = await h.graph.read<{ id: string }>('MATCH (u:User) RETURN u.id AS id ORDER BY COUNT { (u)-->() } DESC, id LIMIT 2');
    [shopper, other] = rows.map((row) => row.id) as [string, string];
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("serves a user's behaviours to role tokens and their own shopper token only", async () => {
    const anonymous = await h.gql<{ user: unknown }>(BEHAVIOURS, { u: shopper });
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.errors?.[0]?.path).toEqual(['user', 'behaviours']);
    expect(anonymous.errors?.[0]?.extensions?.reason).toBe('HISTORY_NEEDS_TOKEN');
    // The user itself stays readable in development.
    expect((await h.gql<{ user: { id: string } }>('query ($u: ID!) { user(id: $u) { id } }', { u: shopper })).data?.user).toEqual({ id: shopper });

    const own = await h.gql<{ user: { behaviours: unknown[] } }>(BEHAVIOURS, { u: shopper }, await hs256({ sub: shopper }));
    expect(own.errors).toBeUndefined();
    expect(own.data?.user.behaviours.length).toBeGreaterThan(0);
    const frontend = await h.gql<{ user: { behaviours: unknown[] } }>(BEHAVIOURS, { u: shopper }, TOKENS.frontend);
    expect(frontend.data?.user.behaviours).toEqual(own.data?.user.behaviours);

    const someoneElse = await h.gql(BEHAVIOURS, { u: other }, await hs256({ sub: shopper }));
    expect(codeOf(someoneElse)).toBe('FORBIDDEN');
    expect(someoneElse.errors?.[0]?.extensions?.reason).toBe('OTHER_SHOPPER');
    expect(codeOf(await h.gql(RECOMMEND, { u: other }, await hs256({ sub: shopper })))).toBe('FORBIDDEN');
  });

  it('personalises anonymous recommendations and searches without revealing history in their reasons', async () => {
    const full = await h.gql<{ recommend: Listed }>(RECOMMEND, { u: shopper }, TOKENS.frontend);
    expect(full.data?.recommend.strategy).toBe('fused');
    // The test would see a leak: with a role token the reasons do tell what the shopper did.
    expect(full.data?.recommend.items.flatMap((item) => item.reasons).some(personal)).toBe(true);
    const own = await h.gql<{ recommend: Listed }>(RECOMMEND, { u: shopper }, await hs256({ sub: shopper }));
    expect(own.data?.recommend).toEqual(full.data?.recommend);

    const anonymous = await h.gql<{ recommend: Listed }>(RECOMMEND, { u: shopper });
    expect(anonymous.errors).toBeUndefined();
    const list = anonymous.data?.recommend as Listed;
    expect(list.strategy).toBe('fused');
    expect(list.items.map((item) => item.product.id)).toEqual(full.data?.recommend.items.map((item) => item.product.id));
    for (const item of list.items) {
      expect(item.reasons.length, item.product.id).toBeGreaterThan(0);
      for (const reason of item.reasons) expect(personal(reason), reason.text).toBe(false);
    }
    expect(list.items.flatMap((item) => item.reasons.map((reason) => reason.text)).some((text) => /^popular in /.test(text))).toBe(true);

    const search = await h.gql<{ search: Listed }>(SEARCH, { u: shopper });
    expect(search.errors).toBeUndefined();
    for (const reason of search.data?.search.items.flatMap((item) => item.reasons) ?? []) expect(personal(reason), reason.text).toBe(false);
  });

  it('refuses forged, expired, too old, unsigned and mis-addressed shopper tokens with a reason', async () => {
    const query = '{ categories { id } }';
    expectRefused(await h.gql(query, {}, await hs256({ sub: shopper }, { secret: 'another-secret-of-at-least-32-characters' })), 'TOKEN_SIGNATURE_INVALID');
    expectRefused(await h.gql(query, {}, await hs256({ sub: shopper }, { iat: now() - 1200, exp: now() - 600 })), 'TOKEN_EXPIRED');
    // Still within its own expiry, but issued longer ago than the configured maximum age (an hour).
    expectRefused(await h.gql(query, {}, await hs256({ sub: shopper }, { iat: now() - 7200, exp: now() + 600 })), 'TOKEN_EXPIRED');
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: shopper, iat: now(), exp: now() + 600, iss: ISSUER, aud: AUDIENCE })}.`;
    expectRefused(await h.gql(query, {}, unsigned), 'TOKEN_ALGORITHM_NOT_ALLOWED');
    expectRefused(await h.gql(query, {}, await hs256({})), 'TOKEN_CLAIM_INVALID');
    expectRefused(await h.gql(query, {}, await hs256({ sub: shopper }, { issuer: 'https://elsewhere.example.com' })), 'TOKEN_CLAIM_INVALID');
    expectRefused(await h.gql(query, {}, await hs256({ sub: shopper }, { audience: 'another-api' })), 'TOKEN_CLAIM_INVALID');
    expectRefused(await h.gql(query, {}, await hs256({ sub: '   ' })), 'TOKEN_CLAIM_INVALID');
    expect((await h.gql(query, {}, await hs256({ sub: shopper }))).errors).toBeUndefined();
  });

  it("records a shopper's own events with their token, and refuses another user's naming the field and index", async () => {
    const token = await hs256({ sub: shopper });
    const own = await h.gql<{ recordEvents: { created: number } }>(RECORD, { e: [{ id: 'shopper-own-1', userId: shopper, productId: 'p-00001', type: 'VIEW' }] }, token);
    expect(own.errors).toBeUndefined();
    expect(own.data?.recordEvents.created).toBe(1);

    const mixed = [
      { id: 'shopper-mixed-1', userId: shopper, productId: 'p-00002', type: 'VIEW' },
      { id: 'shopper-mixed-2', userId: other, productId: 'p-00002', type: 'PURCHASE' },
    ];
    const refused = await h.gql(RECORD, { e: mixed }, token);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ field: 'events[1].userId', index: 1 });
    const written = await h.graph.read<{ n: number }>("MATCH (e:Event) WHERE e.id STARTS WITH 'shopper-mixed-' RETURN count(e) AS n");
    expect(written[0]?.n).toBe(0);

    // A shopper token has no role: no merchandiser or admin work.
    expect(codeOf(await h.gql('mutation { deleteProduct(id: "p-00001") }', {}, token))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql('{ auditLog { nodes { id } } }', {}, token))).toBe('FORBIDDEN');
  });
});

describe('in production, with ES256 shopper tokens from a JWKS file', () => {
  let h: Harness;
  let privateKey: CryptoKey;
  let shopper: string;
  let other: string;

  const es256 = (sub: string) =>
    new SignJWT({ sub }).setProtectedHeader({ alg: 'ES256', kid: 'shop-1' }).setIssuedAt().setExpirationTime('10m').sign(privateKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwks = path.join(tempDir('kgrec-jwks-'), 'shopper-keys.json');
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'shop-1', alg: 'ES256', use: 'sig' }] }));
    h = await startHarness({ shop: SHOP, api: { production: true, shopperTokenJwks: jwks } });
    const rows = await h.graph.read<{ id: string }>('MATCH (u:User) RETURN u.id AS id ORDER BY COUNT { (u)-->() } DESC, id LIMIT 2');
    [shopper, other] = rows.map((row) => row.id) as [string, string];
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses personalised reads without a role token or the shopper’s own token', async () => {
    for (const [query, variables] of [
      [RECOMMEND, { u: shopper }],
      [SEARCH, { u: shopper }],
      ['query ($u: ID!) { user(id: $u) { id } }', { u: shopper }],
    ] as const) {
      const refused = await h.gql(query, variables);
      expect(codeOf(refused), query).toBe('UNAUTHENTICATED');
      expect(refused.errors?.[0]?.extensions?.reason, query).toBe('PERSONALISED_READ_NEEDS_TOKEN');
      expect((await h.gql(query, variables, TOKENS.frontend)).errors, query).toBeUndefined();
      expect((await h.gql(query, variables, await es256(shopper))).errors, query).toBeUndefined();
      expect(codeOf(await h.gql(query, { u: other }, await es256(shopper))), query).toBe('FORBIDDEN');
    }
    // What is not personal stays open.
    expect((await h.gql(SEARCH, {})).errors).toBeUndefined();
    expect((await h.gql('{ categories { id } }')).errors).toBeUndefined();
  });

  it('accepts only the algorithms of the configured public keys', async () => {
    const own = await h.gql<{ user: { behaviours: unknown[] } }>(BEHAVIOURS, { u: shopper }, await es256(shopper));
    expect(own.data?.user.behaviours.length).toBeGreaterThan(0);
    // No HS256 secret is configured: an HS256 token is refused whatever it was signed with.
    expectRefused(await h.gql('{ categories { id } }', {}, await hs256({ sub: shopper })), 'TOKEN_ALGORITHM_NOT_ALLOWED');
    const stranger = (await generateKeyPair('ES256')).privateKey;
    const forged = await new SignJWT({ sub: shopper }).setProtectedHeader({ alg: 'ES256', kid: 'shop-1' }).setIssuedAt().setExpirationTime('10m').sign(stranger);
    expectRefused(await h.gql('{ categories { id } }', {}, forged), 'TOKEN_SIGNATURE_INVALID');
  });
});
