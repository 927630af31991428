import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { claimTestDatabase, emptyTestDatabase, TestDatabaseError } from '../../src/graph/testDatabase.js';
import { freshGraph, tempDir } from '../helpers.js';
import { chooseTestDatabase } from '../testDatabase.js';

/** The suite never runs against the database of a plain NEO4J_URI, and never empties an unmarked one. */

const tsxLoader = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});
afterAll(async () => {
  await graph.close();
});

const markerCount = async (): Promise<number> => (await graph.read<{ n: number }>('MATCH (m:KgrecTestDatabase) RETURN count(m) AS n'))[0]?.n ?? -1;

describe('choosing the test database', () => {
  it('ignores NEO4J_URI: its own server by default, else the one KGREC_TEST_NEO4J_URI names', () => {
    expect(chooseTestDatabase({ NEO4J_URI: 'neo4j+s://shop.example.com', NEO4J_PASSWORD: 'secret' })).toEqual({ kind: 'local', port: 7688 });
    expect(chooseTestDatabase({ NEO4J_URI: 'bolt://shop:7687', KGREC_TEST_NEO4J_PORT: '7705' })).toEqual({ kind: 'local', port: 7705 });
    expect(chooseTestDatabase({ NEO4J_URI: 'bolt://shop:7687', NEO4J_PASSWORD: 'shop', KGREC_TEST_NEO4J_URI: 'bolt://tests:7687', KGREC_TEST_NEO4J_PASSWORD: 'pw' })).toEqual({
      kind: 'named',
      uri: 'bolt://tests:7687',
      user: 'neo4j',
      password: 'pw',
      database: undefined,
    });
    expect(() => chooseTestDatabase({ KGREC_TEST_NEO4J_PORT: 'seven' })).toThrow(/KGREC_TEST_NEO4J_PORT: expected a port number, got "seven"/);
  });

  it('the global set-up, run with NEO4J_URI at another server, never connects to it', async () => {
    // A stand-in for a real database: it only counts connections.
    let connections = 0;
    const decoy = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
    const decoyUri = `bolt://127.0.0.1:${(decoy.address() as net.AddressInfo).port}`;
    const script = path.join(tempDir(), 'runSetup.mts');
    writeFileSync(
      script,
      [
        `import setup from ${JSON.stringify(pathToFileURL(path.join(PROJECT_ROOT, 'test', 'globalSetup.ts')).href)};`,
        'const teardown = await setup();',
        'console.log(JSON.stringify({ uri: process.env.NEO4J_URI, vouched: process.env.KGREC_TEST_NEO4J, startedOwn: teardown !== undefined }));',
      ].join('\n'),
    );
    try {
      const env = {
        ...process.env,
        NODE_OPTIONS: '',
        NEO4J_URI: decoyUri,
        NEO4J_PASSWORD: 'the-shop-password',
        // The run's own database, named for tests: the child starts no server of its own.
        KGREC_TEST_NEO4J_URI: process.env.NEO4J_URI,
        KGREC_TEST_NEO4J_USER: process.env.NEO4J_USER,
        KGREC_TEST_NEO4J_PASSWORD: process.env.NEO4J_PASSWORD,
      };
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsxLoader, script], { env, timeout: 120_000 });
      const lines = stdout.trim().split('\n');
      expect(stdout).toContain(`ignoring NEO4J_URI=${decoyUri}`);
      expect(JSON.parse(lines[lines.length - 1] as string)).toEqual({ uri: process.env.NEO4J_URI, vouched: process.env.NEO4J_URI, startedOwn: false });
      expect(connections).toBe(0);
    } finally {
      decoy.close();
    }
  });
});

describe('the test database marker', () => {
  it('refuses to claim or empty a database that holds data without the marker, and leaves it as it was', async () => {
    await graph.write('MATCH (m:KgrecTestDatabase) DELETE m');
    await graph.write("CREATE (:Product {id: 'a-real-product'})");
    try {
      await expect(claimTestDatabase(graph, 'bolt://shop')).rejects.toThrow(TestDatabaseError);
      await expect(claimTestDatabase(graph, 'bolt://shop')).rejects.toThrow(/bolt:\/\/shop holds data and no \(:KgrecTestDatabase/);
      await expect(emptyTestDatabase(graph, 'bolt://shop')).rejects.toThrow(/lacks the \(:KgrecTestDatabase \{id: 'kgrec-test'\}\) marker/);
      expect(await graph.read("MATCH (p:Product {id: 'a-real-product'}) RETURN p.id AS id")).toEqual([{ id: 'a-real-product' }]);
      expect(await markerCount()).toBe(0);
    } finally {
      await graph.write("MATCH (p:Product {id: 'a-real-product'}) DELETE p");
    }
  });

  it('marks an empty database, and empties a marked one but for the marker', async () => {
    await graph.write('MATCH (m:KgrecTestDatabase) DELETE m');
    await claimTestDatabase(graph, 'bolt://tests');
    expect(await markerCount()).toBe(1);
    await claimTestDatabase(graph, 'bolt://tests');
    expect(await markerCount()).toBe(1);
    await graph.write("CREATE (:Product {id: 'test-product'})");
    await emptyTestDatabase(graph, 'bolt://tests');
    expect(await graph.read('MATCH (n) WHERE NOT n:KgrecMigration RETURN labels(n) AS labels')).toEqual([{ labels: ['KgrecTestDatabase'] }]);
  });
});
