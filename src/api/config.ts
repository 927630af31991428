import os from 'node:os';
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { ProfileCacheSettings } from '../graph/profileCache.js';
import { DEFAULT_SNAPSHOT_TTL_MS } from '../ranking/weights.js';
import { DEFAULT_HIDE_PENALTY } from '../ranking/hidePenalty.js';

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

/** Proxies in front of the API that may be trusted at most; far more than any real chain. */
export const MAX_TRUSTED_PROXIES = 32;

const trustProxySetting = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word) && word !== '1') return true;
    if (FALSE_WORDS.has(word) && word !== '0') return false;
    return /^\d+$/.test(word) ? Number(word) : value;
  },
  z.union([z.boolean(), z.number().int().min(0).max(MAX_TRUSTED_PROXIES)], {
    error: `expected true, false or a number of proxies from 0 to ${MAX_TRUSTED_PROXIES}`,
  }),
);

/** The hops of X-Forwarded-For to believe: 0 for none, Infinity for all (trustProxy true). */
export const trustedProxyHops = (api: Pick<ApiConfig, 'trustProxy'>): number =>
  api.trustProxy === true ? Number.POSITIVE_INFINITY : api.trustProxy === false ? 0 : api.trustProxy;

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

/** The default budget of one operation (KGREC_API_MAX_COST). */
export const DEFAULT_MAX_COST = 10_000;

