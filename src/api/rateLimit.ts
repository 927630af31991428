import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Per-client limits per minute, counted in memory (one API process; a cluster would use the library's
 * Redis store). A client is its Bearer token when it sends one, else its address, so one frontend
 * cannot starve another. The library drops a client's counter when its minute ends, so the map holds
 * only the clients of the last minute.
 */
class PerMinute {
  private readonly limiter: RateLimiterMemory;

  constructor(points: number) {
    this.limiter = new RateLimiterMemory({ points, duration: 60 });
  }

  /** Null when `points` fit what is left of the client's minute; else the seconds to wait. */
  async spend(key: string, points: number): Promise<number | null> {
    try {
      await this.limiter.consume(key, points);
      return null;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw error;
    }
  }
}

/** Requests per minute per client. */
export class RequestLimiter {
  private readonly perMinute: PerMinute;

  constructor(perMinute: number) {
    this.perMinute = new PerMinute(perMinute);
  }

  /** Null when the client's request may go on; else the seconds to wait. */
  check(client: string): Promise<number | null> {
    return this.perMinute.spend(client, 1);
  }
}

/** Query cost per minute per client: each operation spends what it costs (src/api/costWeights.ts). */
export class CostBudget {
  private readonly perMinute: PerMinute;

  constructor(readonly costPerMinute: number) {
    this.perMinute = new PerMinute(costPerMinute);
  }

  /** Null when the client can afford `cost` this minute; else the seconds until its budget renews. */
  spend(client: string, cost: number): Promise<number | null> {
    return cost > 0 ? this.perMinute.spend(client, cost) : Promise.resolve(null);
  }
}

/** Who a request counts against: its token's hash, else its address (clientAddress). */
export function clientKey(req: IncomingMessage, trustedHops = 0): string {
  const authorization = req.headers.authorization;
  // Tokens are hashed before they become map keys: the limiter's memory never holds a secret.
  if (authorization) return `token:${createHash('sha256').update(authorization).digest('hex')}`;
  return `address:${clientAddress(req, trustedHops)}`;
}

/**
 * The caller's network address. With `trustedHops` proxies in front of the API (KGREC_API_TRUST_PROXY),
 * the address the farthest trusted proxy saw, read from X-Forwarded-For from the right, as express's
 * `trust proxy` with a hop count does: each proxy appends the address it was called from, so only the
 * entries the trusted proxies wrote can be believed; what lies left of them a client may have made up.
 * An entry that is no IP address ends the chain there.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  const header = req.headers['x-forwarded-for'];
  if (trustedHops <= 0 || header === undefined) return socketAddress;
  // Node joins repeated headers with ", "; the nearest hop is the last entry.
  const forwarded = (Array.isArray(header) ? header.join(',') : header).split(',');
  let address = socketAddress;
  for (let hop = 1; hop <= trustedHops && hop <= forwarded.length; hop += 1) {
    const entry = (forwarded[forwarded.length - hop] as string).trim();
    if (isIP(entry) === 0) break;
    address = entry;
  }
  return address;
}
