import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/api/consoleFiles.js';
import { tempDir } from '../helpers.js';
import { startHarness, TOKENS, type Harness } from './harness.js';

/** A console build as Vite lays it out: index.html beside content-hashed assets. */
function writeBuiltConsole(): string {
  const dir = tempDir('kgrec-console-build-');
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="./assets/index-Ab12Cd34.js"></script>');
  writeFileSync(path.join(dir, 'assets', 'index-Ab12Cd34.js'), 'console.log("console");');
  writeFileSync(path.join(dir, 'assets', 'index-Ef56Gh78.css'), 'body { margin: 0 }');
  writeFileSync(path.join(dir, 'notes.txt'), 'not a console file type');
  return dir;
}

describe('the console at /console', () => {
  let h: Harness;
  let origin: string;
  beforeAll(async () => {
    h = await startHarness({ shop: false, model: false, consoleDir: writeBuiltConsole() });
    origin = new URL(h.server.url).origin;
  });
  afterAll(() => h.stop());

  it('redirects /console to /console/, where relative asset URLs resolve', async () => {
    const response = await fetch(`${origin}/console`, { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/console/');
  });

  it('serves index.html revalidated on every visit, under a CSP without inline scripts', async () => {
    const response = await fetch(`${origin}/console/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(CONSOLE_CSP);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await response.text()).toContain('index-Ab12Cd34.js');
  });

  it('answers a matching ETag with 304', async () => {
    const first = await fetch(`${origin}/console/`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const second = await fetch(`${origin}/console/`, { headers: { 'if-none-match': etag ?? '' } });
    expect(second.status).toBe(304);
  });

  it('serves hashed assets as immutable, with their content types', async () => {
    const script = await fetch(`${origin}/console/assets/index-Ab12Cd34.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log("console");');
    const style = await fetch(`${origin}/console/assets/index-Ef56Gh78.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for unknown files, other file types and paths that climb out of the folder', async () => {
    for (const name of ['assets/missing.js', 'notes.txt', '..%2Fpackage.json', '../package.json', 'assets/..%2F..%2Fpackage.json']) {
      const response = await fetch(`${origin}/console/${name}`);
      expect(response.status, name).toBe(404);
    }
  });

  it('refuses writes with 405', async () => {
    const response = await fetch(`${origin}/console/`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('leaves GraphQL, its auth and its CSP-free answers as they were', async () => {
    const answer = await h.gql<{ brands: unknown[] }>('{ brands { id } }', {}, TOKENS.merchandiser);
    expect(answer.status).toBe(200);
    expect(answer.data?.brands).toEqual([]);
  });
});

describe('the console before it is built', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ shop: false, model: false, consoleDir: path.join(tempDir('kgrec-console-none-'), 'missing') });
  });
  afterAll(() => h.stop());

  it('says how to build it', async () => {
    const response = await fetch(new URL('/console/', h.server.url));
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('npm run build');
  });
});
