import { readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The package's root: only what ships with it (cypher/, schema/, the compiled wasm) is read from here. State
 * never goes here, as an installed package would then write into node_modules/kgrec; it goes under `home`.
 */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Neo4j 5.26 is the LTS line that still runs on Java 17 (2025.x needs Java 21, which Debian 12 lacks). */
export const NEO4J_VERSION = '5.26.30';

/** Merchandiser relation types accepted unless KGREC_RELATION_TYPES says otherwise. */
export const DEFAULT_RELATION_TYPES = ['COMPLEMENTS', 'SUBSTITUTES', 'ACCESSORY_OF'] as const;

/**
 * How far a record's time (an event's timestamp, a product's createdAt) may lie ahead of the server's clock,
 * in files and API inputs alike. Five minutes covers machines that keep time by NTP and clients whose clock
 * runs slightly fast. A time further ahead is a mistake or an attack: popularity decays from the newest
 * time, so a single event dated years ahead would otherwise decay every other product to nothing.
 */
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;
/** A day: beyond it "skew" would be a different clock, and future-dated data would again shift the ranking. */
const MAX_CLOCK_SKEW_SECONDS = 86_400;
/** KGREC_HOME unless set: a folder in the working directory, like git's .git. */
export const DEFAULT_HOME = '.kgrec';

/** Where each kind of state lives inside KGREC_HOME. */
export const HOME_FOLDERS = {
  neo4j: 'neo4j',
  models: 'models',
  eval: 'eval',
  demo: 'demo',
  reports: 'reports',
  /** Models trained on benchmark triples (`kgrec train --triples`): never the shop's, never activated. */
  benchmarkModels: 'benchmark-models',
} as const;

export const homePath = (home: string, folder: keyof typeof HOME_FOLDERS, ...rest: string[]): string =>
  path.join(home, HOME_FOLDERS[folder], ...rest);

/**
 * The user's cache folder for kgrec ($XDG_CACHE_HOME/kgrec, else ~/.cache/kgrec): what every home may share.
 * A relative XDG_CACHE_HOME is ignored, as the XDG specification asks.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'kgrec');
}

/** The Neo4j jars, fetched once per version and shared by every home, the tests' and the benchmarks' servers. */
export const defaultNeo4jLib = (env: NodeJS.ProcessEnv = process.env): string =>
  path.join(userCacheDir(env), `neo4j-${NEO4J_VERSION}`, 'lib');

const folder = z.string().min(1, 'expected a folder path');

const relationTypeName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'relation types are UPPER_SNAKE_CASE identifiers');

const memorySize = z.string().regex(/^\d+[kmg]$/i, 'a JVM size such as 512m or 1g');

const toList = (value: unknown): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0)
    : value;

export const configSchema = z.object({
  home: folder.default(DEFAULT_HOME).describe('The one folder for kgrec\'s state (local Neo4j, models, evaluations, demo files, reports); relative paths are taken from the working directory.'),
  /** Set to use an existing Neo4j 5 (server, cluster or Aura); nothing is then started locally. */
  neo4jUri: z.string().url().optional().describe('An existing Neo4j 5 (bolt://, neo4j:// for a cluster, neo4j+s:// for Aura); when set, no local server is started.'),
  neo4jUser: z.string().min(1).default('neo4j').describe('Neo4j user name.'),
  neo4jPassword: z.string().min(8, 'Neo4j requires passwords of at least 8 characters').default('kgrec-local-password').describe('Neo4j password; also the initial password of the local server (at least 8 characters).'),
  neo4jDatabase: z.string().min(1).optional().describe('Neo4j database name; unset: the server default.'),
  /** Local server: where it lives (default <home>/neo4j), its Bolt port and memory. Sized for a shared 2-core machine. */
  localNeo4jHome: folder.optional().describe('The local server\'s folder: conf, data, logs and pid file (default <home>/neo4j).'),
  localNeo4jLib: folder
    .default(() => defaultNeo4jLib())
    .describe('The local server\'s jars, fetched from Maven Central once and shared by every home, the tests\' and the benchmarks\' servers (default in the user\'s cache folder).'),
  localNeo4jPort: z.coerce.number().int().min(1).max(65535).default(7687).describe('Bolt port of the local server (it listens on 127.0.0.1 only).'),
  localNeo4jHeap: memorySize.default('768m').describe('JVM heap of the local server, a JVM size such as 768m or 2g.'),
  localNeo4jPageCache: memorySize.default('512m').describe('Page cache of the local server, a JVM size such as 512m or 2g.'),
  /** Dimension of product embeddings, used by the vector index. */
  embeddingDimension: z.coerce.number().int().min(2).max(4096).default(64).describe('Dimension of product embeddings, used by the vector index.'),
  /** Allow-list of merchandiser relation types between products. */
  relationTypes: z.preprocess(toList, z.array(relationTypeName).min(1)).default([...DEFAULT_RELATION_TYPES]).describe('Allow-list of merchandiser relation types between products (UPPER_SNAKE_CASE, comma-separated in the variable).'),
  /**
   * Rows per ingestion transaction. 10,000 was the fastest in bench/ingest (5,000 and 20,000 were slower);
   * two lanes of 50,000 events exceed the local server's 384 MB transaction memory.
   */
  ingestBatchSize: z.coerce.number().int().min(1).max(100_000).default(10_000).describe('Records per ingestion transaction (kgrec ingest --batch-size overrides it).'),
  maxClockSkewSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_CLOCK_SKEW_SECONDS)
    .default(DEFAULT_MAX_CLOCK_SKEW_SECONDS)
    .describe("How many seconds an event's timestamp or a product's createdAt may lie ahead of the server's clock; later ones are refused by ingest, bulk-load and recordEvents."),
  /**
   * A local folder holding a sentence encoder (ONNX export of a sentence-transformers model); when set, the
   * ranker's text likeness and semantic search use it instead of TransE term vectors. Never downloaded.
   */
  textEncoderPath: z.string().min(1).optional().describe('A local folder holding a sentence encoder (ONNX export of a sentence-transformers model); when set, text likeness and semantic search use it instead of TransE term vectors. Never downloaded.'),
  modelsDir: folder.optional().describe('Trained model versions and the active one (default <home>/models); written by kgrec train, read by kgrec serve.'),
});

