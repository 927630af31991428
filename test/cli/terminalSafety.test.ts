import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { tempDir, writeFixture } from '../helpers.js';

/** `kgrec ingest` on hostile files: what reaches the terminal holds no control character from them. */

const tsxLoader = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

/** Runs the real command line (from source) in an empty temporary folder; a dry run needs no Neo4j. */
function kgrec(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), ...args], {
    encoding: 'utf8',
    cwd: tempDir('kgrec-cli-'),
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// eslint-disable-next-line no-control-regex -- what must never reach a terminal (newlines and tabs are layout)
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('kgrec ingest on a terminal', () => {
  it('escapes control characters from invalid lines and from a CSV header', () => {
    const dir = tempDir();
    const events = writeFixture(dir, 'events.jsonl', [
      JSON.stringify({ userId: 'u1', productId: 'p1', type: '\u001b[2J\u001b[31mview', timestamp: '2026-01-01' }),
      '{"userId": "u1", "productId": \u001b]0;title\u0007}',
      JSON.stringify({ userId: 'u1', productId: 'p1', type: 'view', timestamp: '2099-01-01T00:00:00Z' }),
    ]);
    const run = kgrec(['ingest', '--kind', 'events', '--dry-run', events]);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).not.toMatch(CONTROL);
    expect(run.stderr).toContain(`${events}:1: type: expected one of view, click, add_to_cart, purchase, impression, hide, got "\\u001b[2J\\u001b[31mview"`);
    expect(run.stderr).toMatch(/events\.jsonl:2: \(line\): invalid JSON: .*\\u001b/);
    expect(run.stderr).toContain(`${events}:3: timestamp: 2099-01-01T00:00:00Z is later than the server's clock (+300 s allowed)`);
    expect(run.stderr).toContain('kgrec: 3 record(s) rejected (allowed: 0)');

    const products = writeFixture(dir, 'products.csv', ['id,title,\u001b[8mhidden', 'p1,One,x']);
    const header = kgrec(['ingest', '--kind', 'products', '--dry-run', products]);
    expect(header.code).toBe(1);
    expect(header.stdout + header.stderr).not.toMatch(CONTROL);
    expect(header.stderr).toContain(`kgrec: ${products}:1: unknown column(s) "\\u001b[8mhidden"; expected id, title and optionally`);
  });

  it('takes the allowed clock skew from KGREC_MAX_CLOCK_SKEW_SECONDS', () => {
    const inTenMinutes = String(Date.now() + 10 * 60_000);
    const events = writeFixture(tempDir(), 'events.csv', ['userId,productId,type,timestamp', `u1,p1,view,${inTenMinutes}`]);
    const strict = kgrec(['ingest', '--kind', 'events', '--dry-run', '--json', events]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("is later than the server's clock (+300 s allowed)");
    const lenient = kgrec(['ingest', '--kind', 'events', '--dry-run', '--json', events], { KGREC_MAX_CLOCK_SKEW_SECONDS: '3600' });
    expect(lenient.stderr).not.toContain('later than');
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ records: 1, rejected: 0 });
    const invalid = kgrec(['ingest', '--kind', 'events', '--dry-run', events], { KGREC_MAX_CLOCK_SKEW_SECONDS: '-5' });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('KGREC_MAX_CLOCK_SKEW_SECONDS: ');
  });
});
