import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isCode, SAFE_NAME } from '../kge/modelFiles.js';

/**
 * The reports `kgrec eval` leaves under `<KGREC_HOME>/eval/<dataset>/` (report.json, report.md, report.png,
 * written by evaluateRecommenders.ts and searchReport.ts), read back for the API: the newest one by the time
 * its report.json was written.
 */

export const REPORT_JSON = 'report.json';
export const REPORT_PNG = 'report.png';

/** Larger files are not a report `kgrec eval` wrote (its JSON is a few kB, its chart under 100 kB). */
export const MAX_REPORT_JSON_BYTES = 1024 * 1024;
export const MAX_REPORT_CHART_BYTES = 2 * 1024 * 1024;
/** More models or metrics than `kgrec eval` reports: the answer stays small whatever the file holds. */
const MAX_MODELS = 50;
const MAX_METRICS = 50;

/** The part of report.json the API shows; both the recommendation and the search report have it. */
export const evaluationReportSchema = z.object({
  dataset: z.string().min(1).max(200),
  note: z.string().max(2000).optional(),
  k: z.number().int().positive(),
  /** Test users of a recommendation report. */
  users: z.number().int().nonnegative().optional(),
  /** Test sessions of a search report. */
  sessions: z.object({ test: z.number().int().nonnegative() }).optional(),
  results: z
    .record(z.string().max(100), z.record(z.string().max(100), z.number()).refine((metrics) => Object.keys(metrics).length <= MAX_METRICS, `at most ${MAX_METRICS} metrics per model`))
    .refine((results) => Object.keys(results).length <= MAX_MODELS, `at most ${MAX_MODELS} models`),
  /** The model version a recommendation report's fused ranking was trained as. */
  modelVersion: z.string().max(200).optional(),
});

export type EvaluationReportFile = z.infer<typeof evaluationReportSchema>;

export interface SavedEvaluation {
  /** The folder's name under eval/ (the dataset, e.g. `demo`, `graph`, `demo-search`). */
  folder: string;
  /** When report.json was written, epoch milliseconds. */
  writtenAt: number;
  report: EvaluationReportFile;
  /** report.png as a data URL; null when absent or larger than MAX_REPORT_CHART_BYTES. */
  chart: string | null;
}

/** A report.json found but not readable: its file and the first problem. */
export interface UnreadableReport {
  file: string;
  problem: string;
}

interface Candidate {
  folder: string;
  file: string;
  writtenAt: number;
}

/** Folders of `evalDir` holding a report.json, newest first. */
async function candidates(evalDir: string): Promise<Candidate[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(evalDir, { withFileTypes: true });
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw error;
  }
  const found: Candidate[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !SAFE_NAME.test(entry.name)) continue;
    const file = path.join(evalDir, entry.name, REPORT_JSON);
    const stat = await fs.stat(file).catch(() => null);
    if (stat?.isFile()) found.push({ folder: entry.name, file, writtenAt: stat.mtimeMs });
  }
  return found.sort((a, b) => b.writtenAt - a.writtenAt || a.folder.localeCompare(b.folder));
}

async function readReport(candidate: Candidate): Promise<EvaluationReportFile> {
  const stat = await fs.stat(candidate.file);
  if (stat.size > MAX_REPORT_JSON_BYTES) throw new Error(`larger than ${MAX_REPORT_JSON_BYTES} bytes (${stat.size})`);
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(candidate.file, 'utf8'));
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
  const parsed = evaluationReportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'not an evaluation report'}`);
  }
  return parsed.data;
}

async function readChart(folder: string): Promise<string | null> {
  const file = path.join(folder, REPORT_PNG);
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile() || stat.size > MAX_REPORT_CHART_BYTES) return null;
  return `data:image/png;base64,${(await fs.readFile(file)).toString('base64')}`;
}

/**
 * The newest readable report under `evalDir`, or null when there is none. A newer report.json that cannot
 * be read is passed over and handed to `onUnreadable`, so that one broken file does not hide the others.
 */
export async function latestEvaluation(evalDir: string, onUnreadable: (report: UnreadableReport) => void = () => undefined): Promise<SavedEvaluation | null> {
  for (const candidate of await candidates(evalDir)) {
    let report: EvaluationReportFile;
    try {
      report = await readReport(candidate);
    } catch (error) {
      onUnreadable({ file: candidate.file, problem: (error as Error).message });
      continue;
    }
    return { folder: candidate.folder, writtenAt: candidate.writtenAt, report, chart: await readChart(path.dirname(candidate.file)) };
  }
  return null;
}
