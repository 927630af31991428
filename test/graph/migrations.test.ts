import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph } from '../../src/graph/graph.js';
import { loadMigrations, migrate, splitStatements } from '../../src/graph/migrations.js';
import { freshGraph, tempDir } from '../helpers.js';

let graph: Graph;
let embeddingDimension: number;

beforeAll(async () => {
  let config;
  ({ graph, config } = await freshGraph());
  embeddingDimension = config.embeddingDimension;
});
afterAll(async () => {
  await graph.autoCommit('MATCH (m:KgrecMigration) WHERE m.id STARTS WITH "9" DELETE m');
  await graph.autoCommit('DROP INDEX test_migration_index IF EXISTS');
  await graph.close();
});

const schemaNames = async () => {
  const constraints = await graph.read<{ name: string }>('SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name');
  const indexes = await graph.read<{ name: string; type: string }>('SHOW INDEXES YIELD name, type RETURN name, type ORDER BY name');
  return { constraints: constraints.map((c) => c.name), indexes: indexes.map((i) => `${i.name}:${i.type}`) };
};

describe('connection', () => {
  it('pins the home database once connected, so no query pays for resolving it', async () => {
    const [row] = await graph.read<{ name: string }>('CALL db.info() YIELD name RETURN name');
    expect(graph.database).toBe(row?.name);
    expect(graph.database).toBe('neo4j');
  });
});

describe('migrations', () => {
  it('create the constraints and the lookup, full-text and vector indexes', async () => {
    const { constraints, indexes } = await schemaNames();
    expect(constraints).toEqual(expect.arrayContaining(['user_id', 'product_id', 'category_id', 'brand_id', 'event_id', 'entity_id']));
    expect(indexes).toEqual(expect.arrayContaining(['product_text:FULLTEXT', 'catalog_names:FULLTEXT', 'product_embedding:VECTOR', 'event_user:RANGE']));
    await graph.write('CREATE (:Product {id: "dup", title: "a"})');
    await expect(graph.write('CREATE (:Product {id: "dup", title: "b"})')).rejects.toThrow(/already exists/);
  });

  it('apply nothing the second time and leave the schema as it was', async () => {
    const migrations = loadMigrations(undefined, { EMBEDDING_DIMENSION: 64 });
    const before = await schemaNames();
    const first = await migrate(graph, migrations);
    const second = await migrate(graph, migrations);
    expect(first.applied).toEqual([]);
    expect(second).toEqual({ applied: [], skipped: migrations.map((m) => m.id) });
    expect(await schemaNames()).toEqual(before);
  });

  it('apply new files once, in order, and refuse an applied file that was edited', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '901_test.cypher'), '// a test migration\nCREATE INDEX test_migration_index IF NOT EXISTS FOR (n:TestThing) ON (n.id);\n');
    expect((await migrate(graph, loadMigrations(dir))).applied).toEqual(['901_test']);
    expect((await migrate(graph, loadMigrations(dir))).applied).toEqual([]);
    const [record] = await graph.read('MATCH (m:KgrecMigration {id: "901_test"}) RETURN m.checksum AS checksum, m.appliedAt IS NOT NULL AS stamped');
    expect(record).toMatchObject({ stamped: true });
    writeFileSync(path.join(dir, '901_test.cypher'), 'CREATE INDEX test_migration_index IF NOT EXISTS FOR (n:TestThing) ON (n.name);\n');
    await expect(migrate(graph, loadMigrations(dir))).rejects.toThrow(/migration 901_test was changed after it was applied/);
  });

  it('turn times that older versions stored as floats into integers (012_integer_times)', async () => {
    await graph.autoCommit(
      `CREATE (:Product {id: 'float-p', createdAt: 1.7e12, updatedAt: 1.7e12})-[:COMPLEMENTS {updatedAt: 1.7e12}]->(:Product {id: 'int-p', createdAt: 5, updatedAt: 5}),
              (:User {id: 'float-u', createdAt: 1.7e12})`,
    );
    await graph.autoCommit('MATCH (m:KgrecMigration {id: "012_integer_times"}) DELETE m');
    expect((await migrate(graph, loadMigrations(undefined, { EMBEDDING_DIMENSION: embeddingDimension }))).applied).toEqual(['012_integer_times']);
    const types = await graph.read<{ types: string[] }>(
      `MATCH (n) WHERE n.id IN ['float-p', 'int-p', 'float-u']
       OPTIONAL MATCH (n)-[r]->()
       RETURN [t IN [valueType(n.createdAt), valueType(n.updatedAt), valueType(r.updatedAt)] WHERE t <> 'NULL'] AS types`,
    );
    expect(types.flatMap((row) => row.types).sort()).toEqual(Array(6).fill('INTEGER NOT NULL'));
    const [value] = await graph.read<{ createdAt: number }>("MATCH (p:Product {id: 'float-p'}) RETURN p.createdAt AS createdAt");
    expect(value?.createdAt).toBe(1.7e12);
    await graph.autoCommit("MATCH (n) WHERE n.id IN ['float-p', 'int-p', 'float-u'] DETACH DELETE n");
  });

  it('split files into statements and fill placeholders with configured numbers', () => {
    expect(splitStatements('// c\nCREATE A;\nCREATE B\n  MORE;\n')).toEqual(['CREATE A', 'CREATE B\n  MORE']);
    const vector = loadMigrations(undefined, { EMBEDDING_DIMENSION: 128 }).find((m) => m.id.includes('vector'));
    expect(vector?.statements[0]).toContain('`vector.dimensions`: 128');
    expect(() => loadMigrations()).toThrow(/no value for placeholder \{\{EMBEDDING_DIMENSION\}\}/);
  });
});
