/**
 * Which Neo4j the test suite runs against. Never the one a plain NEO4J_URI names (a shell set up for a real
 * database would otherwise have its data deleted by the first test file): a Neo4j of the suite's own,
 * started for the run, or one named for tests in KGREC_TEST_NEO4J_URI.
 */

export const DEFAULT_TEST_PORT = 7688;
/** The password the suite gives the Neo4j it starts itself. */
export const LOCAL_TEST_PASSWORD = 'kgrec-test-password';

export type TestDatabaseChoice =
  | { kind: 'local'; port: number }
  | { kind: 'named'; uri: string; user: string; password: string; database: string | undefined };

export function chooseTestDatabase(env: NodeJS.ProcessEnv): TestDatabaseChoice {
  const uri = env.KGREC_TEST_NEO4J_URI;
  if (uri) {
    return {
      kind: 'named',
      uri,
      user: env.KGREC_TEST_NEO4J_USER || 'neo4j',
      password: env.KGREC_TEST_NEO4J_PASSWORD ?? '',
      database: env.KGREC_TEST_NEO4J_DATABASE || undefined,
    };
  }
  const text = env.KGREC_TEST_NEO4J_PORT ?? String(DEFAULT_TEST_PORT);
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`KGREC_TEST_NEO4J_PORT: expected a port number, got ${JSON.stringify(text)}`);
  return { kind: 'local', port };
}

/** The variables through which the test files reach the chosen database; they replace the shell's own. */
export function testConnectionEnv(choice: TestDatabaseChoice): Record<string, string | undefined> {
  return choice.kind === 'local'
    ? { NEO4J_URI: `bolt://127.0.0.1:${choice.port}`, NEO4J_USER: 'neo4j', NEO4J_PASSWORD: LOCAL_TEST_PASSWORD, NEO4J_DATABASE: undefined }
    : { NEO4J_URI: choice.uri, NEO4J_USER: choice.user, NEO4J_PASSWORD: choice.password, NEO4J_DATABASE: choice.database };
}
