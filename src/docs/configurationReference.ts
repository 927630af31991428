import path from 'node:path';
import { z } from 'zod';
import { API_ENV_KEYS, apiConfigSchema } from '../api/config.js';
import { configSchema, ENV_KEYS, PROJECT_ROOT } from '../config.js';
import { hyperparameterSchema, PRESETS, SHOP_DEFAULTS } from '../kge/hyperparameters.js';

/**
 * docs/reference/configuration.md, generated from the zod schemas themselves (descriptions, defaults,
 * limits), so that the reference cannot drift from what start-up validates.
 */

export const CONFIGURATION_DOC = path.join(PROJECT_ROOT, 'docs', 'reference', 'configuration.md');

/**
 * Defaults worked out at start-up (from the machine, the home folder or the user's cache): the schema's
 * value would be this machine's, so the reference states the rule instead.
 */
const DERIVED_DEFAULTS: Readonly<Record<string, string>> = {
  rankingThreads: '1 with two cores or more, else 0',
  localNeo4jHome: '`<home>/neo4j`',
  modelsDir: '`<home>/models`',
  localNeo4jLib: '`$XDG_CACHE_HOME/kgrec/neo4j-<version>/lib`, else `~/.cache/kgrec/neo4j-<version>/lib`',
};

/** Settings read outside the schemas (by the launcher, the trainer's kernels, the logger, tests and benchmarks). */
const OTHER_VARIABLES: readonly (readonly [string, string, string])[] = [
  ['KGREC_CONFIG', 'unset', 'Path of a JSON file holding the platform settings above (camelCase keys); environment variables win over it.'],
  ['KGREC_NEO4J_JAVA_OPTS', 'unset', 'More JVM flags for the local Neo4j (GC logging, a profiler agent); a collector named here (e.g. `-XX:+UseG1GC`) replaces the default throughput collector.'],
  ['JAVA_HOME', 'unset', 'The Java 17+ that runs the local Neo4j; else `java` on the `PATH`.'],
  ['KGREC_KGE_SIMD', '`1`', '`0` trains, ranks and evaluates on the scalar TypeScript kernels instead of the WebAssembly SIMD ones (the same maths, for comparison).'],
  ['LOG_LEVEL', '`info`', 'Level of `kgrec serve`\'s structured log (pino); `info` logs a line per GraphQL request.'],
  ['NODE_ENV', '`production`', 'Set by the CLI unless given: graphql\'s development checks off.'],
  ['XDG_CACHE_HOME', '`~/.cache`', 'The user cache folder: kgrec keeps the Neo4j jars and the compiled WebAssembly kernels in `kgrec/` inside it (a relative value is ignored).'],
  ['KGREC_TEST_NEO4J_PORT', '`7688`', 'Port of the Neo4j the test suite starts for itself (in `.neo4j/test-<port>` when not the default).'],
  ['KGREC_TEST_NEO4J_URI', 'unset', 'A Neo4j the test suite uses instead of starting its own; it must be empty or carry the `(:KgrecTestDatabase {id: \'kgrec-test\'})` marker. `NEO4J_URI` is ignored by the tests.'],
  ['KGREC_TEST_NEO4J_USER', '`neo4j`', 'User for `KGREC_TEST_NEO4J_URI`.'],
  ['KGREC_TEST_NEO4J_PASSWORD', 'empty', 'Password for `KGREC_TEST_NEO4J_URI`.'],
  ['KGREC_TEST_NEO4J_DATABASE', 'the server default', 'Database for `KGREC_TEST_NEO4J_URI`.'],
  ['KGREC_BENCH_NEO4J_PORT', '`7689`', 'Port of the Neo4j of `bench/ingest.ts`.'],
  ['KGREC_BENCH_SERVE_NEO4J_PORT', '`7690`', 'Port of the Neo4j of `bench/serve.ts`.'],
  ['KGREC_BENCH_COSTS_NEO4J_PORT', '`7691`', 'Port of the Neo4j of `bench/ingestCosts.ts`.'],
  ['KGREC_BENCH_SOAK_NEO4J_PORT', '`7696`', 'Port of the Neo4j of `bench/soak.ts`.'],
];

interface KeyDoc {
  key: string;
  type: string;
  defaultValue: string;
  description: string;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
};

const code = (text: string): string => `\`${text}\``;

/** A table cell: pipes escaped, so that a description cannot break the table. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Absolute paths under the repository are shown relative to it: the reference must read the same on every machine. */
function showValue(value: unknown): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'string') {
    const relative = value.startsWith(PROJECT_ROOT + path.sep) ? path.relative(PROJECT_ROOT, value) : value;
    return code(relative);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'empty' : code(value.join(','));
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0 ? code('{}') : code(JSON.stringify(value));
  return code(String(value));
}

