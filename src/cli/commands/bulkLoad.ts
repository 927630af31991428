import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { formatRejection } from '../../ingest/ingest.js';
import { formatOf } from '../../ingest/readers.js';
import { KINDS, type Kind } from '../../ingest/records.js';
import { BulkLoadError, bulkLoad, type BulkLoadSummary, type BulkStage } from '../../jobs/bulkLoad.js';
import { wholeNumber } from '../flagParsers.js';
import { createOutput, formatCount, UserError, type Output } from '../output.js';
import { createProgress } from '../progress.js';
import { defaultReportFile } from '../reports.js';

/** Rejections shown on the console; the report file has all of them. */
const CONSOLE_REJECTIONS = 20;

/** A file's kind is the kind its name starts with: `events.csv`, `events-2025-01.jsonl`, `Products.ndjson`. */
export function kindOfFile(file: string): Kind | undefined {
  const name = path.basename(file).toLowerCase();
  return KINDS.find((kind) => name.startsWith(kind) && !/[a-z]/.test(name.charAt(kind.length)));
}

/** Sorts files (or the files of folders) by kind; a file whose kind or format cannot be told is an error. */
export function filesByKind(paths: string[]): Partial<Record<Kind, string[]>> {
  const byKind: Partial<Record<Kind, string[]>> = {};
  for (const given of paths) {
    if (!existsSync(given)) throw new UserError(`${given}: file or folder not found`, 2);
    const files = statSync(given).isDirectory()
      ? readdirSync(given)
          .filter((name) => /\.(csv|jsonl|ndjson)$/i.test(name))
          .sort()
          .map((name) => path.join(given, name))
      : [given];
    for (const file of files) {
      const kind = kindOfFile(file);
      if (kind === undefined) throw new UserError(`${file}: cannot tell its kind; name it after one of ${KINDS.join(', ')} (e.g. events-2025.csv)`, 2);
      try {
        formatOf(file);
      } catch (error) {
        throw new UserError((error as Error).message, 2);
      }
      (byKind[kind] ??= []).push(file);
    }
  }
  if (Object.keys(byKind).length === 0) throw new UserError(`no .csv, .jsonl or .ndjson files in ${paths.join(', ')}`, 2);
  return byKind;
}

export function registerBulkLoadCommand(program: Command): void {
  program
    .command('bulk-load')
    .description(
      'fill an empty local database from files of every kind at once with Neo4j\'s offline importer (restarts the local Neo4j; for first loads of large histories)',
    )
    .argument('<paths...>', 'files named after their kind (categories, brands, products, users, events, relations), or folders of them')
    .option('--max-rejects <n>', 'load even when up to n records are rejected (they are left out)', wholeNumber('--max-rejects'), 0)
    .option('--report <file>', 'where to write every rejection (default <KGREC_HOME>/reports/bulk-load-<time>.txt)')
    .option('--by <name>', 'recorded as updatedBy on merchandiser relations', 'ingest')
    .option('--json', 'print the summary as JSON on the last line')
    .action(async (paths: string[], options: { maxRejects: number; report?: string; by: string; json?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      const files = filesByKind(paths);
      const config = loadConfig();
      const report = options.report ?? defaultReportFile(config, 'bulk-load');
      const progress = createProgress('bulk-load ');
      const started = performance.now();
      let shown = 0;
      let currentStage: BulkStage | null = null;
      let stageStarted = started;
      try {
        const summary = await bulkLoad(config, {
          files,
          maxRejects: options.maxRejects,
          reportFile: report,
          by: options.by,
          onInfo: out.info,
          onReject: (rejection) => {
            if (shown < CONSOLE_REJECTIONS) out.info(formatRejection(rejection));
            else if (shown === CONSOLE_REJECTIONS) out.info(`… more rejections in ${report}`);
            shown += 1;
          },
          onProgress: (stage, done, total) => {
            if (stage !== currentStage) {
              currentStage = stage;
              stageStarted = performance.now();
            }
            const unit = stage === 'reading' ? 'bytes' : stage === 'importing' ? 'entities' : 'steps';
            progress.update(done, total, { note: stage, unit, rate: done / Math.max(1e-3, (performance.now() - stageStarted) / 1000) });
          },
        });
        progress.stop();
        out.result(summary, () => printBulkSummary(out, summary));
      } catch (error) {
        if (error instanceof BulkLoadError) throw new UserError(error.message);
        throw error;
      } finally {
        progress.stop();
      }
    });
}

function printBulkSummary(out: Output, s: BulkLoadSummary): void {
  for (const [kind, k] of Object.entries(s.kinds)) {
    if (k.files.length === 0) continue;
    out.line(`${kind.padEnd(10)} ${formatCount(k.records).padStart(10)} read, ${formatCount(k.loaded).padStart(10)} loaded, ${formatCount(k.duplicates)} duplicates skipped`);
  }
  const t = s.seconds;
  out.line(
    `bulk load: ${formatCount(s.graph.events)} events in ${t.total.toFixed(1)} s (${formatCount(s.eventsPerSecond)} events/s): reading and validation ${t.reading.toFixed(1)} s, ` +
      `import files ${t.writingFiles.toFixed(1)} s, import with the restart ${t.importing.toFixed(1)} s, constraints and indexes ${t.indexing.toFixed(1)} s; ` +
      `${formatCount(s.rejected)} rejected${s.rejected > 0 && s.reportFile ? ` (report: ${s.reportFile})` : ''}`,
  );
}
