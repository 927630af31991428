import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.js';
import type { Graph } from './graph.js';

export const CYPHER_DIR = path.join(PROJECT_ROOT, 'cypher');

export interface Migration {
  /** File name without extension, e.g. `001_constraints`; files apply in this order. */
  id: string;
  /** Hash of the file as written (before placeholders are filled), to notice edits to applied files. */
  checksum: string;
  statements: string[];
}

/** A migration problem the user must act on (an edited file, a missing placeholder value). */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

/** Values substituted for `{{NAME}}` placeholders. Only validated integers go here, never user text. */
export type MigrationVariables = Record<string, number>;

const FILE_PATTERN = /^(\d{3,})_[a-z0-9_]+\.cypher$/;

export function loadMigrations(dir: string = CYPHER_DIR, variables: MigrationVariables = {}): Migration[] {
  return readdirSync(dir)
    .filter((name) => FILE_PATTERN.test(name))
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(dir, name), 'utf8');
      return {
        id: name.replace(/\.cypher$/, ''),
        checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
        statements: splitStatements(fillPlaceholders(text, variables, name)),
      };
    });
}

/** Statements end with `;` at the end of a line; `//` comment lines are dropped. */
export function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

function fillPlaceholders(text: string, variables: MigrationVariables, file: string): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = variables[name];
    if (value === undefined || !Number.isFinite(value)) throw new MigrationError(`${file}: no value for placeholder {{${name}}}`);
    return String(value);
  });
}

/**
 * Applies the migrations not yet recorded in the graph, in order, and records each as a
 * `(:KgrecMigration {id, checksum, appliedAt})` node. Every statement is idempotent (`IF NOT EXISTS`), so a
 * file interrupted half-way is simply applied again. An applied file that was edited afterwards is an error:
 * add a new file instead.
 */
export async function migrate(graph: Graph, migrations: Migration[]): Promise<MigrationResult> {
  await graph.autoCommit('CREATE CONSTRAINT kgrec_migration_id IF NOT EXISTS FOR (n:KgrecMigration) REQUIRE n.id IS UNIQUE');
  const appliedRows = await graph.read<{ id: string; checksum: string }>(
    'MATCH (m:KgrecMigration) RETURN m.id AS id, m.checksum AS checksum',
  );
  const applied = new Map(appliedRows.map((row) => [row.id, row.checksum]));
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    const checksum = applied.get(migration.id);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new MigrationError(
          `migration ${migration.id} was changed after it was applied (checksum ${checksum} → ${migration.checksum}); put changes in a new migration file`,
        );
      }
      result.skipped.push(migration.id);
      continue;
    }
    for (const statement of migration.statements) await graph.autoCommit(statement);
    await graph.write(
      'MERGE (m:KgrecMigration {id: $id}) SET m.checksum = $checksum, m.appliedAt = datetime()',
      { id: migration.id, checksum: migration.checksum },
    );
    result.applied.push(migration.id);
  }
  // Index population is asynchronous; wait so that the first queries after a migration use the indexes.
  await graph.autoCommit('CALL db.awaitIndexes(300)');
  return result;
}
