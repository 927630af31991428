import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hashToken } from '../../src/api/auth.js';
import { DEFAULT_CONSOLE_DIR } from '../../src/api/consoleFiles.js';
import { PROJECT_ROOT } from '../../src/config.js';
import { tempDir } from '../helpers.js';
import { TOKENS } from '../api/harness.js';

/** A real `kgrec serve` (from source) over the test run's Neo4j, with one token per role. */

const tsxLoader = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
const START_TIMEOUT_MS = 120_000;

export interface ConsoleServer {
  /** e.g. http://localhost:41234 */
  origin: string;
  /** The server's KGREC_HOME (its models and eval folders are inside). */
  home: string;
  /** What it printed so far. */
  stdout(): string;
  stop(): Promise<void>;
}

/** Debian's chromium, or the one CHROMIUM_PATH names; null when there is none. */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((candidate) => existsSync(candidate)) ?? null;
}

export function assertConsoleBuilt(): void {
  if (!existsSync(path.join(DEFAULT_CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built (${DEFAULT_CONSOLE_DIR}): run npm run build first`);
}

export interface ServeOptions {
  /** Whether the server gets one token per role (TOKENS) in KGREC_API_TOKENS; without, KGREC_API_TOKENS is unset. Default true. */
  roleTokens?: boolean;
  /** KGREC_HOME (default a new temporary folder). */
  home?: string;
  /** More variables, e.g. KGREC_API_PRODUCTION. */
  env?: Record<string, string>;
}

export async function startConsoleServer(options: ServeOptions = {}): Promise<ConsoleServer> {
  const tokens = Object.fromEntries(Object.entries(TOKENS).map(([role, token]) => [hashToken(token), role]));
  const home = options.home ?? tempDir('kgrec-e2e-home-');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: '',
    KGREC_HOME: home,
    KGREC_API_PORT: '0',
    KGREC_API_TOKENS: JSON.stringify(tokens),
    KGREC_API_RANKING_THREADS: '0',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  if (options.roleTokens === false) delete env.KGREC_API_TOKENS;
  const child = spawn(process.execPath, ['--import', tsxLoader, path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), 'serve'], {
    cwd: tempDir('kgrec-e2e-'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const origin = await waitForUrl(child);
  return {
    origin,
    home,
    stdout: () => stdout,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => fail(`kgrec serve printed no URL within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`${why}\n${stderr.slice(-2000)}`));
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /kgrec API at (http:\/\/\S+)\/graphql/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => fail(`kgrec serve ended (code ${code}) before it listened`));
  });
}
