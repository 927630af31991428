import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The merchandiser console's built files (`npm run build` writes them to dist/console), served at /console.
 * The console is a static page that talks to the public GraphQL API like any other client: this handler only
 * hands out its files. They are read once, when the server starts: a request can only name a file found then,
 * so no path from a request ever reaches the file system.
 */

export const CONSOLE_PATH = '/console';

/**
 * The built console, found the same way from src/api (tsx) and dist/api (the package): both lie two folders
 * below the package's root.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

/** Vite names the files under assets/ by a hash of their content, so a cached copy can never be stale. */
const HASHED_ASSETS = 'assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: the browser asks again each time (cheaply, with its ETag). */
const REVALIDATE = 'no-cache';

/**
 * Only the page's own scripts, styles and API: no inline script, nothing from another origin. Images may be
 * data: URLs (the favicon, and the evaluation chart latestEvaluation sends). The console is never framed
 * (clickjacking of its edit buttons).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

interface ConsoleFile {
  body: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

export interface ConsoleFiles {
  /** False when the console was not built (a checkout before `npm run build`). */
  readonly built: boolean;
  /** Answers GET and HEAD under /console; returns false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
}

/** Reads the built console in `dir` (default dist/console) once, for the server's lifetime. */
export function loadConsoleFiles(dir: string = DEFAULT_CONSOLE_DIR): ConsoleFiles {
  const files = readBuiltFiles(dir);
  const built = files.has('index.html');
  return {
    built,
    handle(req, res, pathname) {
      if (pathname !== CONSOLE_PATH && !pathname.startsWith(`${CONSOLE_PATH}/`)) return false;
      answer(req, res, pathname, files, built);
      return true;
    },
  };
}

function answer(req: IncomingMessage, res: ServerResponse, pathname: string, files: ReadonlyMap<string, ConsoleFile>, built: boolean): void {
  if (pathname === CONSOLE_PATH) {
    // Relative asset URLs in index.html resolve against /console/, not against /.
    res.statusCode = 308;
    res.setHeader('location', `${CONSOLE_PATH}/`);
    res.end();
    return;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    writeText(res, 405, `${method} is not allowed here; the console's files answer GET and HEAD`);
    return;
  }
  const name = pathname.slice(CONSOLE_PATH.length + 1) || 'index.html';
  const file = files.get(name);
  if (!file) {
    writeText(res, 404, built ? `no console file ${name}` : 'the console is not built: run `npm run build` (it writes dist/console)');
    return;
  }
  res.setHeader('content-type', file.contentType);
  res.setHeader('cache-control', file.cacheControl);
  res.setHeader('etag', file.etag);
  res.setHeader('content-security-policy', CONSOLE_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  if (req.headers['if-none-match'] === file.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('content-length', String(file.body.length));
  res.end(method === 'HEAD' ? undefined : file.body);
}

function writeText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}

/** Every regular file below `dir`, by its '/'-separated relative path; empty when `dir` does not exist. */
function readBuiltFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!existsSync(dir)) return files;
  for (const relative of listFiles(dir)) {
    const name = relative.split(path.sep).join('/');
    const contentType = CONTENT_TYPES[path.extname(name).toLowerCase()];
    if (contentType === undefined) continue; // nothing the console needs: not served
    const body = readFileSync(path.join(dir, relative));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    files.set(name, { body, contentType, etag, cacheControl: name.startsWith(HASHED_ASSETS) ? IMMUTABLE : REVALIDATE });
  }
  return files;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) return listFiles(dir, relative);
    return entry.isFile() && statSync(path.join(dir, relative)).isFile() ? [relative] : [];
  });
}
