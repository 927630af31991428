import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for shop frontends calling the API from the browser: only the configured origins get the
 * Access-Control headers, and a preflight (OPTIONS) is answered here without reaching GraphQL.
 */

const ALLOWED_HEADERS = 'authorization, content-type, x-request-id, apollo-require-preflight';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Sets the CORS headers for an allowed origin; returns true when the request was a preflight and is answered. */
export function handleCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origins.length === 0 || origin === undefined) return false;
  const allowed = origins.includes('*') || origins.includes(origin);
  if (allowed) {
    res.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : origin);
    res.setHeader('vary', 'Origin');
  }
  if (req.method !== 'OPTIONS') return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
  }
  res.statusCode = allowed ? 204 : 403;
  res.end();
  return true;
}
