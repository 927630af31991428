import { openSync, closeSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import os from 'node:os';
import type { Config } from '../config.js';
import { resolveHyperparameters } from '../kge/hyperparameters.js';
import { forkModule } from '../util/moduleProcess.js';
import {
  isFinished,
  jobLogFile,
  jobsDir,
  listJobs,
  newJobId,
  pruneJobs,
  readJob,
  trainingProcessAlive,
  writeJob,
  type RetrainingOptions,
  type TrainingJob,
} from './trainingJobRecords.js';
import type { TrainingStart } from './trainingProcess.js';

export type { RetrainingOptions, TrainingJob, TrainingJobStatus } from './trainingJobRecords.js';

/**
 * Retraining started from the API (or by `kgrec start`): each job trains in a process of its own
 * (trainingProcess.ts), never on the serving process's threads or heap, one job at a time. Its state lives
 * on disk, in the models folder (trainingJobRecords.ts), so a restarted API lists the jobs of the one before.
 *
 * A job outlives the API process that started it: the training process is detached and lets go of its
 * channel at once, so a deployment that restarts the API does not throw away a long training, and the
 * restarted API re-attaches simply by reading the record, which the training process keeps writing. A
 * record that says queued or running whose process is gone (killed, out of memory, the machine rebooted)
 * is marked failed with an error that starts `interrupted:` when it is next read. A job saves a new model
 * version and never activates it: activating is a separate, explicit step (activate.ts).
 */

/** A job is already queued or running. */
export class TrainingConflictError extends Error {
  override name = 'TrainingConflictError';
  constructor(readonly running: TrainingJob) {
    super(`training job ${running.id} is ${running.status}; wait for it to finish before starting another`);
  }
}

/** How often `waitFor` and `idle` read a job's record. */
const POLL_MS = 200;

export interface TrainingJobsOptions {
  /** Handed to the training process, which opens its own connection to Neo4j with it. */
  config: Config;
  modelsDir: string;
  /** Worker threads of the CPU engine inside the training process (default 1). */
  workers?: number;
  /** Told when a job this process started has ended (succeeded or failed). */
  onFinished?: (job: TrainingJob) => void;
}

export class TrainingJobs {
  /** Starts in this process, one after another: the second sees the first's record and is refused. */
  private starts: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TrainingJobsOptions) {}

  /**
   * Queues a job and starts its training process; throws TrainingConflictError while another is queued or
   * running (in any process sharing the models folder), and an Error for hyperparameters out of range
   * (checked before anything starts).
   */
  start(options: RetrainingOptions, requestedBy: string, now: number = Date.now()): Promise<TrainingJob> {
    const started = this.starts.then(() => this.startJob(options, requestedBy, now));
    this.starts = started.catch(() => undefined);
    return started;
  }

  private async startJob(options: RetrainingOptions, requestedBy: string, now: number): Promise<TrainingJob> {
    const running = await this.active();
    if (running) throw new TrainingConflictError(running);
    const workers = this.options.workers ?? 1;
    const planned = resolveHyperparameters({ workers, ...definedOptions(options) });
    const { modelsDir } = this.options;
    await mkdir(jobsDir(modelsDir), { recursive: true });
    await pruneJobs(modelsDir);
    const id = newJobId(now);
    const log = openSync(jobLogFile(modelsDir, id), 'a');
    let child;
    try {
      // Detached: its own process group, so a Ctrl-C or a signal to the API's group does not reach it.
      child = forkModule(import.meta.url, 'trainingProcess', [id], { detached: true, stdio: ['ignore', log, log, 'ipc'] });
    } finally {
      closeSync(log);
    }
    const pid = child.pid;
    if (pid === undefined) throw new Error('the training process could not be started');
    const job: TrainingJob = {
      id,
      status: 'queued',
      options: { ...options },
      requestedBy,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      progress: { epoch: 0, totalEpochs: planned.epochs, loss: null },
      modelVersion: null,
      metrics: null,
      error: null,
      pid,
      host: os.hostname(),
      workers,
    };
    try {
      await writeJob(modelsDir, job);
    } catch (error) {
      child.kill();
      throw error;
    }
    // The record is written before the process hears of the job: from here on the process writes it.
    const message: TrainingStart = { jobId: id, modelsDir, config: this.options.config };
    child.send(message);
    child.once('exit', (code, signal) => {
      void this.settle(id, code === null ? `signal ${signal}` : `code ${code}`).then((settled) => {
        if (settled) this.options.onFinished?.(settled);
      });
    });
    // The API may stop before the job ends, without waiting for it.
    child.unref();
    child.channel?.unref();
    return job;
  }

  /** The job's record, brought up to date when its process is gone; null for an unknown id. */
  async get(id: string): Promise<TrainingJob | null> {
    const job = await readJob(this.options.modelsDir, id);
    return job && (await this.reconcile(job));
  }

  /** Newest first (the last KEPT_JOBS or so). */
  async list(): Promise<TrainingJob[]> {
    const jobs = await listJobs(this.options.modelsDir);
    return Promise.all(jobs.map((job) => this.reconcile(job)));
  }

  /** The queued or running job, if any. */
  async active(): Promise<TrainingJob | null> {
    return (await this.list()).find((job) => !isFinished(job)) ?? null;
  }

  /** Resolves with the job once it has finished, reporting its record at every poll. */
  async waitFor(id: string, onProgress?: (job: TrainingJob) => void): Promise<TrainingJob> {
    for (;;) {
      const job = await this.get(id);
      if (!job) throw new Error(`no training job ${id}`);
      onProgress?.(job);
      if (isFinished(job)) return job;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Resolves once no job is queued or running (at once when none is). */
  async idle(): Promise<void> {
    const active = await this.active();
    if (active) await this.waitFor(active.id);
  }

  /**
   * A record that is not finished and whose process is gone was interrupted: it is marked failed. The
   * record is read again after the check, as the process may have finished it just before it ended.
   */
  private async reconcile(job: TrainingJob): Promise<TrainingJob> {
    if (isFinished(job) || trainingProcessAlive(job)) return job;
    return (await this.settle(job.id, null)) ?? job;
  }

  /** Marks a job whose process has ended failed unless it finished; returns its final record. */
  private async settle(id: string, exit: string | null): Promise<TrainingJob | null> {
    const job = await readJob(this.options.modelsDir, id);
    if (!job || isFinished(job)) return job;
    const how = exit === null ? 'is gone' : `exited with ${exit}`;
    const lastLine = await lastLogLine(jobLogFile(this.options.modelsDir, id));
    const failed: TrainingJob = {
      ...job,
      status: 'failed',
      finishedAt: Date.now(),
      error: `interrupted: the training process (pid ${job.pid}) ${how} before the job finished${lastLine ? `; its log ends: ${lastLine}` : ''}`,
    };
    await writeJob(this.options.modelsDir, failed);
    return failed;
  }
}

/** How much of a log's end `lastLogLine` reads. */
const LOG_TAIL_BYTES = 4096;

/** The last non-empty line of a job's log (what a process that died last said), or null. */
async function lastLogLine(file: string): Promise<string | null> {
  try {
    const handle = await open(file);
    try {
      const { size } = await handle.stat();
      const start = Math.max(0, size - LOG_TAIL_BYTES);
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(size - start), 0, size - start, start);
      const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n').map((line) => line.trim()).filter(Boolean);
      return lines.at(-1) ?? null;
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

const definedOptions = (options: RetrainingOptions) =>
  Object.fromEntries(Object.entries({ epochs: options.epochs, seed: options.seed, dimension: options.dimension }).filter(([, value]) => value !== undefined));
