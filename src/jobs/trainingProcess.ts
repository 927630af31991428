/**
 * The process a training job runs in, started by TrainingJobs (trainingJobs.ts) with the job's id as its
 * argument (so that its command line names the job). It receives one message, `{ jobId, modelsDir, config }`,
 * lets go of the channel at once (it does not need the API alive: a restarted API finds the job through its
 * record), trains with its own Neo4j connection, and writes the job's record as it goes: running, each
 * epoch's progress, then succeeded or failed. Its log (stdout and stderr) is `<id>.log` beside the record.
 */
import os from 'node:os';
import { z } from 'zod';
import { resolvedConfigSchema } from '../config.js';
import { Graph } from '../graph/graph.js';
import type { LinkPredictionResult, TransEHyperparameters } from '../kge/types.js';
import { BACKGROUND_NICENESS } from '../util/threadPriority.js';
import { runTrainingJob } from './train.js';
import { readJob, readJobSync, writeJob, writeJobSync, type JobMetrics, type TrainingJob } from './trainingJobRecords.js';

/** Scheduling priority of the training process: see BACKGROUND_NICENESS. */
export const TRAINING_NICENESS = BACKGROUND_NICENESS;

export const trainingStartSchema = z.object({
  jobId: z.string(),
  modelsDir: z.string().min(1),
  config: resolvedConfigSchema,
});
export type TrainingStart = z.infer<typeof trainingStartSchema>;

const log = (message: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
};

const metricsOf = (result: LinkPredictionResult | null): JobMetrics | null =>
  result && { mrr: result.mrr, 'hits@1': result['hits@1'], 'hits@3': result['hits@3'], 'hits@10': result['hits@10'], count: result.count };

async function train(start: TrainingStart): Promise<void> {
  const { jobId, modelsDir, config } = start;
  const queued = await readJob(modelsDir, jobId);
  if (!queued) throw new Error(`no record of training job ${jobId} in ${modelsDir}`);
  let job: TrainingJob = { ...queued, status: 'running', startedAt: Date.now(), pid: process.pid, host: os.hostname() };
  // Writes follow one another: an epoch's progress never lands after the final record.
  let writes = writeJob(modelsDir, job);
  const save = (next: TrainingJob): Promise<void> => {
    job = next;
    writes = writes.then(() => writeJob(modelsDir, next));
    return writes;
  };
  await writes;
  // A signal (a deployment stopping everything) still leaves a record that says what happened.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      writeJobSync(modelsDir, { ...readJobSync(modelsDir, jobId), status: 'failed', finishedAt: Date.now(), error: `interrupted: the training process received ${signal}` });
      process.exit(128 + (os.constants.signals[signal] ?? 0));
    });
  }
  const layer: Partial<TransEHyperparameters> = { workers: job.workers };
  if (job.options.epochs !== undefined) layer.epochs = job.options.epochs;
  if (job.options.seed !== undefined) layer.seed = job.options.seed;
  if (job.options.dimension !== undefined) layer.dimension = job.options.dimension;
  const graph = Graph.open(config);
  try {
    await graph.verify();
    const result = await runTrainingJob({
      source: { kind: 'graph', graph, config },
      hyperparameters: [layer],
      modelsDir,
      warmStart: job.options.warmStart ?? false,
      onInfo: log,
      onEpoch: (epoch, loss) => {
        // A failed write fails the final one too, which then ends the process with the error.
        save({ ...job, progress: { ...job.progress, epoch, loss } }).catch((error: unknown) => log(`writing progress failed: ${String(error)}`));
      },
    });
    await save({
      ...job,
      status: 'succeeded',
      modelVersion: result.version,
      metrics: { valid: metricsOf(result.valid), test: metricsOf(result.test) },
      progress: { ...job.progress, epoch: result.epochs },
      finishedAt: Date.now(),
    });
    log(`saved model ${result.version}`);
  } catch (error) {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await save({ ...job, status: 'failed', error: error instanceof Error ? error.message : String(error), finishedAt: Date.now() });
    process.exitCode = 1;
  } finally {
    await graph.close();
  }
}

if (process.send) {
  process.once('message', (message: unknown) => {
    // After this turn: Node is still handling the message while its handler runs.
    setImmediate(() => process.disconnect());
    try {
      os.setPriority(TRAINING_NICENESS);
    } catch (error) {
      log(`could not lower the priority of the training process: ${(error as Error).message}`);
    }
    const start = trainingStartSchema.parse(message);
    train(start).then(
      () => process.exit(),
      (error: unknown) => {
        // The record could not be read or written: only the log and the exit code can say so.
        log(`training job ${start.jobId}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exit(1);
      },
    );
  });
}
