import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiConfigSchema, API_ENV_KEYS } from '../../src/api/config.js';
import { configSchema, ENV_KEYS, PROJECT_ROOT } from '../../src/config.js';
import { CONFIGURATION_DOC, configurationReference, documentKeys } from '../../src/docs/configurationReference.js';
import { GRAPHQL_DOC, graphqlReference } from '../../src/docs/graphqlReference.js';
import { hyperparameterSchema } from '../../src/kge/hyperparameters.js';

describe('generated references', () => {
  it('docs/reference/configuration.md is what the schemas generate (run npm run docs when this fails)', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(configurationReference());
  });

  it('docs/reference/graphql.md is what schema/kgrec.graphql generates (run npm run docs when this fails)', () => {
    expect(readFileSync(GRAPHQL_DOC, 'utf8')).toBe(graphqlReference());
  });

  it('documents every key of every configuration schema under its variable and default', () => {
    const reference = configurationReference();
    for (const variable of [...Object.values(ENV_KEYS), ...Object.values(API_ENV_KEYS)]) {
      expect(reference).toContain(`| \`${variable}\` |`);
    }
    for (const key of Object.keys(hyperparameterSchema.shape)) expect(reference).toContain(`| \`${key}\` |`);
    expect(reference).toMatch(/\| `KGREC_API_PORT` \| `4000` \| integer ≥ 0, ≤ 65535 \|/);
    expect(reference).toMatch(/\| `KGREC_NEO4J_HOME` \| `localNeo4jHome` \| `<home>\/neo4j` \|/);
    // Paths are shown relative to the repository: the file must read the same on every machine.
    expect(reference).not.toContain(PROJECT_ROOT);
    expect(Object.keys(configSchema.shape)).toHaveLength(Object.keys(ENV_KEYS).length);
    // The API's models folder is the platform's (KGREC_MODELS_DIR), not a variable of its own.
    expect(Object.keys(apiConfigSchema.shape).filter((key) => key !== 'modelsDir').sort()).toEqual(Object.keys(API_ENV_KEYS).sort());
  });

  it('refuses a key without a description, naming it', () => {
    const schema = z.object({ described: z.number().default(1).describe('one'), bare: z.string().optional() });
    expect(() => documentKeys(schema, 'testSchema')).toThrow('testSchema.bare has no description');
  });

  it('shows defaults, limits and absent values as the schema states them', () => {
    const schema = z.object({
      size: z.coerce.number().int().min(2).max(9).default(3).describe('a size'),
      mode: z.enum(['a', 'b']).default('b').describe('a mode'),
      where: z.string().optional().describe('a place'),
      needed: z.string().describe('a must'),
    });
    expect(documentKeys(schema, 'testSchema')).toEqual([
      { key: 'size', type: 'integer ≥ 2, ≤ 9', defaultValue: '`3`', description: 'a size' },
      { key: 'mode', type: '`a`, `b`', defaultValue: '`b`', description: 'a mode' },
      { key: 'where', type: 'string', defaultValue: 'unset', description: 'a place' },
      { key: 'needed', type: 'string', defaultValue: 'required', description: 'a must' },
    ]);
  });

  it('renders every query and mutation of an SDL with its arguments, defaults and role', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrec-sdl-'));
    const file = path.join(dir, 'tiny.graphql');
    writeFileSync(
      file,
      [
        'type Query {',
        '  "Things, newest first."',
        '  things(first: Int = 5): [Thing!]!',
        '  auditLog: Boolean',
        '}',
        'type Mutation { deleteUserData(id: ID!): Boolean! }',
        '"A thing."',
        'type Thing { id: ID! }',
      ].join('\n'),
    );
    const reference = graphqlReference(file);
    expect(reference).toContain('| `things` | `first: Int = 5` | [[`Thing`](#thing)!]! | public | Things, newest first. |');
    expect(reference).toContain('| `auditLog` |  | `Boolean` | merchandiser |');
    expect(reference).toContain('| `deleteUserData` | `id: ID!` | `Boolean!` | admin |');
    expect(reference).toContain('### Thing\n\nA thing.');
  });
});
