import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config.js';
import { Graph } from '../src/graph/graph.js';
import { ensureVectorIndex } from '../src/graph/embeddingWrites.js';
import { loadMigrations, migrate } from '../src/graph/migrations.js';
import { emptyTestDatabase } from '../src/graph/testDatabase.js';
import { resolveHyperparameters } from '../src/kge/hyperparameters.js';
import { saveModel, type TrainingData } from '../src/kge/modelStore.js';

/** The test run's Neo4j (see globalSetup), migrated and emptied of data. */
export async function freshGraph(overrides: Partial<Config> = {}): Promise<{ graph: Graph; config: Config }> {
  const vouched = process.env.KGREC_TEST_NEO4J;
  if (!vouched || vouched !== process.env.NEO4J_URI) {
    throw new Error(
      'integration tests empty their database: run them through `npm test`, which starts a Neo4j of their own ' +
        '(or uses the test database named in KGREC_TEST_NEO4J_URI), never the NEO4J_URI of the shell',
    );
  }
  const config = loadConfig(process.env, overrides);
  const graph = Graph.open(config);
  await graph.verify();
  await emptyTestDatabase(graph, vouched);
  await migrate(graph, loadMigrations(undefined, { EMBEDDING_DIMENSION: config.embeddingDimension }));
  // An earlier test file may have activated a model of another dimension, which rebuilds the vector index.
  await ensureVectorIndex(graph, config.embeddingDimension);
  return { graph, config };
}

/**
 * The same graph, counting the reads it finished (those whose query `counts`, or all): a test can wait for a
 * poller to have read something since a write, instead of sleeping for a guess at its interval.
 */
export function countingReads(graph: Graph, counts: (query: string) => boolean = () => true): { graph: Graph; finishedReads: () => number } {
  let finished = 0;
  const observed = new Proxy(graph, {
    get(target, property) {
      if (property === 'read') {
        return async (...args: Parameters<Graph['read']>) => {
          try {
            return await target.read(...args);
          } finally {
            if (counts(args[0])) finished += 1;
          }
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { graph: observed, finishedReads: () => finished };
}

/** Empties the test run's database again (it keeps its test marker and migration records). */
export async function clearData(graph: Graph): Promise<void> {
  await emptyTestDatabase(graph, process.env.KGREC_TEST_NEO4J ?? 'the test database');
}

const createdDirs: string[] = [];

/** A fresh temporary folder, removed after the test file (test/setup.ts). */
/** Empties Neo4j's query caches; says how many plans they held. */
export async function clearQueryPlans(graph: Graph): Promise<number> {
  const [row] = await graph.write<{ value: string }>('CALL db.clearQueryCaches()');
  if (row?.value === 'Query cache already empty.') return 0;
  const held = /cleared of (\d+) quer/.exec(row?.value ?? '');
  if (!held) throw new Error(`unexpected answer from db.clearQueryCaches: ${row?.value}`);
  return Number(held[1]);
}

export function tempDir(prefix = 'kgrec-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  createdDirs.push(dir);
  return dir;
}

/** Removes every folder `tempDir` made so far. */
export function removeTempDirs(): void {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes a file into `dir` and returns its path. */
export function writeFixture(dir: string, name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export const jsonl = (records: object[]): string[] => records.map((record) => JSON.stringify(record));

/** A small benchmark-style data set: a ring of 30 entities with two relations. */
export function ringTriplesDir(): string {
  const dir = tempDir('kgrec-ring-');
  const lines = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `e${from + i}\tnext\te${(from + i + 1) % 30}`).concat(
      Array.from({ length: to - from }, (_, i) => `e${from + i}\tskip\te${(from + i + 2) % 30}`),
    );
  writeFixture(dir, 'train.txt', lines(0, 30));
  writeFixture(dir, 'valid.txt', ['e0\tnext\te1']);
  writeFixture(dir, 'test.txt', ['e5\tskip\te7']);
  return dir;
}

/** Saves a tiny model (dimension 4) of the given entities and relations in `modelsDir`; returns its version. */
export function saveFixtureModel(
  modelsDir: string,
  model: { trainedOn: TrainingData; dataFingerprint?: string; entities?: string[]; relations?: string[] } = { trainedOn: 'shop' },
): Promise<string> {
  const entities = model.entities ?? ['Product:p-1', 'Product:p-2'];
  const relations = model.relations ?? ['IN_CATEGORY'];
  return saveModel(modelsDir, {
    hyperparameters: resolveHyperparameters({ dimension: 4, workers: 1 }),
    dataFingerprint: model.dataFingerprint ?? 'fixture',
    trainedOn: model.trainedOn,
    backend: 'cpu',
    durationSeconds: 0,
    entities,
    relations,
    embeddings: { dimension: 4, entity: new Float32Array(entities.length * 4).fill(0.1), relation: new Float32Array(relations.length * 4).fill(0.2) },
  });
}
