import path from 'node:path';
import { defaultNeo4jLib, PROJECT_ROOT } from '../src/config.js';
import { startLocalServer, stopLocalServer, wipeLocalData, type LocalServerOptions } from '../src/graph/localServer.js';

const DEFAULT_TEST_PORT = 7688;

/**
 * Starts a Neo4j of its own for the test run (its own folder and port, empty at every run) unless
 * NEO4J_URI points at one, and stops it afterwards. Tests reach it through the usual NEO4J_* variables.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  // Integration tests delete data: they only run against a database this set-up vouched for.
  process.env.KGREC_TEST_NEO4J = '1';
  if (process.env.NEO4J_URI) return undefined;
  const port = Number(process.env.KGREC_TEST_NEO4J_PORT ?? DEFAULT_TEST_PORT);
  const options: LocalServerOptions = {
    // A folder per port, so that two test runs on different ports never wipe each other's data.
    home: path.join(PROJECT_ROOT, '.neo4j', port === DEFAULT_TEST_PORT ? 'test' : `test-${port}`),
    // The jars of the user's shared cache, as kgrec's own server uses: a new checkout fetches none.
    libDir: process.env.KGREC_NEO4J_LIB ?? defaultNeo4jLib(),
    port,
    password: 'kgrec-test-password',
    heap: '768m',
    pageCache: '256m',
    onInfo: (message) => console.log(`[test neo4j] ${message}`),
  };
  await stopLocalServer(options); // a server left over by an interrupted run
  wipeLocalData(options.home);
  await startLocalServer(options);
  process.env.NEO4J_URI = `bolt://127.0.0.1:${options.port}`;
  process.env.NEO4J_USER = 'neo4j';
  process.env.NEO4J_PASSWORD = options.password;
  delete process.env.NEO4J_DATABASE;
  return async () => {
    await stopLocalServer(options);
  };
}
