import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { usesLocalNeo4j, type Config } from '../config.js';
import { recordBehaviourChange } from '../graph/behaviourChanges.js';
import { recordCatalogueChange } from '../graph/catalogueChanges.js';
import { localServerOptions, openGraph } from '../graph/connect.js';
import type { Graph } from '../graph/graph.js';
import { ImportFilesWriter, type ImportFiles } from '../graph/importFiles.js';
import { importLocalDatabase, startLocalServer, stopLocalServer, type LocalServerOptions } from '../graph/localServer.js';
import { graphStats, nodesButMigrations, type GraphStats } from '../graph/stats.js';
import { BehaviourTally, planCatalogue, planRelations, type Catalogue } from '../ingest/bulkPlan.js';
import { BulkReader, type KindTally } from '../ingest/bulkRecords.js';
import { formatRejection } from '../ingest/ingest.js';
import type { Rejection } from '../ingest/kinds.js';
import type { BrandRecord, CategoryRecord, EventRecord, Kind, ProductRecord, RelationRecord, UserRecord } from '../ingest/records.js';
import { rejectionCounter } from '../ingest/validation.js';

export type BulkStage = 'reading' | 'writing import files' | 'importing' | 'indexing';

export interface BulkLoadOptions {
  files: Partial<Record<Kind, string[]>>;
  /** Load anyway when up to this many records are rejected (they are left out). */
  maxRejects: number;
  reportFile?: string;
  /** Recorded as `updatedBy` on merchandiser relations. */
  by?: string;
  /** The load's time: `createdAt` and `updatedAt` of what it creates (default: now). */
  now?: number;
  onInfo?: (message: string) => void;
  onProgress?: (stage: BulkStage, done: number, total: number) => void;
  onReject?: (rejection: Rejection) => void;
}

export interface BulkLoadSummary {
  kinds: Record<Kind, KindTally & { loaded: number }>;
  rejected: number;
  reportFile: string | null;
  /** What the graph holds after the load (node counts per label, relationship counts per type). */
  graph: GraphStats;
  seconds: { reading: number; writingFiles: number; importing: number; indexing: number; total: number };
  /** Events loaded per second of the whole load, from reading the first file to the indexes being online (the restart included). */
  eventsPerSecond: number;
}

export class BulkLoadError extends Error {
  override name = 'BulkLoadError';
}

/**
 * Fills a fresh local database from files of every kind through Neo4j's offline importer: validates every
 * record as `kgrec ingest` does, checks references in memory, writes the importer's files, stops the local
 * server, imports, starts it again and builds the constraints and indexes (the migrations). Refused when the
 * graph already holds data or the Neo4j is not the local one. Nothing is written unless every step up to the
 * import succeeds; a failed import leaves the database as it was.
 */
export async function bulkLoad(config: Config, options: BulkLoadOptions): Promise<BulkLoadSummary> {
  if (!usesLocalNeo4j(config)) {
    throw new BulkLoadError('a bulk load writes the store files of the local Neo4j; with NEO4J_URI set, load with `kgrec ingest` instead');
  }
  const info = options.onInfo ?? (() => undefined);
  const now = options.now ?? Date.now();
  const serverOptions = localServerOptions(config, info);
  let graph: Graph | null = (await openGraph(config, { startLocal: true, migrate: true, onInfo: info })).graph;
  if (options.reportFile) mkdirSync(path.dirname(options.reportFile), { recursive: true });
  const report = options.reportFile ? createWriteStream(options.reportFile) : null;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'kgrec-bulk-'));
  try {
    await refuseNonEmptyGraph(graph);
    // Timed from here, like `kgrec ingest`, whose figures leave out starting the server.
    const started = performance.now();
    const rejections = rejectionCounter((rejection) => {
      report?.write(`${formatRejection(rejection)}\n`);
      options.onReject?.(rejection);
    });
    const reader = new BulkReader(options.files, {
      relationTypes: config.relationTypes,
      maxClockSkewSeconds: config.maxClockSkewSeconds,
      onRejection: rejections.onRejection,
      onProgress: (done, total) => options.onProgress?.('reading', done, total),
    });
    const by = options.by ?? 'ingest';
    const writer = new ImportFilesWriter(workDir, now, by);
    const catalogue = await readCatalogue(reader, { graph, now, by }, config.relationTypes);
    catalogue.rejected.forEach(rejections.onRejection);
    // The graph is not needed again until the import: the server stops while the rest is read.
    await graph.close();
    graph = null;
    const load = await readWriteAndImport({ options, serverOptions, reader, writer, catalogue, rejections, workDir });
    const imported = performance.now();

    options.onProgress?.('indexing', 0, 1);
    graph = (await openGraph(config, { migrate: true, onInfo: info })).graph;
    const stats = await announceAndCount(graph, load.userIds);
    options.onProgress?.('indexing', 1, 1);
    const finished = performance.now();
    assertLoaded(stats, load.expected);
    return bulkSummary({ options, reader, rejections, stats, loaded: load.loaded, times: { started, reading: load.reading, written: load.written, imported, finished } });
  } finally {
    await graph?.close();
    await new Promise((resolve) => (report ? report.end(resolve) : resolve(undefined)));
    rmSync(workDir, { recursive: true, force: true });
  }
}

