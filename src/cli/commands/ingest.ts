import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import type { Graph } from '../../graph/graph.js';
import { formatConflict, formatRejection, IngestError, ingestFiles, type IngestSummary } from '../../ingest/ingest.js';
import { loadKgat, type KgatSummary } from '../../ingest/kgat.js';
import type { Conflict, Rejection } from '../../ingest/kinds.js';
import { KINDS, type Kind } from '../../ingest/records.js';
import { positiveInteger, wholeNumber } from '../flagParsers.js';
import { createOutput, formatCount, UserError, type Output } from '../output.js';
import { createProgress } from '../progress.js';
import { defaultReportFile } from '../reports.js';

/** Rejections shown on the console; the report file has all of them. */
const CONSOLE_REJECTIONS = 20;

interface IngestCommandOptions {
  kind: string;
  batchSize?: number;
  dryRun?: boolean;
  maxRejects: number;
  report?: string;
  by: string;
  skipConflicts?: boolean;
  json?: boolean;
}

interface KgatCommandOptions {
  prefix: string;
  batchSize: number;
  json?: boolean;
}

export function registerIngestCommands(program: Command): void {
  registerIngest(program);
  registerIngestKgat(program);
}

function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('validate and load records from JSON Lines (.jsonl) or CSV (.csv, with a header) files')
    .requiredOption('--kind <kind>', `what the files hold: ${KINDS.join(', ')}`)
    .argument('<files...>', 'input files')
    .option('--batch-size <n>', 'records per transaction (default KGREC_INGEST_BATCH_SIZE or 10000)', positiveInteger('--batch-size'))
    .option('--dry-run', 'validate only; write nothing (references to other records are not checked)')
    .option('--max-rejects <n>', 'succeed even when up to n records are rejected', wholeNumber('--max-rejects'), 0)
    .option('--report <file>', 'where to write every rejection (default <KGREC_HOME>/reports/ingest-<kind>-<time>.txt)')
    .option('--by <name>', 'recorded as updatedBy on merchandiser relations', 'ingest')
    .option('--skip-conflicts', 'succeed even when events clash with stored events of the same id (they are still listed and counted)')
    .option('--json', 'print the summary as JSON on the last line')
    .action(ingestCommand);
}

/** `kgrec ingest`: checks the arguments, runs the ingestion, and fails past the rejections and conflicts allowed. */
async function ingestCommand(files: string[], options: IngestCommandOptions): Promise<void> {
  const out = createOutput(Boolean(options.json));
  if (!(KINDS as readonly string[]).includes(options.kind)) {
    throw new UserError(`--kind: expected one of ${KINDS.join(', ')}, got "${options.kind}"`, 2);
  }
  const kind = options.kind as Kind;
  const missing = files.find((file) => !existsSync(file));
  if (missing) throw new UserError(`${missing}: file not found`, 2);
  const config = loadConfig();
  const report = options.report ?? defaultReportFile(config, `ingest-${kind}`);
  const graph = options.dryRun ? null : (await openGraph(config, { startLocal: true, migrate: true, onInfo: out.info })).graph;
  try {
    const summary = await runIngest(graph, out, {
      kind,
      files,
      batchSize: options.batchSize ?? config.ingestBatchSize,
      relationTypes: config.relationTypes,
      maxClockSkewSeconds: config.maxClockSkewSeconds,
      dryRun: Boolean(options.dryRun),
      reportFile: report,
      by: options.by,
    });
    out.result(summary, () => printSummary(out, summary));
    if (summary.rejected > options.maxRejects) {
      throw new UserError(`${formatCount(summary.rejected)} record(s) rejected (allowed: ${options.maxRejects}); see ${report}`, 1);
    }
    if (summary.conflicts > 0 && !options.skipConflicts) {
      throw new UserError(
        `${formatCount(summary.conflicts)} event(s) have the id of a stored event with other values; the stored events were kept ` +
          `and these not written; see ${report} (--skip-conflicts accepts this)`,
        1,
      );
    }
  } finally {
    await graph?.close();
  }
}

