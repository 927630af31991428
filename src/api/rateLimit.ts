import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { createHash } from 'node:crypto';

/**
 * Requests per minute per client, counted in memory (one API process; a cluster would use the library's
 * Redis store). A client is its Bearer token when it sends one, else its address, so one frontend
 * cannot starve another.
 */
export class RequestLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  /** Null when the request may go on; else the seconds to wait. */
  async check(req: IncomingMessage): Promise<number | null> {
    try {
      await this.limiter.consume(clientKey(req));
      return null;
    } catch (error) {
      if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw error;
    }
  }
}

function clientKey(req: IncomingMessage): string {
  const authorization = req.headers.authorization;
  // Tokens are hashed before they become map keys: the limiter's memory never holds a secret.
  if (authorization) return `token:${createHash('sha256').update(authorization).digest('hex')}`;
  return `address:${req.socket.remoteAddress ?? 'unknown'}`;
}