type Rejections = ReturnType<typeof rejectionCounter>;

async function refuseNonEmptyGraph(graph: Graph): Promise<void> {
  const count = await nodesButMigrations(graph);
  if (count > 0) {
    throw new BulkLoadError(`the graph already holds ${count} nodes: a bulk load only fills an empty database; add to it with \`kgrec ingest\``);
  }
}

/** Categories, brands and products, planned together: their references are checked against each other and the graph. */
async function readCatalogue(reader: BulkReader, context: Parameters<typeof planCatalogue>[1], relationTypes: readonly string[]): Promise<Catalogue> {
  return planCatalogue(
    {
      categories: await reader.collect<CategoryRecord>('categories'),
      brands: await reader.collect<BrandRecord>('brands'),
      products: await reader.collect<ProductRecord>('products'),
    },
    context,
    relationTypes,
  );
}

/** What the offline part of the load needs: the local server is stopped while it runs. */
interface OfflineLoad {
  options: BulkLoadOptions;
  serverOptions: LocalServerOptions;
  reader: BulkReader;
  writer: ImportFilesWriter;
  catalogue: Catalogue;
  rejections: Rejections;
  workDir: string;
}

interface OfflineResult {
  loaded: Record<Kind, number>;
  /** Node counts the import must reach, by label. */
  expected: Record<string, number>;
  userIds: Set<string>;
  /** performance.now() when reading and writing the import files ended. */
  reading: number;
  written: number;
}

/**
 * Stops the local server, reads the rest while it stops, writes the importer's files and imports them.
 * Whatever happens, the server runs again afterwards: with the new database, or with the empty one it had.
 */
async function readWriteAndImport(load: OfflineLoad): Promise<OfflineResult> {
  const { serverOptions } = load;
  const stopping = stopLocalServer(serverOptions).then(
    () => null,
    (error: unknown) => error as Error,
  );
  try {
    const result = await readRestAndWriteFiles(load);
    const stopFailure = await stopping;
    if (stopFailure) throw stopFailure;
    await importLocalDatabase(serverOptions, { ...result.files, reportFile: path.join(load.workDir, 'import.report') }, importProgress(result.files, load.options));
    return result;
  } finally {
    await stopping;
    await startLocalServer(serverOptions);
  }
}

