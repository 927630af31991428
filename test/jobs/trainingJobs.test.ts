import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { jobFile, jobLogFile, listJobs, pruneJobs, writeJob, type TrainingJob } from '../../src/jobs/trainingJobRecords.js';
import { TrainingConflictError, TrainingJobs } from '../../src/jobs/trainingJobs.js';
import { loadDemoShop } from '../api/harness.js';
import { freshGraph, tempDir } from '../helpers.js';

/** Training jobs in processes of their own, with their records on disk (the API's side is in test/api/admin.test.ts). */

let graph: Graph;
let config: Config;

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  await loadDemoShop(graph, config, { products: 60, users: 30, events: 1500, seed: 11 });
});

afterAll(async () => {
  await graph?.close();
});

/** A record as `start` writes it, for a process that is not a training process. */
const recordFor = (id: string, pid: number, status: TrainingJob['status'] = 'running', createdAt = 1_000): TrainingJob => ({
  id,
  status,
  options: {},
  requestedBy: 'test',
  createdAt,
  startedAt: createdAt,
  finishedAt: status === 'running' ? null : createdAt + 1,
  progress: { epoch: 3, totalEpochs: 10, loss: 0.5 },
  modelVersion: null,
  metrics: null,
  error: null,
  pid,
  host: os.hostname(),
  workers: 1,
});

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}

describe('TrainingJobs', () => {
  it('trains in another process, whose record says how it went; a second start anywhere is refused meanwhile', async () => {
    const modelsDir = tempDir('kgrec-jobs-');
    const jobs = new TrainingJobs({ config, modelsDir });
    const job = await jobs.start({ epochs: 2, dimension: 8, seed: 1 }, 'test');
    expect(job).toMatchObject({ status: 'queued', progress: { epoch: 0, totalEpochs: 2 }, host: os.hostname() });
    expect(job.pid).not.toBe(process.pid);
    // Another instance on the same folder (another API process, or this one restarted) sees it too.
    const other = new TrainingJobs({ config, modelsDir });
    await expect(other.start({ epochs: 1 }, 'test')).rejects.toBeInstanceOf(TrainingConflictError);
    expect((await other.active())?.id).toBe(job.id);

    const done = await other.waitFor(job.id);
    expect(done).toMatchObject({ status: 'succeeded', error: null, pid: job.pid, progress: { epoch: 2, totalEpochs: 2 } });
    expect(done.modelVersion).toMatch(/\S/);
    expect(done.metrics?.test?.count).toBeGreaterThan(0);
    expect(existsSync(`${modelsDir}/${done.modelVersion}/manifest.json`)).toBe(true);
    expect(readFileSync(jobLogFile(modelsDir, job.id), 'utf8')).toContain('training TransE on');
    expect(await jobs.active()).toBeNull();
  });

  it('records a failure inside the training process with its own error, not as an interruption', async () => {
    const modelsDir = tempDir('kgrec-jobs-');
    // Nothing listens on port 1: the training process cannot reach Neo4j.
    const jobs = new TrainingJobs({ config: { ...config, neo4jUri: 'bolt://127.0.0.1:1' }, modelsDir });
    const job = await jobs.start({ epochs: 1 }, 'test');
    const done = await jobs.waitFor(job.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/^cannot reach Neo4j/);
    expect(readFileSync(jobLogFile(modelsDir, job.id), 'utf8')).toContain('cannot reach Neo4j');
  });

  it('records a training process stopped by a signal as interrupted', async () => {
    const modelsDir = tempDir('kgrec-jobs-');
    const jobs = new TrainingJobs({ config, modelsDir });
    const job = await jobs.start({ epochs: 100_000, dimension: 8 }, 'test');
    const deadline = Date.now() + 60_000;
    let current = job;
    while (!(current.status === 'running' && current.progress.epoch >= 1) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = (await jobs.get(job.id)) as TrainingJob;
    }
    expect(current.status).toBe('running');
    process.kill(job.pid, 'SIGTERM');
    const done = await jobs.waitFor(job.id);
    expect(done).toMatchObject({ status: 'failed', error: 'interrupted: the training process received SIGTERM' });
    expect(done.progress.epoch).toBeGreaterThanOrEqual(1);
  });

  it('marks a record whose process is gone, or whose pid now belongs to another process, as interrupted', async () => {
    const modelsDir = tempDir('kgrec-jobs-');
    const gone = recordFor('train-aaaa-000001', await deadPid());
    // This test's own process is alive, but its command line does not name the job: a reused pid.
    const reused = recordFor('train-aaaa-000002', process.pid);
    const finished = recordFor('train-aaaa-000003', await deadPid(), 'succeeded');
    for (const record of [gone, reused, finished]) await writeJob(modelsDir, record);
    const jobs = new TrainingJobs({ config, modelsDir });
    expect(await jobs.active()).toBeNull();
    const byId = new Map((await jobs.list()).map((job) => [job.id, job]));
    expect(byId.get(gone.id)).toMatchObject({ status: 'failed', progress: gone.progress });
    expect(byId.get(gone.id)?.error).toBe(`interrupted: the training process (pid ${gone.pid}) is gone before the job finished`);
    expect(byId.get(reused.id)?.status).toBe('failed');
    expect(byId.get(finished.id)).toEqual(finished);
    // Written back: the next reader finds it settled.
    expect(JSON.parse(readFileSync(jobFile(modelsDir, gone.id), 'utf8'))).toMatchObject({ status: 'failed' });
  });

  it('names the file and field of a record that does not parse, and ignores ids that are not job ids', async () => {
    const modelsDir = tempDir('kgrec-jobs-');
    const jobs = new TrainingJobs({ config, modelsDir });
    expect(await jobs.get('../../etc/passwd')).toBeNull();
    expect(await jobs.get('train-zzzz-000009')).toBeNull();
    const record = recordFor('train-aaaa-00000a', 1, 'succeeded');
    await writeJob(modelsDir, record);
    const file = jobFile(modelsDir, record.id);
    writeFileSync(file, JSON.stringify({ ...record, progress: { epoch: -1, totalEpochs: 1, loss: null } }));
    await expect(jobs.get(record.id)).rejects.toThrow(`${file}: progress.epoch:`);
  });

  it('keeps the newest records, removing older finished ones with their logs', async () => {
    const modelsDir = tempDir('kgrec-jobs-');
    const records = Array.from({ length: 5 }, (_, i) => recordFor(`train-aaaa-00001${i}`, 1, 'succeeded', 1_000 + i));
    for (const record of records) {
      await writeJob(modelsDir, record);
      writeFileSync(jobLogFile(modelsDir, record.id), 'log\n');
    }
    await pruneJobs(modelsDir, 3);
    expect((await listJobs(modelsDir)).map((job) => job.id)).toEqual(records.slice(2).reverse().map((job) => job.id));
    expect(existsSync(jobLogFile(modelsDir, records[0]!.id))).toBe(false);
    expect(existsSync(jobLogFile(modelsDir, records[4]!.id))).toBe(true);
  });
});
