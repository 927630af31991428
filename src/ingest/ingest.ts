import { createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Graph } from '../graph/graph.js';
import type { EventDifference } from '../graph/shopWrites.js';
import { handlerFor, type Conflict, type KindHandler, type Located, type Rejection, type WriteContext } from './kinds.js';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../config.js';
import type { ClockLimit, Kind } from './records.js';
import { escapeControlCharacters } from '../util/controlCharacters.js';
import { checkedRecords } from './checkedRecords.js';
import { rejectionCounter } from './validation.js';
import { LaneWriter, type LaneWriterOptions, type ReadProgress } from './laneWriter.js';
import { DEFAULT_WRITE_LANES, gridFor } from './writeCells.js';

export interface IngestOptions {
  kind: Kind;
  files: string[];
  batchSize: number;
  relationTypes: readonly string[];
  /** How far record times may lie ahead of the clock (default DEFAULT_MAX_CLOCK_SKEW_SECONDS). */
  maxClockSkewSeconds?: number;
  /** Validate only: nothing is read from or written to the graph (so references are not checked). */
  dryRun?: boolean;
  /** Every rejection is written here, one `FILE:LINE: field: reason` per line. */
  reportFile?: string;
  /** Recorded as `updatedBy` on merchandiser relations. */
  by?: string;
  /** The run's time: `createdAt` and `updatedAt` of what it creates or changes (default: now). */
  now?: number;
  /** Parse, validate and de-duplicate on a thread of their own; default: when the files hold THREAD_MIN_BYTES or more. */
  thread?: boolean;
  /** Concurrent write transactions for kinds that can be partitioned (events, by user and product). */
  writeLanes?: number;
  /** Buckets per side of the write grid (see writeCells.ts); default: one more than the lanes. */
  writeGrid?: number;
  onProgress?: (progress: IngestProgress) => void;
  onReject?: (rejection: Rejection) => void;
  /** Each event whose id is already stored with other values (also written to the report). */
  onConflict?: (conflict: Conflict) => void;
}

/**
 * Runs of files from this size on are parsed, validated and de-duplicated on a thread of their own, beside
 * the writes: on a 2-core machine the one JavaScript thread was at times the bottleneck, Neo4j idle while it
 * parsed the next batch. Below it, starting the thread costs more than it saves.
 */
const THREAD_MIN_BYTES = 1 << 20;

export interface IngestProgress {
  bytesRead: number;
  bytesTotal: number;
  records: number;
}

export interface IngestSummary {
  kind: Kind;
  files: string[];
  /** Records read (lines holding a record, good or bad). */
  records: number;
  /** Records that created or changed something in the graph. */
  written: number;
  /** Valid records that were already in the graph as given. */
  unchanged: number;
  /** Repeats of an earlier record with the same values, within or across the files: skipped. */
  duplicates: number;
  /** Records refused, each listed in the report. */
  rejected: number;
  /** Events whose id is already stored with other values: not written, each listed in the report. */
  conflicts: number;
  batches: number;
  seconds: number;
  recordsPerSecond: number;
  dryRun: boolean;
  reportFile: string | null;
}

export class IngestError extends Error {
  override name = 'IngestError';
  constructor(
    message: string,
    readonly summary: IngestSummary,
  ) {
    super(message);
  }
}

/** One rejection as one line, on a terminal or in a report: whatever the input held, no control character gets through. */
export const formatRejection = (r: Rejection): string => escapeControlCharacters(`${r.file}:${r.line}: ${r.field}: ${r.reason}`);

const showStored = (field: EventDifference['field'], value: string | number | null): string => {
  if (value === null) return 'none';
  if (field === 'timestamp' && typeof value === 'number') return new Date(value).toISOString();
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
};

/** `events.jsonl:12: id "e-17" already stored with other values (quantity 1, now 3)`. */
export const formatConflict = (c: Conflict): string =>
  `${c.file}:${c.line}: id ${JSON.stringify(c.id)} already stored with other values ` +
  `(${c.differences.map((d) => `${d.field} ${showStored(d.field, d.stored)}, now ${showStored(d.field, d.given)}`).join('; ')})`;

/**
 * Reads, cleans, validates and writes records of one kind. Writes go in batches of `batchSize`, one
 * transaction each; the next batch is read and validated while the previous one is being written. A batch
 * that fails is rolled back whole and stops the run (batches before it are complete and stay); since every
 * write is idempotent, running the same files again after fixing the cause finishes the job.
 */
