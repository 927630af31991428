import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { hashToken } from './auth.js';
import type { ApiConfig } from './config.js';

/**
 * The local admin token: on a machine with no token configured (KGREC_API_TOKENS unset) and outside
 * production, `kgrec start` creates one admin token, once, so that the console can be signed in to without
 * writing configuration first. Only its SHA-256 hash is kept, in this file under KGREC_HOME, which `kgrec
 * serve` reads in the same case. A production setup (KGREC_API_PRODUCTION=true) or one with its own tokens
 * never creates nor reads it.
 */

export const LOCAL_TOKEN_FILE = 'local-admin-token.sha256';

/** 32 random bytes: as strong as the SHA-256 that stores it. */
const TOKEN_BYTES = 32;

export const localTokenPath = (home: string): string => path.join(home, LOCAL_TOKEN_FILE);

/** Whether this setup uses the local token: no tokens configured, not production. */
export function usesLocalToken(api: Pick<ApiConfig, 'production'>, env: NodeJS.ProcessEnv): boolean {
  return !api.production && (env.KGREC_API_TOKENS ?? '').trim() === '';
}

export interface LocalAdminToken {
  /** Where the hash is kept. */
  file: string;
  hash: string;
  /** The token itself when it was created now (shown once), else null: only its hash is kept. */
  createdToken: string | null;
}

/** The kept hash, or null when there is none yet; a file that holds anything else is an error naming it. */
export function readLocalAdminToken(home: string): { file: string; hash: string } | null {
  const file = localTokenPath(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const hash = text.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    throw new ConfigError(`${file}: expected the SHA-256 (64 hex digits) of the local admin token; delete the file and run kgrec start to make a new token`);
  }
  return { file, hash };
}

/** The kept token, or a new one whose hash is written now (readable by the owner only). */
export function ensureLocalAdminToken(home: string): LocalAdminToken {
  const kept = readLocalAdminToken(home);
  if (kept) return { ...kept, createdToken: null };
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const hash = hashToken(token);
  const file = localTokenPath(home);
  mkdirSync(home, { recursive: true });
  // 'wx': a second `kgrec start` racing this one fails here instead of replacing a token already shown.
  writeFileSync(file, `${hash}\n`, { flag: 'wx', mode: 0o600 });
  return { file, hash, createdToken: token };
}

/** The API's settings with the local token as its one admin token. */
export const withLocalAdminToken = (api: ApiConfig, hash: string): ApiConfig => ({ ...api, tokens: { [hash]: 'admin' } });
