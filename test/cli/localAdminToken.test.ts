import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashToken } from '../../src/api/auth.js';
import { apiConfigSchema } from '../../src/api/config.js';
import { LOCAL_TOKEN_FILE } from '../../src/api/localAdminToken.js';
import { localAccess } from '../../src/cli/commands/serve.js';
import { loadConfig } from '../../src/config.js';
import { startConsoleServer, type ConsoleServer } from '../e2e/consoleServer.js';
import { tempDir } from '../helpers.js';

/**
 * The local admin token through the command line: `kgrec start` creates it (localAccess 'create', what
 * start.ts hands to serveApi), a real `kgrec serve` reads it when KGREC_API_TOKENS is unset and not in
 * production, and production never reads nor creates it.
 */

const LOCAL_TOKEN = 'a-local-admin-token-for-the-cli-test';

const viewerRole = async (server: ConsoleServer, token: string): Promise<{ role?: string | null; code?: string }> => {
  const response = await fetch(`${server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { role } }' }),
  });
  const body = (await response.json()) as { data?: { viewer: { role: string | null } }; errors?: { extensions?: { code?: string } }[] };
  return body.errors ? { code: body.errors[0]?.extensions?.code } : { role: body.data?.viewer.role };
};

function homeWithToken(): string {
  const home = tempDir('kgrec-cli-token-home-');
  writeFileSync(path.join(home, LOCAL_TOKEN_FILE), `${hashToken(LOCAL_TOKEN)}\n`, { mode: 0o600 });
  return home;
}

describe('kgrec serve and the local admin token', () => {
  let server: ConsoleServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('serves the kept token as an admin when no tokens are configured', async () => {
    server = await startConsoleServer({ roleTokens: false, home: homeWithToken() });
    expect(await viewerRole(server, LOCAL_TOKEN)).toEqual({ role: 'ADMIN' });
    expect(await viewerRole(server, 'another-token')).toEqual({ code: 'UNAUTHENTICATED' });
    await expect.poll(() => server?.stdout()).toContain(`sign in with the local admin token printed when it was made (only its hash is kept, in ${path.join(server.home, LOCAL_TOKEN_FILE)}`);
  });

  it('never reads it in production', async () => {
    const home = homeWithToken();
    const kept = readFileSync(path.join(home, LOCAL_TOKEN_FILE), 'utf8');
    server = await startConsoleServer({ roleTokens: false, home, env: { KGREC_API_PRODUCTION: 'true' } });
    expect(await viewerRole(server, LOCAL_TOKEN)).toEqual({ code: 'UNAUTHENTICATED' });
    expect(server.stdout()).not.toContain('local admin token');
    expect(readFileSync(path.join(home, LOCAL_TOKEN_FILE), 'utf8')).toBe(kept);
  });

  it('creates none: without the file it serves no admin and leaves the home without one', async () => {
    server = await startConsoleServer({ roleTokens: false });
    expect(await viewerRole(server, LOCAL_TOKEN)).toEqual({ code: 'UNAUTHENTICATED' });
    expect(existsSync(path.join(server.home, LOCAL_TOKEN_FILE))).toBe(false);
  });
});

describe("kgrec start's local access", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const settings = (home: string, production = false) => {
    const config = loadConfig({ KGREC_HOME: home });
    return { config, api: apiConfigSchema.parse({ modelsDir: config.modelsDir, production }) };
  };

  it('creates the token once and makes it the one admin token of the API', () => {
    vi.stubEnv('KGREC_API_TOKENS', '');
    const { config, api } = settings(tempDir('kgrec-cli-token-home-'));
    const first = localAccess(config, api, 'create');
    const token = first.localToken?.createdToken as string;
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(first.api.tokens).toEqual({ [hashToken(token)]: 'admin' });
    const second = localAccess(config, api, 'create');
    expect(second.localToken?.createdToken).toBeNull();
    expect(second.api.tokens).toEqual(first.api.tokens);
  });

  it('in production or with tokens of its own, neither creates nor reads one', () => {
    const home = tempDir('kgrec-cli-token-home-');
    const production = settings(home, true);
    vi.stubEnv('KGREC_API_TOKENS', '');
    expect(localAccess(production.config, production.api, 'create')).toEqual({ api: production.api, localToken: null });
    expect(existsSync(path.join(home, LOCAL_TOKEN_FILE))).toBe(false);

    vi.stubEnv('KGREC_API_TOKENS', JSON.stringify({ [hashToken('t')]: 'admin' }));
    const own = settings(home);
    expect(localAccess(own.config, own.api, 'create')).toEqual({ api: own.api, localToken: null });
    expect(existsSync(path.join(home, LOCAL_TOKEN_FILE))).toBe(false);
    // A kept file is not read either.
    const kept = homeWithToken();
    const withFile = settings(kept);
    expect(localAccess(withFile.config, withFile.api, 'read').localToken).toBeNull();
  });
});
