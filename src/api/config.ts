import os from 'node:os';
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { ProfileCacheSettings } from '../graph/profileCache.js';
import { DEFAULT_SNAPSHOT_TTL_MS } from '../ranking/weights.js';

/** Roles in increasing order of power: each can do what the ones before it can. */
export const ROLES = ['frontend', 'merchandiser', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

const flag = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : value;
}, z.boolean({ error: 'expected true or false' }));

const parseJson = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // left as text, so the schema reports what was expected
  }
};

const tokenHashes = z.preprocess(
  parseJson,
  z.record(
    z.string().regex(/^[0-9a-fA-F]{64}$/, 'keys are SHA-256 hashes of tokens, 64 hex digits').transform((hash) => hash.toLowerCase()),
    z.enum(ROLES, { error: `roles are ${ROLES.join(', ')}` }),
    // Only the record's own type error is replaced; key and role errors keep their messages.
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? `expected a JSON object {"<sha256 hex of a token>": "${ROLES.join('|')}"}`
          : issue.code === 'invalid_key'
            ? 'keys are SHA-256 hashes of tokens, 64 hex digits (not the tokens themselves)'
            : undefined,
    },
  ),
);

export const apiConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Loopback by default: exposing the API is a deliberate choice (KGREC_API_HOST=0.0.0.0). */
  host: z.string().min(1).default('127.0.0.1'),
  /** SHA-256 (hex) of each Bearer token → its role; tokens themselves are never stored. */
  tokens: tokenHashes.default({}),
  /** Queries without a token; when false every query needs the frontend role or higher. */
  publicReads: flag.default(true),
  /** Production: no introspection, no landing page. */
  production: flag.default(false),
  /** Largest `first` of any list argument. */
  maxFirst: z.coerce.number().int().min(1).max(1_000).default(100),
  /** Deepest selection a query may make (introspection excluded). 10 covers the deepest useful query by a wide margin. */
  maxDepth: z.coerce.number().int().min(2).max(50).default(10),
  /** Largest request body; 1 MiB holds a recordEvents call of a few thousand events. */
  maxBodyBytes: z.coerce.number().int().min(1_024).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Most events per recordEvents call: one transaction each, kept short. */
  maxEventsPerRequest: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** How long the ranker's catalogue snapshot serves before a background reload. */
  snapshotTtlSeconds: z.coerce.number().min(0).max(86_400).default(DEFAULT_SNAPSHOT_TTL_MS / 1000),
  /**
   * Worker threads that rank (each with its own copy of the ranking state), beside the thread serving
   * HTTP and GraphQL; 0 ranks on that thread. Default: 1 on a machine with two cores or more.
   */
  rankingThreads: z.coerce.number().int().min(0).max(64).default(() => (os.availableParallelism() >= 2 ? 1 : 0)),
  /** Users whose behaviour the ranker keeps in memory until it changes (0: read per request). */
  profileCacheUsers: z.coerce.number().int().min(0).max(10_000_000).default(100_000),
  /** Longest a user's cached behaviour serves: the bound for writes that bypass kgrec (and its change feed). */
  profileCacheSeconds: z.coerce.number().min(1).max(86_400).default(600),
  /** How often the behaviour change feed is read: how soon writes by other processes (ingestion) show. */
  behaviourPollMs: z.coerce.number().int().min(50).max(60_000).default(500),
  /** How often the catalogue's change marker is read: how soon catalogue edits by other processes (ingestion) show. */
  cataloguePollMs: z.coerce.number().int().min(100).max(600_000).default(2_000),
  /** How long product and category rows are shared between requests (0: read per request). */
  entityCacheSeconds: z.coerce.number().min(0).max(3_600).default(10),
  /** Taken from the main configuration (KGREC_MODELS_DIR, else <KGREC_HOME>/models), where `kgrec train` saves. */
  modelsDir: z.string().min(1),
  /** Browser origins allowed to call the API (CORS), comma-separated; `*` for any; empty: no CORS headers. */
  corsOrigins: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((origin) => origin.trim()).filter(Boolean) : value),
    z.array(z.string().regex(/^(\*|https?:\/\/[^\s/]+)$/, 'expected * or origins like https://shop.example.com')),
  ).default([]),
  /** GraphQL requests per minute per client (its token, else its address); 0 = no limit. */
  rateLimitPerMinute: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /**
   * How operations run: `jit` compiles each operation once (graphql-jit); `graphql-js` interprets it per
   * request (the reference implementation, kept for comparison and as a fallback).
   */
  executor: z.enum(['jit', 'graphql-js'], { error: 'expected jit or graphql-js' }).default('jit'),
});

export type ApiConfig = z.infer<typeof apiConfigSchema>;

/** The API's own variables; `modelsDir` is not one of them: it is the main configuration's, shared with `kgrec train`. */
export const API_ENV_KEYS: Record<Exclude<keyof ApiConfig, 'modelsDir'>, string> = {
  port: 'KGREC_API_PORT',
  host: 'KGREC_API_HOST',
  tokens: 'KGREC_API_TOKENS',
  publicReads: 'KGREC_API_PUBLIC_READS',
  production: 'KGREC_API_PRODUCTION',
  maxFirst: 'KGREC_API_MAX_FIRST',
  maxDepth: 'KGREC_API_MAX_DEPTH',
  maxBodyBytes: 'KGREC_API_MAX_BODY_BYTES',
  maxEventsPerRequest: 'KGREC_API_MAX_EVENTS',
  snapshotTtlSeconds: 'KGREC_API_SNAPSHOT_TTL_SECONDS',
  entityCacheSeconds: 'KGREC_API_ENTITY_CACHE_SECONDS',
  rankingThreads: 'KGREC_API_RANKING_THREADS',
  profileCacheUsers: 'KGREC_API_PROFILE_CACHE_USERS',
  profileCacheSeconds: 'KGREC_API_PROFILE_CACHE_SECONDS',
  behaviourPollMs: 'KGREC_API_BEHAVIOUR_POLL_MS',
  cataloguePollMs: 'KGREC_API_CATALOGUE_POLL_MS',
  corsOrigins: 'KGREC_API_CORS_ORIGINS',
  rateLimitPerMinute: 'KGREC_API_RATE_LIMIT',
  executor: 'KGREC_API_EXECUTOR',
};

/**
 * Reads the API's settings from environment variables; a wrong value is reported with its variable's name.
 * The models folder comes from the main configuration (`config`), so that the API reads where training writes.
 */
export function loadApiConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<ApiConfig> = {},
  config: Pick<Config, 'modelsDir'> = loadConfig(env),
): ApiConfig {
  const fromEnv: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(API_ENV_KEYS)) {
    const value = env[variable];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const parsed = apiConfigSchema.safeParse({ modelsDir: config.modelsDir, ...fromEnv, ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const [key, ...rest] = issue.path.map(String);
      const variable = API_ENV_KEYS[key as keyof typeof API_ENV_KEYS] ?? key ?? '(config)';
      // A token map's keys are never echoed: a token pasted where its hash belongs must not reach the logs.
      const where = rest.length > 0 && key !== 'tokens' ? ` (${rest.join('.')})` : '';
      return `${variable}${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid API configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** The ranker's profile cache as configured (undefined: off). */
export function profileCacheSettings(api: ApiConfig): ProfileCacheSettings | undefined {
  if (api.profileCacheUsers === 0) return undefined;
  return { maxUsers: api.profileCacheUsers, maxAgeMs: api.profileCacheSeconds * 1000, pollMs: api.behaviourPollMs };
}
