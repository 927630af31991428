import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadApiConfig, trustedProxyHops } from '../../src/api/config.js';
import { clientAddress, clientKey } from '../../src/api/rateLimit.js';

/** A request as the rate limit sees it: its socket's address and its headers. */
const request = (remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage =>
  ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe('the client address behind proxies', () => {
  const proxied = request('10.0.0.2', { 'x-forwarded-for': '203.0.113.9, 198.51.100.7, 10.0.0.1' });

  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddress(proxied, 0)).toBe('10.0.0.2');
    expect(clientKey(proxied)).toBe('address:10.0.0.2');
  });

  it('takes the address the farthest trusted proxy saw, counting hops from the right', () => {
    expect(clientAddress(proxied, 1)).toBe('10.0.0.1');
    expect(clientAddress(proxied, 2)).toBe('198.51.100.7');
    expect(clientAddress(proxied, 3)).toBe('203.0.113.9');
    // More trusted hops than entries: the left-most, as with `true`.
    expect(clientAddress(proxied, Number.POSITIVE_INFINITY)).toBe('203.0.113.9');
    expect(clientKey(proxied, 2)).toBe('address:198.51.100.7');
  });

  it('never believes what a client wrote left of the trusted hops', () => {
    const spoofed = request('10.0.0.2', { 'x-forwarded-for': '1.2.3.4, 198.51.100.7' });
    expect(clientAddress(spoofed, 1)).toBe('198.51.100.7');
  });

  it('stops at an entry that is no IP address, and uses the socket without the header', () => {
    expect(clientAddress(request('10.0.0.2', { 'x-forwarded-for': 'evil, 198.51.100.7' }), 2)).toBe('198.51.100.7');
    expect(clientAddress(request('10.0.0.2', { 'x-forwarded-for': 'not-an-ip' }), 1)).toBe('10.0.0.2');
    expect(clientAddress(request('::1', { 'x-forwarded-for': ' 2001:db8::1 ' }), 1)).toBe('2001:db8::1');
    expect(clientAddress(request('10.0.0.2'), 3)).toBe('10.0.0.2');
  });

  it('keys a Bearer token by its hash whatever the addresses', () => {
    const withToken = request('10.0.0.2', { authorization: 'Bearer secret', 'x-forwarded-for': '198.51.100.7' });
    expect(clientKey(withToken, 1)).toMatch(/^token:[0-9a-f]{64}$/);
    expect(clientKey(withToken, 1)).not.toContain('secret');
  });

  it('reads KGREC_API_TRUST_PROXY as on/off or a hop count, and names it when wrong', () => {
    const hops = (value?: string) => trustedProxyHops(loadApiConfig(value === undefined ? {} : { KGREC_API_TRUST_PROXY: value }));
    expect(hops()).toBe(0);
    expect(hops('false')).toBe(0);
    expect(hops('0')).toBe(0);
    expect(hops('1')).toBe(1);
    expect(hops('3')).toBe(3);
    expect(hops('true')).toBe(Number.POSITIVE_INFINITY);
    expect(() => hops('loopback')).toThrow(/KGREC_API_TRUST_PROXY: expected true, false or a number of proxies from 0 to 32/);
    expect(() => hops('99')).toThrow(/KGREC_API_TRUST_PROXY/);
  });
});