/** Users, events and relations, checked against the catalogue; refused when too many records were rejected. */
async function readRestAndWriteFiles(load: OfflineLoad): Promise<OfflineResult & { files: ImportFiles }> {
  const { options, reader, writer, catalogue, rejections } = load;
  const users = await reader.collect<UserRecord>('users');
  const productIds = new Set(catalogue.products.map((p) => p.id));
  // Events stream from their files to the importer's: only their aggregates and users stay in memory.
  const behaviour = new BehaviourTally(productIds);
  await reader.each<EventRecord>('events', (item) => {
    const rejection = behaviour.add(item);
    if (rejection) rejections.onRejection(rejection);
    else return writer.event(item.value);
  }, { thread: true }); // Neo4j is stopped: the second core parses and validates
  const relations = planRelations(await reader.collect<RelationRecord>('relations'), productIds);
  relations.rejected.forEach(rejections.onRejection);
  const reading = performance.now();
  if (rejections.count() > options.maxRejects) {
    throw new BulkLoadError(
      `${rejections.count()} record(s) rejected (allowed: ${options.maxRejects}); nothing was loaded${options.reportFile ? `; see ${options.reportFile}` : ''}`,
    );
  }
  options.onProgress?.('writing import files', 0, 1);
  const userIds = new Set([...users.map((u) => u.value.id), ...behaviour.userIds]);
  const files = await writer.finish({ catalogue, userIds, aggregates: behaviour.aggregates(), relations: relations.relations });
  options.onProgress?.('writing import files', 1, 1);
  return {
    files,
    reading,
    written: performance.now(),
    loaded: {
      categories: catalogue.categories.length,
      brands: catalogue.brands.length,
      products: catalogue.products.length,
      users: users.length,
      events: behaviour.events,
      relations: relations.relations.length,
    },
    expected: { Event: behaviour.events, Product: catalogue.products.length, User: userIds.size },
    userIds,
  };
}

/** The importer reports four stages, each as a row of dots to 100 %: one progress figure over all four. */
function importProgress(files: ImportFiles, options: BulkLoadOptions): (line: string) => void {
  const total = files.counts.nodes + files.counts.relationships;
  let stage = 0;
  return (line) => {
    const stageMatch = /^\((\d)\/(\d)\)/.exec(line);
    if (stageMatch) stage = Number(stageMatch[1]) - 1;
    const percent = /(\d+)% ∆/.exec(line);
    if (percent) options.onProgress?.('importing', Math.round(((stage + Number(percent[1]) / 100) / 4) * total), total);
  };
}

/** Marks the catalogue and the loaded users' behaviour as changed, then counts what the graph holds. */
async function announceAndCount(graph: Graph, users: Set<string>): Promise<GraphStats> {
  // A running API reconnects by itself; these tell it to reload the catalogue and its users' behaviour.
  await graph.transaction(async (tx) => {
    await recordCatalogueChange(tx);
    await recordBehaviourChange(tx, users);
  });
  return graphStats(graph);
}

function bulkSummary(parts: {
  options: BulkLoadOptions;
  reader: BulkReader;
  rejections: Rejections;
  stats: GraphStats;
  loaded: Record<Kind, number>;
  times: { started: number; reading: number; written: number; imported: number; finished: number };
}): BulkLoadSummary {
  const { loaded, times } = parts;
  const seconds = (from: number, to: number) => (to - from) / 1000;
  return {
    kinds: Object.fromEntries(Object.entries(parts.reader.tallies).map(([kind, tally]) => [kind, { ...tally, loaded: loaded[kind as Kind] }])) as BulkLoadSummary['kinds'],
    rejected: parts.rejections.count(),
    reportFile: parts.options.reportFile ?? null,
    graph: parts.stats,
    seconds: {
      reading: seconds(times.started, times.reading),
      writingFiles: seconds(times.reading, times.written),
      importing: seconds(times.written, times.imported),
      indexing: seconds(times.imported, times.finished),
      total: seconds(times.started, times.finished),
    },
    eventsPerSecond: loaded.events / seconds(times.started, times.finished),
  };
}

/** The importer reports bad entries rather than failing on them; kgrec validated every row, so a shortfall is a bug. */
function assertLoaded(stats: GraphStats, expected: Record<string, number>): void {
  for (const [label, count] of Object.entries(expected)) {
    const actual = stats.nodes[label] ?? 0;
    if (actual !== count) throw new BulkLoadError(`the import holds ${actual} ${label} nodes where ${count} were planned; see the Neo4j log`);
  }
}
