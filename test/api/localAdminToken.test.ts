import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/api/auth.js';
import { apiConfigSchema } from '../../src/api/config.js';
import { ensureLocalAdminToken, LOCAL_TOKEN_FILE, readLocalAdminToken, usesLocalToken, withLocalAdminToken } from '../../src/api/localAdminToken.js';
import { tempDir } from '../helpers.js';

describe('the local admin token', () => {
  it('is created once, and only its hash is kept, readable by its owner alone', () => {
    const home = path.join(tempDir('kgrec-local-token-'), '.kgrec');
    const created = ensureLocalAdminToken(home);
    expect(created.createdToken).toMatch(/^[\w-]{43}$/);
    expect(created.file).toBe(path.join(home, LOCAL_TOKEN_FILE));
    const kept = readFileSync(created.file, 'utf8');
    expect(kept).toBe(`${hashToken(created.createdToken ?? '')}\n`);
    expect(kept).not.toContain(created.createdToken);
    expect(statSync(created.file).mode & 0o777).toBe(0o600);

    const again = ensureLocalAdminToken(home);
    expect(again.createdToken).toBeNull();
    expect(again.hash).toBe(created.hash);
    expect(readLocalAdminToken(home)?.hash).toBe(created.hash);
  });

  it('is read as absent before kgrec start made it', () => {
    expect(readLocalAdminToken(tempDir('kgrec-local-token-'))).toBeNull();
  });

  it('refuses a file that holds anything but a hash, naming the file', () => {
    const home = tempDir('kgrec-local-token-');
    writeFileSync(path.join(home, LOCAL_TOKEN_FILE), 'the-token-itself\n');
    expect(() => readLocalAdminToken(home)).toThrow(`${path.join(home, LOCAL_TOKEN_FILE)}: expected the SHA-256`);
  });

  it('is used only without configured tokens and outside production', () => {
    const api = apiConfigSchema.parse({ modelsDir: '/tmp/models' });
    expect(usesLocalToken(api, {})).toBe(true);
    expect(usesLocalToken(api, { KGREC_API_TOKENS: '' })).toBe(true);
    expect(usesLocalToken(api, { KGREC_API_TOKENS: `{"${hashToken('t')}":"admin"}` })).toBe(false);
    expect(usesLocalToken({ ...api, production: true }, {})).toBe(false);
  });

  it('becomes the one admin token of the API settings', () => {
    const api = apiConfigSchema.parse({ modelsDir: '/tmp/models' });
    expect(withLocalAdminToken(api, 'a'.repeat(64)).tokens).toEqual({ ['a'.repeat(64)]: 'admin' });
  });
});
