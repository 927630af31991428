import type { Graph } from './graph.js';

/**
 * The marker of a database that the test suite may empty: one `(:KgrecTestDatabase {id: 'kgrec-test'})` node.
 * The suite puts it into an empty database the first time it runs there, and refuses a database that holds
 * data without it, so that a test run pointed at a real shop's database by mistake stops before it deletes
 * anything. Emptying keeps the marker (and the migration records) for the next run.
 */

export const TEST_DATABASE_LABEL = 'KgrecTestDatabase';

/** A database the suite must not use (or empty): the message says why and what to do. */
export class TestDatabaseError extends Error {
  override name = 'TestDatabaseError';
}

const READ_MARKER = `
OPTIONAL MATCH (marker:KgrecTestDatabase {id: 'kgrec-test'})
RETURN marker IS NOT NULL AS marked, EXISTS { MATCH (n) WHERE NOT n:KgrecMigration AND NOT n:KgrecTestDatabase } AS holdsData`;

const WRITE_MARKER = "MERGE (marker:KgrecTestDatabase {id: 'kgrec-test'}) ON CREATE SET marker.markedAt = datetime()";

// Batched: a test database can hold a benchmark-sized graph.
const EMPTY_ALL_BUT_MARKERS = `
MATCH (n) WHERE NOT n:KgrecMigration AND NOT n:KgrecTestDatabase
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`;

async function readMarker(graph: Graph): Promise<{ marked: boolean; holdsData: boolean }> {
  const [row] = await graph.read<{ marked: boolean; holdsData: boolean }>(READ_MARKER);
  // No row cannot happen (OPTIONAL MATCH); were it to, "holds data" is the safe answer.
  return { marked: row?.marked ?? false, holdsData: row?.holdsData ?? true };
}

/**
 * Makes sure `graph` is a database the suite may empty: marked already, or empty and marked now. One that
 * holds data without the marker is refused, untouched. `where` names it in the message (e.g. its URI).
 */
export async function claimTestDatabase(graph: Graph, where: string): Promise<void> {
  const { marked, holdsData } = await readMarker(graph);
  if (marked) return;
  if (holdsData) {
    throw new TestDatabaseError(
      `${where} holds data and no (:${TEST_DATABASE_LABEL} {id: 'kgrec-test'}) marker: the tests empty their database, so they refuse ` +
        `one that may be a real shop's. Name an empty database in KGREC_TEST_NEO4J_URI, or, if this one is only for tests, mark it with ` +
        `CREATE (:${TEST_DATABASE_LABEL} {id: 'kgrec-test'})`,
    );
  }
  await graph.write(WRITE_MARKER);
}

/** Deletes every node but the migration records and the marker; refuses a database without the marker. */
export async function emptyTestDatabase(graph: Graph, where: string): Promise<void> {
  if (!(await readMarker(graph)).marked) {
    throw new TestDatabaseError(`${where} lacks the (:${TEST_DATABASE_LABEL} {id: 'kgrec-test'}) marker that the test set-up puts into a test database: not emptying it`);
  }
  await graph.autoCommit(EMPTY_ALL_BUT_MARKERS);
}
