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
  ) {
    super(message);
  }
}

/** Reads the whole body, refusing (413) as soon as it exceeds `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new HttpError(413, `request body larger than ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(new HttpError(413, `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
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
export function writeHttpError(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  // A refused upload may still be arriving: close the connection rather than read it to the end.
  if (status === 413) res.setHeader('connection', 'close');
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