function registerIngestKgat(program: Command): void {
  program
    .command('ingest-kgat')
    .description('load a data set in the KGAT benchmark format (train.txt, test.txt, optional kg_final.txt and *_list.txt)')
    .argument('<dir>', 'folder holding the files, e.g. ../shared/data/kgat-amazon-book')
    .option('--prefix <prefix>', 'prefix of every id written, to keep the benchmark apart from shop data', 'kgat:')
    .option('--batch-size <n>', 'rows per transaction', positiveInteger('--batch-size'), 10_000)
    .option('--json', 'print the summary as JSON on the last line')
    .action(ingestKgatCommand);
}

/** `kgrec ingest-kgat`: loads the data set with a progress bar and the first rejections on the console. */
async function ingestKgatCommand(dir: string, options: KgatCommandOptions): Promise<void> {
  const out = createOutput(Boolean(options.json));
  if (!existsSync(dir)) throw new UserError(`${dir}: folder not found`, 2);
  const config = loadConfig();
  const { graph } = await openGraph(config, { startLocal: true, migrate: true, onInfo: out.info });
  const progress = createProgress('kgat');
  const started = performance.now();
  let shown = 0;
  try {
    const summary = await loadKgat(graph, {
      dir,
      prefix: options.prefix,
      batchSize: options.batchSize,
      onProgress: ({ stage, done, total }) =>
        progress.update(done, total, { note: stage, rate: done / ((performance.now() - started) / 1000), unit: 'rows' }),
      onReject: (rejection) => {
        if (shown++ < CONSOLE_REJECTIONS) out.info(formatRejection(rejection));
      },
    });
    progress.stop();
    out.result(summary, () => printKgatSummary(out, summary));
  } finally {
    progress.stop();
    await graph.close();
  }
}

function printKgatSummary(out: Output, s: KgatSummary): void {
  out.line(
    `loaded ${formatCount(s.users)} users, ${formatCount(s.items)} items, ${formatCount(s.trainInteractions)} training and ` +
      `${formatCount(s.testInteractions)} test interactions (${formatCount(s.eventsWritten)} new events), ` +
      `${s.kgPresent ? `${formatCount(s.kgTriples)} knowledge-graph triples` : 'no kg_final.txt (interactions only)'}; ` +
      `${formatCount(s.rejected)} lines rejected; ${s.seconds.toFixed(1)} s, ${formatCount(s.interactionsPerSecond)} interactions/s`,
  );
}

/** Runs one ingestion with a progress bar and the first rejections on the console. */
export async function runIngest(graph: Graph | null, out: Output, options: Parameters<typeof ingestFiles>[1]): Promise<IngestSummary> {
  const progress = createProgress(options.kind.padEnd(10));
  const started = performance.now();
  let shown = 0;
  const show = (line: string) => {
    if (shown < CONSOLE_REJECTIONS) out.info(line);
    else if (shown === CONSOLE_REJECTIONS) out.info(`… more rejections and conflicts in ${options.reportFile}`);
    shown += 1;
  };
  try {
    return await ingestFiles(graph, {
      ...options,
      onReject: (rejection: Rejection) => show(formatRejection(rejection)),
      onConflict: (conflict: Conflict) => show(formatConflict(conflict)),
      onProgress: ({ bytesRead, bytesTotal, records }) =>
        progress.update(bytesRead, bytesTotal, {
          rate: records / ((performance.now() - started) / 1000),
          unit: 'records',
          note: `${formatCount(records)} records`,
        }),
    });
  } catch (error) {
    if (error instanceof IngestError) {
      progress.stop();
      printSummary(out, error.summary);
      throw new UserError(error.message);
    }
    throw error;
  } finally {
    progress.stop();
  }
}

export function printSummary(out: Output, s: IngestSummary): void {
  out.line(
    `${s.kind}: ${formatCount(s.records)} records read, ${s.dryRun ? '(dry run, nothing written) ' : `${formatCount(s.written)} written, ${formatCount(s.unchanged)} unchanged, `}` +
      `${formatCount(s.duplicates)} duplicates skipped, ${formatCount(s.rejected)} rejected` +
      (s.conflicts > 0 ? `, ${formatCount(s.conflicts)} conflicting with stored events (not written)` : '') +
      ` — ${s.seconds.toFixed(1)} s, ${formatCount(s.recordsPerSecond)} records/s` +
      (s.rejected + s.conflicts > 0 && s.reportFile ? `; report: ${s.reportFile}` : ''),
  );
}