/** The accepted values of a key in words: its type, enumeration and limits as the schema states them. */
function describeType(schema: JsonSchema): string {
  if (schema.anyOf) return schema.anyOf.map(describeType).join(' or ');
  if (schema.enum) return schema.enum.map((value) => code(String(value))).join(', ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type ?? 'any';
  const limits: string[] = [];
  // zod states the safe-integer range of every int; only limits a schema chose are worth a reader's time.
  if (schema.minimum !== undefined && schema.minimum > Number.MIN_SAFE_INTEGER) limits.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) limits.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined && schema.maximum < Number.MAX_SAFE_INTEGER) limits.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined && schema.minLength > 1) limits.push(`at least ${schema.minLength} characters`);
  if (schema.format) limits.push(schema.format);
  if (schema.pattern) limits.push(`matching ${code(schema.pattern)}`);
  if (type === 'array' && schema.items) return `list of ${describeType(schema.items)}`;
  if (type === 'object' && typeof schema.additionalProperties === 'object') return `object of ${describeType(schema.additionalProperties)}`;
  return limits.length > 0 ? `${type} ${limits.join(', ')}` : type;
}

/** Every key of an object schema with its description, accepted values and default; a key without a description is an error. */
export function documentKeys(schema: z.ZodObject, schemaName: string): KeyDoc[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonSchema> };
  return Object.entries(schema.shape).map(([key, field]) => {
    const description = (field as z.ZodType).description;
    if (!description) throw new Error(`${schemaName}.${key} has no description: add a one-line .describe(...) to it`);
    const def = (field as z.ZodType)._zod.def as { type: string; defaultValue?: unknown };
    const defaultValue =
      DERIVED_DEFAULTS[key] ??
      (def.type === 'default' ? showValue(def.defaultValue) : (field as z.ZodType).safeParse(undefined).success ? 'unset' : 'required');
    return { key, type: describeType(json.properties?.[key] ?? {}), defaultValue, description };
  });
}

function settingsTable(keys: KeyDoc[], variables: Readonly<Record<string, string>>, fileKeys: boolean): string[] {
  const rows = [
    fileKeys ? '| variable | file key | default | accepted | meaning |' : '| variable | default | accepted | meaning |',
    fileKeys ? '|---|---|---|---|---|' : '|---|---|---|---|',
  ];
  for (const key of keys) {
    const variable = variables[key.key];
    if (!variable) throw new Error(`${key.key} has no environment variable`);
    const cells = fileKeys
      ? [code(variable), code(key.key), key.defaultValue, key.type, key.description]
      : [code(variable), key.defaultValue, key.type, key.description];
    rows.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return rows;
}

function hyperparameterTable(keys: KeyDoc[]): string[] {
  const presets = Object.keys(PRESETS);
  const rows = [
    `| key | shop default | ${presets.map((name) => `\`--preset ${name}\``).join(' | ')} | accepted | meaning |`,
    `|---|---|${presets.map(() => '---|').join('')}---|---|`,
  ];
  for (const key of keys) {
    const name = key.key as keyof typeof SHOP_DEFAULTS;
    const presetValues = presets.map((preset) => {
      const value = PRESETS[preset]?.[name];
      return value === undefined ? '' : showValue(value);
    });
    rows.push(`| ${[code(key.key), showValue(SHOP_DEFAULTS[name]), ...presetValues, key.type, key.description].map(cell).join(' | ')} |`);
  }
  return rows;
}

/** The whole of docs/reference/configuration.md. */
export function configurationReference(): string {
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs` from src/config.ts, src/api/config.ts and src/kge/hyperparameters.ts. Do not edit: a test fails when this file is out of date. -->',
    '',
    'Everything is validated once, at start-up; a wrong value stops the command with a message that names the',
    'variable (or key) and what was expected, e.g. `KGREC_API_PORT: Too big: expected number to be <=65535`.',
    '',
    '## Platform settings',
    '',
    'Read by every command, from environment variables or from a JSON file named by `KGREC_CONFIG` whose keys',
    'are the file keys below; a variable wins over the file. An empty variable counts as unset.',
    '',
    ...settingsTable(documentKeys(configSchema, 'configSchema'), ENV_KEYS, true),
    '',
    '## API settings',
    '',
    'Read by `kgrec serve` and `kgrec start` from environment variables only (not from the `KGREC_CONFIG`',
    'file). Boolean variables accept `true`/`false`, `1`/`0` and `yes`/`no`.',
    '',
    // The API's models folder is the main configuration's (KGREC_MODELS_DIR), documented there.
    ...settingsTable(documentKeys(apiConfigSchema, 'apiConfigSchema').filter((key) => key.key in API_ENV_KEYS), API_ENV_KEYS, false),
    '',
    '## TransE hyperparameters',
    '',
    'Used by `kgrec train`, `kgrec eval` and retraining through the API. Layers, each overriding the one before:',
    'the shop defaults, a preset (`--preset`), a JSON file of these keys (`kgrec train --config FILE`), the flags.',
    'The result is validated as a whole.',
    '',
    ...hyperparameterTable(documentKeys(hyperparameterSchema, 'hyperparameterSchema')),
    '',
    '## Other environment variables',
    '',
    '| variable | default | meaning |',
    '|---|---|---|',
    ...OTHER_VARIABLES.map(([variable, defaultValue, meaning]) => `| ${code(variable)} | ${defaultValue} | ${cell(meaning)} |`),
    '',
  ];
  return lines.join('\n');
}
