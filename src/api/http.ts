import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';

/**
 * The HTTP side of the API on plain node:http: request bodies read with a size limit, JSON parsed once,
 * and Apollo's response written back. Written by hand rather than with Express: four routes do not need a
 * framework, and the body limit must hold before a byte is parsed.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Close the connection after the answer: the rest of the request was not read. */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

/**
 * Past the body limit, up to this many more bytes are read and thrown away before the 413 is sent. A client
 * is usually still sending when it is refused; closing the connection under it resets it, and many clients
 * then report the reset instead of the answer. Reading on costs bandwidth but no memory; a body larger
 * still is answered at once and the connection closed.
 */
export const MAX_DISCARDED_BYTES = 8 * 1024 * 1024;

const tooLarge = (limit: number, closeConnection: boolean): HttpError => new HttpError(413, `request body larger than ${limit} bytes`, closeConnection);

/**
 * Reads and drops the rest of a refused body, then rejects with the 413: on a connection that stays open
 * when it ended within MAX_DISCARDED_BYTES, on one to be closed otherwise.
 */
function refuseBody(req: IncomingMessage, limit: number, bytesSoFar: number): Promise<never> {
  return new Promise((_, reject) => {
    let size = bytesSoFar;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit + MAX_DISCARDED_BYTES) return;
      req.off('data', onData);
      req.off('end', onEnd);
      reject(tooLarge(limit, true));
    };
    const onEnd = () => reject(tooLarge(limit, false));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', () => reject(tooLarge(limit, true)));
  });
}

/** Reads the whole body, refusing (413) a body of more than `limit` bytes without keeping any of it. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit + MAX_DISCARDED_BYTES) return Promise.reject(tooLarge(limit, true));
  if (Number.isFinite(declared) && declared > limit) return refuseBody(req, limit, 0);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      refuseBody(req, limit, size).catch(reject);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/** A request's method and body: parsed JSON for JSON requests, text otherwise, undefined without one. */
export interface ReadRequest {
  method: string;
  body: unknown;
}

/** Reads a request's body once, for the direct path and for Apollo alike. */
export async function readRequest(req: IncomingMessage, maxBodyBytes: number): Promise<ReadRequest> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'POST') return { method, body: undefined };
  const text = await readBody(req, maxBodyBytes);
  if (!/^application\/(graphql-response\+)?json/i.test(req.headers['content-type'] ?? '')) return { method, body: text };
  try {
    return { method, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}

/** Apollo's view of a node request whose body has been read. */
export function toGraphQLRequest(req: IncomingMessage, url: URL, read: ReadRequest): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return { method: read.method, headers, search: url.search, body: read.body };
}

export async function writeGraphQLResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A GraphQL-shaped error answer for failures before GraphQL runs (body too large, malformed JSON). */
export function writeHttpError(res: ServerResponse, status: number, message: string, closeConnection = false): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  if (closeConnection) res.setHeader('connection', 'close');
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }));
}

export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(value));
}

/** A client's request id when it sent a sane one (for tracing across services), else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}
