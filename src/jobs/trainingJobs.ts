import type { Config } from '../config.js';
import type { Graph } from '../graph/graph.js';
import { resolveHyperparameters } from '../kge/hyperparameters.js';
import type { LinkPredictionResult, TransEHyperparameters } from '../kge/types.js';
import { runTrainingJob, type TrainJobOptions, type TrainJobResult } from './train.js';

/**
 * Retraining started from the API: `runTrainingJob` in the background of the serving process, one job at a
 * time, with its status and progress kept in memory for `trainingJob(id)` / `trainingJobs`. A job saves a
 * new model version and never activates it: activating is a separate, explicit step (activate.ts). Jobs
 * are not persisted: a restart forgets their history (the model versions they saved stay in models/).
 */

export type TrainingJobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** What an admin may choose; everything else comes from the shop defaults (src/kge/hyperparameters.ts). */
export interface RetrainingOptions {
  epochs?: number | undefined;
  warmStart?: boolean | undefined;
  seed?: number | undefined;
  dimension?: number | undefined;
}

export interface TrainingProgress {
  /** Epochs finished so far. */
  epoch: number;
  /** Epochs planned (early stopping may end sooner). */
  totalEpochs: number;
  /** Mean loss of the last finished epoch. */
  loss: number | null;
}

export interface TrainingJob {
  id: string;
  status: TrainingJobStatus;
  options: RetrainingOptions;
  requestedBy: string;
  /** Epoch milliseconds. */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  progress: TrainingProgress;
  /** The version the job saved, once it succeeded. */
  modelVersion: string | null;
  metrics: { valid: LinkPredictionResult | null; test: LinkPredictionResult | null } | null;
  /** Why it failed. */
  error: string | null;
}

/** A job is already queued or running. */
export class TrainingConflictError extends Error {
  override name = 'TrainingConflictError';
  constructor(readonly running: TrainingJob) {
    super(`training job ${running.id} is ${running.status}; wait for it to finish before starting another`);
  }
}

/** Finished jobs kept for `trainingJobs`; older ones are forgotten. */
const KEPT_JOBS = 50;

export interface TrainingJobsOptions {
  graph: Graph;
  config: Config;
  modelsDir: string;
  /**
   * Worker threads of the CPU engine. With 1 the epochs run on the serving thread, yielding between batches;
   * more keep the heavy work off it.
   */
  workers?: number;
  /** Replaces runTrainingJob (tests). */
  run?: (options: TrainJobOptions) => Promise<TrainJobResult>;
  onInfo?: (job: TrainingJob, message: string) => void;
  onFinished?: (job: TrainingJob, error?: unknown) => void;
}

export class TrainingJobs {
  private readonly jobs: TrainingJob[] = [];
  private current: { job: TrainingJob; done: Promise<void> } | null = null;
  private sequence = 0;

  constructor(private readonly options: TrainingJobsOptions) {}

  /**
   * Queues a job and starts it at once; throws TrainingConflictError while another is queued or running, and
   * an Error for hyperparameters out of range (checked before anything starts).
   */
  start(options: RetrainingOptions, requestedBy: string, now: number = Date.now()): TrainingJob {
    if (this.current) throw new TrainingConflictError(this.current.job);
    const layer = this.hyperparameters(options);
    const planned = resolveHyperparameters(layer);
    this.sequence += 1;
    const job: TrainingJob = {
      id: `train-${now.toString(36)}-${this.sequence}`,
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
    };
    this.jobs.unshift(job);
    if (this.jobs.length > KEPT_JOBS) this.jobs.length = KEPT_JOBS;
    const done = this.run(job, layer).finally(() => {
      if (this.current?.job === job) this.current = null;
    });
    this.current = { job, done };
    return job;
  }

  get(id: string): TrainingJob | null {
    return this.jobs.find((job) => job.id === id) ?? null;
  }

  /** Newest first. */
  list(): TrainingJob[] {
    return [...this.jobs];
  }

  /** The queued or running job, if any. */
  active(): TrainingJob | null {
    return this.current?.job ?? null;
  }

  /** Resolves once no job is running (at once when none is). */
  async idle(): Promise<void> {
    await this.current?.done;
  }

  private hyperparameters(options: RetrainingOptions): Partial<TransEHyperparameters> {
    const layer: Partial<TransEHyperparameters> = { workers: this.options.workers ?? 1 };
    if (options.epochs !== undefined) layer.epochs = options.epochs;
    if (options.seed !== undefined) layer.seed = options.seed;
    if (options.dimension !== undefined) layer.dimension = options.dimension;
    return layer;
  }

  private async run(job: TrainingJob, layer: Partial<TransEHyperparameters>): Promise<void> {
    // Started on the next turn of the event loop: the mutation that queued the job answers first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    job.status = 'running';
    job.startedAt = Date.now();
    const { graph, config, modelsDir } = this.options;
    try {
      const result = await (this.options.run ?? runTrainingJob)({
        source: { kind: 'graph', graph, config },
        hyperparameters: [layer],
        modelsDir,
        warmStart: job.options.warmStart ?? false,
        onInfo: (message) => this.options.onInfo?.(job, message),
        onEpoch: (epoch, loss) => {
          job.progress = { ...job.progress, epoch, loss };
        },
      });
      job.status = 'succeeded';
      job.modelVersion = result.version;
      job.metrics = { valid: result.valid, test: result.test };
      job.progress = { ...job.progress, epoch: result.epochs };
      job.finishedAt = Date.now();
      this.options.onFinished?.(job);
    } catch (error) {
      job.status = 'failed';
      job.error = error instanceof Error ? error.message : String(error);
      job.finishedAt = Date.now();
      this.options.onFinished?.(job, error);
    }
  }
}