/**
 * The configuration with every folder resolved, once, here: the ones left unset default to places inside
 * `home`, and all are absolute, so that every command and the API agree on them whatever their cwd.
 */
export const resolvedConfigSchema = configSchema.transform(({ home, localNeo4jHome, localNeo4jLib, modelsDir, ...rest }) => {
  const root = path.resolve(home);
  return {
    ...rest,
    home: root,
    localNeo4jHome: path.resolve(localNeo4jHome ?? homePath(root, 'neo4j')),
    localNeo4jLib: path.resolve(localNeo4jLib),
    modelsDir: path.resolve(modelsDir ?? homePath(root, 'models')),
  };
});

export type Config = z.output<typeof resolvedConfigSchema>;

/** Environment variable → config key. The README's configuration table mirrors this list. */
export const ENV_KEYS: Record<keyof Config, string> = {
  home: 'KGREC_HOME',
  neo4jUri: 'NEO4J_URI',
  neo4jUser: 'NEO4J_USER',
  neo4jPassword: 'NEO4J_PASSWORD',
  neo4jDatabase: 'NEO4J_DATABASE',
  localNeo4jHome: 'KGREC_NEO4J_HOME',
  localNeo4jLib: 'KGREC_NEO4J_LIB',
  localNeo4jPort: 'KGREC_NEO4J_PORT',
  localNeo4jHeap: 'KGREC_NEO4J_HEAP',
  localNeo4jPageCache: 'KGREC_NEO4J_PAGECACHE',
  embeddingDimension: 'KGREC_EMBEDDING_DIMENSION',
  relationTypes: 'KGREC_RELATION_TYPES',
  ingestBatchSize: 'KGREC_INGEST_BATCH_SIZE',
  maxClockSkewSeconds: 'KGREC_MAX_CLOCK_SKEW_SECONDS',
  textEncoderPath: 'KGREC_TEXT_ENCODER',
  modelsDir: 'KGREC_MODELS_DIR',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads configuration from an optional JSON file (KGREC_CONFIG, keys as in `Config`) overlaid by
 * environment variables, and validates it once. Errors name the variable that is wrong.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<z.input<typeof configSchema>> = {}): Config {
  const fromFile = readConfigFile(env.KGREC_CONFIG);
  const fromEnv: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENV_KEYS)) {
    const value = env[variable];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const parsed = resolvedConfigSchema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const variable = ENV_KEYS[key as keyof Config] ?? key;
      return `${variable}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

function readConfigFile(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  if (!existsSync(file)) throw new ConfigError(`KGREC_CONFIG: file not found: ${file}`);
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`KGREC_CONFIG: ${file} must hold a JSON object`);
    }
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`KGREC_CONFIG: ${file}: ${(error as Error).message}`);
  }
}

/** True when kgrec manages its own Neo4j (no NEO4J_URI given). */
export const usesLocalNeo4j = (config: Config): boolean => config.neo4jUri === undefined;

export const boltUri = (config: Config): string =>
  config.neo4jUri ?? `bolt://127.0.0.1:${config.localNeo4jPort}`;