export async function ingestFiles(graph: Graph | null, options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const clock: ClockLimit = { maxClockSkewSeconds: options.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS };
  const handler = handlerFor(options.kind, { relationTypes: options.relationTypes, clock });
  const dryRun = options.dryRun ?? false;
  if (!dryRun && graph === null) throw new Error('a graph connection is needed unless dryRun is set');
  const ctx: WriteContext = { graph: graph as Graph, now: options.now ?? Date.now(), by: options.by ?? 'ingest' };
  const bytesTotal = options.files.reduce((sum, file) => sum + statSync(file).size, 0);
  const summary = emptySummary(options, dryRun);
  const report = openReport(options.reportFile);
  // A record with three bad fields is one rejected record reported on three lines.
  const rejections = rejectionCounter((rejection) => {
    report?.write(`${formatRejection(rejection)}\n`);
    options.onReject?.(rejection);
  });
  const run: IngestRun = { options, handler, ctx, dryRun, clock, bytesTotal, summary, onRejection: rejections.onRejection, duplicates: 0 };
  const finish = async () => {
    summary.rejected = rejections.count();
    summary.duplicates = run.duplicates;
    summary.seconds = (performance.now() - started) / 1000;
    summary.recordsPerSecond = summary.seconds > 0 ? summary.records / summary.seconds : 0;
    await closeReport(report);
  };

  // Progress counts what is committed, so that its rate and ETA are the real ones; a dry run counts what is read.
  const progress: ReadProgress = { bytesRead: 0, records: 0 };
  const writeLanes = handler.conflictKeys && !dryRun ? Math.max(1, options.writeLanes ?? DEFAULT_WRITE_LANES) : 1;
  const writer = new LaneWriter({
    handler,
    ctx,
    dryRun,
    batchSize: options.batchSize,
    writeLanes,
    grid: Math.max(1, options.writeGrid ?? gridFor(writeLanes)),
    progress,
    onCommitted: committedBatchRecorder(run, report),
    committedBatches: () => summary.batches,
  });
  try {
    await readAndWrite(run, writer, progress);
  } catch (error) {
    await writer.settle();
    await finish();
    throw new IngestError((error as Error).message, summary);
  }
  await finish();
  return summary;
}

/** What the parts of one run share. */
interface IngestRun {
  options: IngestOptions;
  handler: KindHandler<unknown>;
  ctx: WriteContext;
  dryRun: boolean;
  clock: ClockLimit;
  bytesTotal: number;
  summary: IngestSummary;
  onRejection: (rejection: Rejection) => void;
  /** Repeats skipped so far, as the reader counts them. */
  duplicates: number;
}

/**
 * Reads and checks the files chunk by chunk, and hands each record to the writer as it comes; kinds whose
 * records depend on each other (categories) are held back and written in their order once all are read.
 */
async function readAndWrite(run: IngestRun, writer: LaneWriter, progress: ReadProgress): Promise<void> {
  const { options, handler, summary, dryRun } = run;
  const reportProgress = () => options.onProgress?.({ bytesRead: progress.bytesRead, bytesTotal: run.bytesTotal, records: progress.records });
  const deferred: Located<unknown>[] = [];
  const thread = options.thread ?? run.bytesTotal >= THREAD_MIN_BYTES;
  for await (const chunk of checkedRecords(options.files, { kind: options.kind, relationTypes: options.relationTypes, clock: run.clock, thread, onRejection: run.onRejection })) {
    summary.records += chunk.records;
    run.duplicates = chunk.duplicates;
    progress.bytesRead = chunk.bytesRead;
    progress.records = summary.records;
    if (dryRun) reportProgress();
    for (const item of chunk.items) {
      if (handler.order) deferred.push(item);
      else await writer.add(item);
    }
  }
  if (handler.order && !dryRun) {
    const { ordered, rejected } = await handler.order(deferred, run.ctx);
    rejected.forEach(run.onRejection);
    await writer.addInOrder(ordered);
  }
  await writer.finish();
  progress.bytesRead = run.bytesTotal;
  reportProgress();
}

/** Counts a committed batch into the summary, reports progress as of when it was sent, and lists its refusals. */
function committedBatchRecorder(run: IngestRun, report: WriteStream | null): LaneWriterOptions['onCommitted'] {
  const { options, summary } = run;
  return (batch, result, reached) => {
    options.onProgress?.({ ...reached, bytesTotal: run.bytesTotal });
    summary.batches += 1;
    summary.written += result.written;
    const conflicts = result.conflicts ?? [];
    summary.unchanged += batch.length - result.written - result.rejected.length - conflicts.length;
    summary.conflicts += conflicts.length;
    result.rejected.forEach(run.onRejection);
    for (const conflict of conflicts) {
      report?.write(`${formatConflict(conflict)}\n`);
      options.onConflict?.(conflict);
    }
  };
}

function emptySummary(options: IngestOptions, dryRun: boolean): IngestSummary {
  return {
    kind: options.kind,
    files: options.files,
    records: 0,
    written: 0,
    unchanged: 0,
    duplicates: 0,
    rejected: 0,
    conflicts: 0,
    batches: 0,
    seconds: 0,
    recordsPerSecond: 0,
    dryRun,
    reportFile: options.reportFile ?? null,
  };
}

function openReport(file: string | undefined): WriteStream | null {
  if (!file) return null;
  mkdirSync(path.dirname(file), { recursive: true });
  return createWriteStream(file);
}

function closeReport(report: WriteStream | null): Promise<void> {
  return new Promise((resolve) => (report ? report.end(resolve) : resolve()));
}
