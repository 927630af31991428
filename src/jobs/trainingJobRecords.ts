/**
 * Training jobs on disk: one JSON record per job in `<modelsDir>/.jobs/<id>.json`, beside the job's log
 * `<id>.log`. The record outlives the API process that started the job, so a restarted API still lists
 * it. One process writes a record at a time (see trainingJobs.ts): the API while the job is queued and
 * after its training process is gone, the training process while it runs. Every write goes to a
 * temporary name and is renamed into place, so a reader never sees half a record.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readTextIfPresent } from '../util/files.js';

export const JOBS_FOLDER = '.jobs';

/** Records kept; older finished ones (and their logs) are removed when a job starts. */
export const KEPT_JOBS = 50;

const TERMINAL = ['succeeded', 'failed'] as const;
export const trainingJobStatusSchema = z.enum(['queued', 'running', ...TERMINAL]);
export type TrainingJobStatus = z.infer<typeof trainingJobStatusSchema>;

export const retrainingOptionsSchema = z.object({
  epochs: z.number().int().positive().optional(),
  warmStart: z.boolean().optional(),
  seed: z.number().int().nonnegative().optional(),
  dimension: z.number().int().positive().optional(),
});
/** What an admin may choose; everything else comes from the shop defaults (src/kge/hyperparameters.ts). */
export type RetrainingOptions = z.infer<typeof retrainingOptionsSchema>;

const jobMetricsSchema = z.object({
  mrr: z.number(),
  'hits@1': z.number(),
  'hits@3': z.number(),
  'hits@10': z.number(),
  count: z.number().int().nonnegative(),
});
export type JobMetrics = z.infer<typeof jobMetricsSchema>;

/** Job ids name files: only this shape ever reaches the file system. */
const JOB_ID = /^train-[a-z0-9]+-[a-f0-9]{6}$/;

export const trainingJobSchema = z.object({
  id: z.string().regex(JOB_ID),
  status: trainingJobStatusSchema,
  options: retrainingOptionsSchema,
  requestedBy: z.string(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** Epochs finished so far, epochs planned (early stopping may end sooner), mean loss of the last epoch. */
  progress: z.object({ epoch: z.number().int().nonnegative(), totalEpochs: z.number().int().nonnegative(), loss: z.number().nullable() }),
  /** The version the job saved, once it succeeded. */
  modelVersion: z.string().nullable(),
  metrics: z.object({ valid: jobMetricsSchema.nullable(), test: jobMetricsSchema.nullable() }).nullable(),
  /** Why it failed. */
  error: z.string().nullable(),
  /** The process that trains (never the API's own). */
  pid: z.number().int().positive(),
  /** The machine it runs on: whether it is alive can only be checked there. */
  host: z.string(),
  /** Worker threads of the CPU engine inside the training process. */
  workers: z.number().int().positive(),
});
export type TrainingJob = z.infer<typeof trainingJobSchema>;

export const isFinished = (job: TrainingJob): boolean => (TERMINAL as readonly string[]).includes(job.status);

export const isJobId = (id: string): boolean => JOB_ID.test(id);

export function newJobId(now: number): string {
  return `train-${now.toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const jobsDir = (modelsDir: string): string => path.join(modelsDir, JOBS_FOLDER);
export const jobFile = (modelsDir: string, id: string): string => path.join(jobsDir(modelsDir), `${id}.json`);
export const jobLogFile = (modelsDir: string, id: string): string => path.join(jobsDir(modelsDir), `${id}.log`);

export async function writeJob(modelsDir: string, job: TrainingJob): Promise<void> {
  const file = jobFile(modelsDir, job.id);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(trainingJobSchema.parse(job), null, 2)}\n`);
  await fs.rename(temp, file);
}

/** The record, or null when there is none; a record that does not parse is an error naming its file. */
export async function readJob(modelsDir: string, id: string): Promise<TrainingJob | null> {
  if (!isJobId(id)) return null;
  const file = jobFile(modelsDir, id);
  const text = await readTextIfPresent(file);
  if (text === null) return null;
  return parseJob(file, text);
}

/** Synchronous write and read, for a training process that records its end from a signal handler. */
export function writeJobSync(modelsDir: string, job: TrainingJob): void {
  const file = jobFile(modelsDir, job.id);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${JSON.stringify(trainingJobSchema.parse(job), null, 2)}\n`);
  renameSync(temp, file);
}

export function readJobSync(modelsDir: string, id: string): TrainingJob {
  const file = jobFile(modelsDir, id);
  return parseJob(file, readFileSync(file, 'utf8'));
}

function parseJob(file: string, text: string): TrainingJob {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = trainingJobSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || '(record)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Every record, newest first. */
export async function listJobs(modelsDir: string): Promise<TrainingJob[]> {
  let names: string[];
  try {
    names = await fs.readdir(jobsDir(modelsDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length)).filter(isJobId);
  const jobs = (await Promise.all(ids.map((id) => readJob(modelsDir, id)))).filter((job): job is TrainingJob => job !== null);
  return jobs.sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
}

/** Removes the records and logs of finished jobs beyond the newest `keep`. */
export async function pruneJobs(modelsDir: string, keep: number = KEPT_JOBS): Promise<void> {
  const jobs = await listJobs(modelsDir);
  for (const job of jobs.slice(keep).filter(isFinished)) {
    await fs.rm(jobFile(modelsDir, job.id), { force: true });
    await fs.rm(jobLogFile(modelsDir, job.id), { force: true });
  }
}

/**
 * Whether the job's training process still runs. On its own machine the pid must be alive and, where
 * /proc exists (Linux), its command line must name the job: a pid reused by another process does not count.
 * A record from another machine cannot be checked and counts as alive.
 */
export function trainingProcessAlive(job: Pick<TrainingJob, 'id' | 'pid' | 'host'>): boolean {
  if (job.host !== os.hostname()) return true;
  try {
    process.kill(job.pid, 0);
  } catch {
    // ESRCH: gone. EPERM: the pid belongs to another user's process, so it is not the job's.
    return false;
  }
  try {
    return readFileSync(`/proc/${job.pid}/cmdline`, 'utf8').split('\0').includes(job.id);
  } catch (error) {
    // No /proc (macOS): the signal check has to do. Gone between the two checks: not alive.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT' || !procMounted();
  }
}

const procMounted = (): boolean => {
  try {
    readFileSync('/proc/self/cmdline');
    return true;
  } catch {
    return false;
  }
};
