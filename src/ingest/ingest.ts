import { createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Graph } from '../graph/graph.js';
import { handlerFor, type BatchResult, type Located, type Rejection, type WriteContext } from './kinds.js';
import { readSource } from './readers.js';
import { validateRecord, type Kind } from './records.js';

export interface IngestOptions {
  kind: Kind;
  files: string[];
  batchSize: number;
  relationTypes: readonly string[];
  /** Validate only: nothing is read from or written to the graph (so references are not checked). */
  dryRun?: boolean;
  /** Every rejection is written here, one `FILE:LINE: field: reason` per line. */
  reportFile?: string;
  /** Recorded as `updatedBy` on merchandiser relations. */
  by?: string;
  onProgress?: (progress: IngestProgress) => void;
  onReject?: (rejection: Rejection) => void;
}

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

export const formatRejection = (r: Rejection): string => `${r.file}:${r.line}: ${r.field}: ${r.reason}`;

/**
 * Reads, cleans, validates and writes records of one kind. Writes go in batches of `batchSize`, one
 * transaction each; the next batch is read and validated while the previous one is being written. A batch
 * that fails is rolled back whole and stops the run (batches before it are complete and stay); since every
 * write is idempotent, running the same files again after fixing the cause finishes the job.
 */
export async function ingestFiles(graph: Graph | null, options: IngestOptions): Promise<IngestSummary> {
  const started = performance.now();
  const handler = handlerFor(options.kind, options.relationTypes);
  const dryRun = options.dryRun ?? false;
  if (!dryRun && graph === null) throw new Error('a graph connection is needed unless dryRun is set');
  const ctx: WriteContext = { graph: graph as Graph, now: Date.now(), by: options.by ?? 'ingest' };
  const bytesTotal = options.files.reduce((sum, file) => sum + statSync(file).size, 0);
  const summary: IngestSummary = {
    kind: options.kind,
    files: options.files,
    records: 0,
    written: 0,
    unchanged: 0,
    duplicates: 0,
    rejected: 0,
    batches: 0,
    seconds: 0,
    recordsPerSecond: 0,
    dryRun,
    reportFile: options.reportFile ?? null,
  };
  const report = openReport(options.reportFile);
  const rejectedLines = new Set<string>();
  const onRejection = (rejection: Rejection) => {
    // A record with three bad fields is one rejected record reported on three lines.
    const key = `${rejection.file}:${rejection.line}`;
    if (!rejectedLines.has(key)) {
      rejectedLines.add(key);
      summary.rejected += 1;
    }
    report?.write(`${formatRejection(rejection)}\n`);
    options.onReject?.(rejection);
  };

  let pending: Promise<void> = Promise.resolve();
  const writeBatch = async (batch: Located<unknown>[]): Promise<void> => {
    if (dryRun || batch.length === 0) return;
    await pending; // one batch in flight: keeps memory flat and the order of writes stable
    pending = handler.writeBatch(batch, ctx).then(
      (result: BatchResult) => {
        summary.batches += 1;
        summary.written += result.written;
        summary.unchanged += batch.length - result.written - result.rejected.length;
        result.rejected.forEach(onRejection);
      },
      (error: unknown) => {
        const first = batch[0] as Located<unknown>;
        const last = batch[batch.length - 1] as Located<unknown>;
        const where = first.file === last.file ? `${first.file}:${first.line}-${last.line}` : `${first.file}:${first.line} to ${last.file}:${last.line}`;
        throw new Error(`batch ${summary.batches + 1} (${where}, ${batch.length} records) failed and was rolled back, nothing of it was written: ${(error as Error).message}`);
      },
    );
    // Marks the failure as handled until the next `await pending` rethrows it (else Node would exit on it).
    pending.catch(() => undefined);
  };

  try {
    const seen = new Map<string, { fingerprint: string; where: string }>();
    const deferred: Located<unknown>[] = [];
    let batch: Located<unknown>[] = [];
    let bytesBefore = 0;
    for (const file of options.files) {
      for await (const source of readSource(file)) {
        summary.records += 1;
        if (summary.records % 1_000 === 0) options.onProgress?.({ bytesRead: bytesBefore + source.bytes, bytesTotal, records: summary.records });
        if ('error' in source) {
          onRejection({ file, line: source.line, field: '(line)', reason: source.error });
          continue;
        }
        const result = validateRecord(handler.schema, source.record);
        if (!result.ok) {
          for (const problem of result.problems) onRejection({ file, line: source.line, ...problem });
          continue;
        }
        const key = handler.key(result.value);
        const fingerprint = JSON.stringify(result.value);
        const earlier = seen.get(key);
        if (earlier) {
          if (earlier.fingerprint === fingerprint) summary.duplicates += 1;
          else onRejection({ file, line: source.line, field: 'id', reason: `same id as ${earlier.where} but different values` });
          continue;
        }
        seen.set(key, { fingerprint, where: `${file}:${source.line}` });
        const item = { file, line: source.line, value: result.value };
        if (handler.order) deferred.push(item);
        else {
          batch.push(item);
          if (batch.length >= options.batchSize) {
            await writeBatch(batch);
            batch = [];
          }
        }
      }
      bytesBefore += statSync(file).size;
    }
    if (handler.order && !dryRun) {
      const { ordered, rejected } = await handler.order(deferred, ctx);
      rejected.forEach(onRejection);
      batch = ordered;
    }
    for (let start = 0; start < batch.length; start += options.batchSize) {
      await writeBatch(batch.slice(start, start + options.batchSize));
    }
    await pending;
    options.onProgress?.({ bytesRead: bytesTotal, bytesTotal, records: summary.records });
  } catch (error) {
    await pending.catch(() => undefined);
    finish(summary, started);
    await closeReport(report);
    throw new IngestError((error as Error).message, summary);
  }
  finish(summary, started);
  await closeReport(report);
  return summary;
}

function finish(summary: IngestSummary, started: number): void {
  summary.seconds = (performance.now() - started) / 1000;
  summary.recordsPerSecond = summary.seconds > 0 ? summary.records / summary.seconds : 0;
}

function openReport(file: string | undefined): WriteStream | null {
  if (!file) return null;
  mkdirSync(path.dirname(file), { recursive: true });
  return createWriteStream(file);
}

function closeReport(report: WriteStream | null): Promise<void> {
  return new Promise((resolve) => (report ? report.end(resolve) : resolve()));
}