export const apiConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4000).describe('Port of kgrec serve (--port overrides it; 0 picks a free one).'),
  /** Loopback by default: exposing the API is a deliberate choice (KGREC_API_HOST=0.0.0.0). */
  host: z.string().min(1).default('127.0.0.1').describe('Listen address; loopback unless exposed deliberately (e.g. 0.0.0.0).'),
  /** SHA-256 (hex) of each Bearer token → its role; tokens themselves are never stored. */
  tokens: tokenHashes.default({}).describe('JSON object: SHA-256 (hex) of each Bearer token → frontend, merchandiser or admin; tokens themselves are never stored.'),
  /** Queries without a token; when false every query needs the frontend role or higher. */
  publicReads: flag.default(true).describe('Queries without a token; false requires the frontend role or higher for every query.'),
  production: flag
    .default(false)
    .describe('Production: no introspection, no landing page, and personalised reads (recommend, search with a userId, user) only with a shopper token for that user or a role token.'),
  /** HS256 wants a key of 256 bits, hence 32 characters at least. */
  shopperTokenKey: z
    .string()
    .min(32, 'expected a secret of at least 32 characters')
    .optional()
    .describe('HS256 secret that verifies shopper tokens (JWTs whose subject is a user id, minted by the shop backend).'),
  shopperTokenJwks: z
    .string()
    .min(1)
    .optional()
    .describe('Path of a JWKS file (JSON) of public keys that verify shopper tokens signed with RS, PS, ES or EdDSA algorithms.'),
  /** Shopper tokens are meant to be short-lived. */
  shopperTokenMaxAgeSeconds: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 86_400)
    .default(3_600)
    .describe("Oldest shopper token accepted, counted from its iat claim, in seconds."),
  shopperTokenIssuer: z.string().min(1).optional().describe("When set, a shopper token's iss claim must be this."),
  shopperTokenAudience: z.string().min(1).optional().describe("When set, a shopper token's aud claim must include this."),
  /** Without a key, plain SHA-256, which guessable ids (u-0001, e-mail addresses) do not withstand. */
  auditIdKey: z
    .string()
    .min(16, 'expected a key of at least 16 characters')
    .optional()
    .describe("Key of the HMAC that turns a deleted user's id into the pseudonym the audit trail keeps (at least 16 characters)."),
  /** Largest `first` of any list argument. */
  maxFirst: z.coerce.number().int().min(1).max(1_000).default(100).describe('Largest `first` of any list argument.'),
  /** Deepest selection a query may make (introspection excluded). 10 covers the deepest useful query by a wide margin. */
  maxDepth: z.coerce.number().int().min(2).max(50).default(10).describe('Deepest selection a query may make (introspection excluded).'),
  /** Largest request body; 1 MiB holds a recordEvents call of a few thousand events. */
  maxBodyBytes: z.coerce.number().int().min(1_024).max(64 * 1024 * 1024).default(1024 * 1024).describe('Largest request body, in bytes.'),
  /** Most events per recordEvents call: one transaction each, kept short. */
  maxEventsPerRequest: z.coerce.number().int().min(1).max(10_000).default(1_000).describe('Most events per recordEvents call (one transaction each).'),
  /** How long the ranker's catalogue snapshot serves before a background reload. */
  snapshotTtlSeconds: z.coerce.number().min(0).max(86_400).default(DEFAULT_SNAPSHOT_TTL_MS / 1000).describe('How long the ranker\'s in-memory state (catalogue, popularity, neighbours) serves before a background reload; catalogue edits reload it sooner.'),
  /**
   * Worker threads that rank (each with its own copy of the ranking state), beside the thread serving
   * HTTP and GraphQL; 0 ranks on that thread. Default: 1 on a machine with two cores or more.
   */
  rankingThreads: z.coerce.number().int().min(0).max(64).default(() => (os.availableParallelism() >= 2 ? 1 : 0)).describe('Worker threads that rank, each with its own copy of the ranking state, Neo4j connection and profile cache, beside the thread serving HTTP and GraphQL; 0 ranks on that thread.'),
  /** Users whose behaviour the ranker keeps in memory until it changes (0: read per request). */
  profileCacheUsers: z.coerce.number().int().min(0).max(10_000_000).default(100_000).describe('Users whose behaviour the ranker keeps in memory until it changes, least recently used out first (0: read from Neo4j on every request).'),
  /** Longest a user's cached behaviour serves: the bound for writes that bypass kgrec (and its change feed). */
  profileCacheSeconds: z.coerce.number().min(1).max(86_400).default(600).describe('Longest a user\'s cached behaviour serves: the bound for writes that bypass kgrec and its change feed (each entry expires between half of this and this).'),
  /** How often the behaviour change feed is read: how soon writes by other processes (ingestion) show. */
  behaviourPollMs: z.coerce.number().int().min(50).max(60_000).default(500).describe('How often the behaviour change feed is read: how soon behaviour written by other processes (ingestion) reaches cached users.'),
  /** How often the catalogue's change marker is read: how soon catalogue edits by other processes (ingestion) show. */
  cataloguePollMs: z.coerce.number().int().min(100).max(600_000).default(2_000).describe('How often the catalogue change marker is read: how soon catalogue and rule edits by other processes show (each API process then reloads once).'),
  /** How long product and category rows are shared between requests (0: read per request). */
  entityCacheSeconds: z.coerce.number().min(0).max(3_600).default(10).describe('How long product and category rows are shared between requests before they are read again in the background (0: read per request).'),
  /** Taken from the main configuration (KGREC_MODELS_DIR, else <KGREC_HOME>/models), where `kgrec train` saves. */
  modelsDir: z.string().min(1).describe('Where the API looks for models/active and the model versions: the main configuration\'s models folder (KGREC_MODELS_DIR, else <KGREC_HOME>/models).'),
  /** Browser origins allowed to call the API (CORS), comma-separated; `*` for any; empty: no CORS headers. */
  corsOrigins: z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((origin) => origin.trim()).filter(Boolean) : value),
    z.array(z.string().regex(/^(\*|https?:\/\/[^\s/]+)$/, 'expected * or origins like https://shop.example.com')),
  ).default([]).describe('Browser origins allowed to call the API, comma-separated (* for any); empty: no CORS headers.'),
  /** GraphQL requests per minute per client (its token, else its address); 0 = no limit. */
  /**
   * Whom to believe about the caller's address, as express's `trust proxy`: false (the socket's address),
   * true (the left-most X-Forwarded-For entry: every hop is trusted), or the number of proxies in front of
   * the API, so that an address a client wrote into the header itself is never taken for its own.
   */
  trustProxy: trustProxySetting
    .default(false)
    .describe('Behind proxies or load balancers: false (the default) keys rate limits and cost budgets on the socket address; a number n trusts the n nearest proxies and takes the address the n-th one saw from X-Forwarded-For; true trusts every hop (the left-most address).'),
  rateLimitPerMinute: z.coerce.number().int().min(0).max(1_000_000).default(0).describe('GraphQL requests per minute per client (its Bearer token, else its address); beyond it HTTP 429 with Retry-After and code RATE_LIMITED; 0: no limit.'),
  /**
   * The most one operation may cost, in the units of src/api/costWeights.ts, measured before it runs. The
   * default holds the largest legitimate reads (a recommend of the largest page with explanations, a
   * categories tree with a product page) with room to spare, and keeps a handful of rankings per request.
   */
  maxCost: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_MAX_COST).describe('Most one request may cost, priced before anything runs (weights in src/api/costWeights.ts); beyond it QUERY_TOO_COSTLY.'),
  /**
   * The most tokens a query text may have (names, punctuation, values; variables do not count). Parsing
   * stops past it, so an oversized document is refused for the price of this many tokens. The default is
   * far above any frontend's query; large inputs (recordEvents) belong in variables.
   */
  maxTokens: z.coerce.number().int().min(100).max(1_000_000).default(10_000).describe('Most tokens a query text may have (variables do not count); parsing stops past it with QUERY_TOO_COSTLY.'),
  /** The most aliases one operation may use (`__typename` excepted): each alias is a field resolved again. */
  maxAliases: z.coerce.number().int().min(0).max(10_000).default(15).describe('Most aliases per request, __typename excepted (0: none at all); beyond it TOO_MANY_ALIASES.'),
  /**
   * Cost per minute per client (the same client as rateLimitPerMinute), spent by each operation's cost;
   * 0 = no budget. Off by default like the request limit: a shop's frontend sends its shoppers' requests
   * from one token, whose traffic only its operator can size.
   */
  costPerMinute: z.coerce.number().int().min(0).max(1_000_000_000).default(0).describe('Cost budget per client (its token, else its address) per minute; beyond it HTTP 429 RATE_LIMITED; 0: no budget, else at least KGREC_API_MAX_COST.'),
  /**
   * How operations run: `jit` compiles each operation once (graphql-jit); `graphql-js` interprets it per
   * request (the reference implementation, kept for comparison and as a fallback).
   */
  /** Neo4j plans a query again for each size class of its list parameters (src/api/queryPlanWarmUp.ts). */
  warmQueryPlans: flag.default(true).describe('Before /ready answers 200, plan the queries requests and reloads send at every list size they can bring, so that no request waits for Neo4j to plan one (a few seconds at start).'),
  /** The exposure log of experiments and attribution (src/api/servedListLog.ts); off leaves servedIds unlogged. */
  recordServed: flag.default(true).describe('Log every served list (recommend, search, similarProducts) as a ServedList node, for attribution, experiments and excludeServed paging; false still answers servedIds but logs nothing.'),
  /** A second is well inside a shopper's click-through time, and batches a busy API's lists into one write. */
  servedFlushMs: z.coerce.number().int().min(10).max(60_000).default(1_000).describe('Longest a served list waits in memory before it is written to Neo4j with the lists served beside it.'),
  servedBatchSize: z.coerce.number().int().min(1).max(10_000).default(500).describe('Served lists written per Neo4j transaction; a write starts as soon as this many wait.'),
  servedRetentionDays: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_650)
    .default(180)
    .describe('Served lists older than this many days are deleted every hour (0 keeps them for ever). Keep it longer than any experiment runs: results read the lists of their window.'),
  hidePenalty: z.coerce
    .number()
    .min(0)
    .max(5)
    .default(DEFAULT_HIDE_PENALTY)
    .describe("How much a product the user hid lowers its co-behaviour neighbours in recommend, in units of the fused score (a standardised signal at full weight is 1); 0 only removes the hidden products themselves."),
  executor: z.enum(['jit', 'graphql-js'], { error: 'expected jit or graphql-js' }).default('jit').describe('How operations run: jit compiles each operation once (graphql-jit) and answers valid queries without Apollo Server\'s per-request pipeline; graphql-js interprets every request through Apollo Server (the reference).'),
}).refine((api) => api.costPerMinute === 0 || api.costPerMinute >= api.maxCost, {
  // Otherwise the dearest operations that pass one request's budget could never be afforded in a minute.
  message: 'expected 0 (no budget) or at least the cost one operation may have (KGREC_API_MAX_COST)',
  path: ['costPerMinute'],
});

