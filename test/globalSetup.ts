import path from 'node:path';
import { defaultNeo4jLib, loadConfig, PROJECT_ROOT } from '../src/config.js';
import { Graph } from '../src/graph/graph.js';
import { startLocalServer, stopLocalServer, wipeLocalData, type LocalServerOptions } from '../src/graph/localServer.js';
import { claimTestDatabase } from '../src/graph/testDatabase.js';
import { chooseTestDatabase, DEFAULT_TEST_PORT, LOCAL_TEST_PASSWORD, testConnectionEnv } from './testDatabase.js';

/**
 * Starts a Neo4j of its own for the test run (its own folder and port, empty at every run) and stops it
 * afterwards, or uses the one named in KGREC_TEST_NEO4J_URI (+ _USER, _PASSWORD, _DATABASE) when it is empty
 * or marked as a test database (src/graph/testDatabase.ts). A plain NEO4J_URI is ignored: integration tests
 * delete data. Tests reach the chosen database through the usual NEO4J_* variables, set here.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const choice = chooseTestDatabase(process.env);
  const shellUri = process.env.NEO4J_URI;
  const connection = testConnectionEnv(choice);
  if (shellUri && shellUri !== connection.NEO4J_URI) {
    console.log(`[test neo4j] ignoring NEO4J_URI=${shellUri}: the tests delete data, so they use their own Neo4j or KGREC_TEST_NEO4J_URI`);
  }
  // A configuration file could name a database too; the tests run on defaults and the variables below.
  delete process.env.KGREC_CONFIG;
  for (const [name, value] of Object.entries(connection)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let teardown: (() => Promise<void>) | undefined;
  if (choice.kind === 'local') {
    const options: LocalServerOptions = {
      // A folder per port, so that two test runs on different ports never wipe each other's data.
      home: path.join(PROJECT_ROOT, '.neo4j', choice.port === DEFAULT_TEST_PORT ? 'test' : `test-${choice.port}`),
      // The jars of the user's shared cache, as kgrec's own server uses: a new checkout fetches none.
      libDir: process.env.KGREC_NEO4J_LIB ?? defaultNeo4jLib(),
      port: choice.port,
      password: LOCAL_TEST_PASSWORD,
      heap: '768m',
      pageCache: '256m',
      onInfo: (message) => console.log(`[test neo4j] ${message}`),
    };
    await stopLocalServer(options); // a server left over by an interrupted run
    wipeLocalData(options.home);
    await startLocalServer(options);
    teardown = async () => {
      await stopLocalServer(options);
    };
  }
  const uri = connection.NEO4J_URI as string;
  const graph = Graph.open(loadConfig(process.env));
  try {
    await graph.verify();
    await claimTestDatabase(graph, uri);
  } catch (error) {
    await teardown?.();
    throw error;
  } finally {
    await graph.close();
  }
  // Test files empty only the database vouched for here (test/helpers.ts freshGraph).
  process.env.KGREC_TEST_NEO4J = uri;
  return teardown;
}
