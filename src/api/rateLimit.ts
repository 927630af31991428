import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { createHash } from 'node:crypto';

/**
 * Per-client limits per minute, counted in memory (one API process; a cluster would use the library's
 * Redis store). A client is its Bearer token when it sends one, else its address, so one frontend
 * cannot starve another.
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

/** Who a request counts against: its token's hash, else its address. */
export function clientKey(req: IncomingMessage): string {
  const authorization = req.headers.authorization;
  // Tokens are hashed before they become map keys: the limiter's memory never holds a secret.
  if (authorization) return `token:${createHash('sha256').update(authorization).digest('hex')}`;
  return `address:${req.socket.remoteAddress ?? 'unknown'}`;
}