export type ApiConfig = z.infer<typeof apiConfigSchema>;

/** The API's own variables; `modelsDir` is not one of them: it is the main configuration's, shared with `kgrec train`. */
export const API_ENV_KEYS: Record<Exclude<keyof ApiConfig, 'modelsDir'>, string> = {
  port: 'KGREC_API_PORT',
  host: 'KGREC_API_HOST',
  tokens: 'KGREC_API_TOKENS',
  publicReads: 'KGREC_API_PUBLIC_READS',
  production: 'KGREC_API_PRODUCTION',
  shopperTokenKey: 'KGREC_API_SHOPPER_TOKEN_KEY',
  shopperTokenJwks: 'KGREC_API_SHOPPER_TOKEN_JWKS',
  shopperTokenMaxAgeSeconds: 'KGREC_API_SHOPPER_TOKEN_MAX_AGE_SECONDS',
  shopperTokenIssuer: 'KGREC_API_SHOPPER_TOKEN_ISSUER',
  shopperTokenAudience: 'KGREC_API_SHOPPER_TOKEN_AUDIENCE',
  auditIdKey: 'KGREC_API_AUDIT_ID_KEY',
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
  trustProxy: 'KGREC_API_TRUST_PROXY',
  maxCost: 'KGREC_API_MAX_COST',
  maxTokens: 'KGREC_API_MAX_TOKENS',
  maxAliases: 'KGREC_API_MAX_ALIASES',
  costPerMinute: 'KGREC_API_COST_PER_MINUTE',
  executor: 'KGREC_API_EXECUTOR',
  warmQueryPlans: 'KGREC_API_WARM_QUERY_PLANS',
  recordServed: 'KGREC_API_RECORD_SERVED',
  servedFlushMs: 'KGREC_API_SERVED_FLUSH_MS',
  servedBatchSize: 'KGREC_API_SERVED_BATCH_SIZE',
  servedRetentionDays: 'KGREC_API_SERVED_RETENTION_DAYS',
  hidePenalty: 'KGREC_API_HIDE_PENALTY',
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
