import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../src/api/server.js';
import { Graph } from '../../src/graph/graph.js';
import { activeVersion } from '../../src/kge/modelStore.js';
import { saveFixtureModel } from '../helpers.js';
import { codeOf, startHarness, TOKENS, type GqlResponse, type Harness } from './harness.js';

/** Admin operations: deleting a user's data, retraining in the background, activating a model. */

let h: Harness;

const admin = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => h.gql<T>(query, variables, TOKENS.admin);

function expectBadInput(response: GqlResponse<unknown>, field: string): void {
  expect(codeOf(response), JSON.stringify(response.errors)).toBe('BAD_USER_INPUT');
  expect(response.errors?.[0]?.extensions?.field).toBe(field);
}

beforeAll(async () => {
  // No model: these tests train and activate their own.
  h = await startHarness({ model: false });
});

afterAll(async () => {
  // A job left running by a failed test would train on, detached, after the run.
  const running = await h?.server.jobs.active();
  if (running) process.kill(running.pid, 'SIGKILL');
  await h?.server.jobs.idle();
  await h?.stop();
});

describe('deleteUserData', () => {
  const DELETE = 'mutation ($u: ID!) { deleteUserData(userId: $u) { userId events behaviours userDeleted } }';

  interface UserCounts {
    events: number;
    behaviours: number;
    users: number;
  }

  const countsOf = async (userId: string): Promise<UserCounts> => {
    const [row] = await h.graph.read<UserCounts & Record<string, unknown>>(
      `RETURN COUNT { (e:Event {userId: $u}) } AS events,
              COUNT { (:User {id: $u})-[:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->() } AS behaviours,
              COUNT { (:User {id: $u}) } AS users`,
      { u: userId },
    );
    return row as UserCounts;
  };
  const totals = async () =>
    (await h.graph.read('RETURN COUNT { (:Event) } AS events, COUNT { ()-[:VIEWED|CLICKED|ADDED_TO_CART|PURCHASED]->() } AS behaviours, COUNT { (:User) } AS users'))[0];

  it("removes exactly that user's events, behaviour and node, in one go, and records it", async () => {
    const users = await h.graph.read<{ id: string }>('MATCH (u:User) RETURN u.id AS id ORDER BY COUNT { (u)-->() } DESC, id LIMIT 2');
    const target = users[0]?.id as string;
    const other = users[1]?.id as string;
    const before = await countsOf(target);
    const otherBefore = await countsOf(other);
    const totalsBefore = (await totals()) as Record<string, number>;
    expect(before.events).toBeGreaterThan(0);

    const response = await admin<{ deleteUserData: Record<string, unknown> }>(DELETE, { u: target });
    expect(response.errors).toBeUndefined();
    expect(response.data?.deleteUserData).toEqual({ userId: target, events: before.events, behaviours: before.behaviours, userDeleted: true });
    expect(await countsOf(target)).toEqual({ events: 0, behaviours: 0, users: 0 });
    expect(await countsOf(other)).toEqual(otherBefore);
    expect(await totals()).toEqual({
      events: (totalsBefore.events ?? 0) - before.events,
      behaviours: (totalsBefore.behaviours ?? 0) - before.behaviours,
      users: (totalsBefore.users ?? 0) - 1,
    });
    expect((await h.gql<{ user: null }>('query ($u: ID!) { user(id: $u) { id } }', { u: target })).data?.user).toBeNull();

    const log = await admin<{ auditLog: { nodes: Array<{ entityType: string; action: string; summary: string }> } }>(
      'query ($u: ID) { auditLog(entityId: $u) { nodes { entityType action summary } } }',
      { u: target },
    );
    expect(log.data?.auditLog.nodes).toHaveLength(1);
    expect(log.data?.auditLog.nodes[0]).toMatchObject({ entityType: 'user', action: 'deleteUserData' });
    expect(JSON.parse(log.data?.auditLog.nodes[0]?.summary ?? '{}')).toMatchObject({ events: before.events, behaviours: before.behaviours, user: true, modelVersions: 0 });

    // Again: nothing left, nothing recorded.
    const again = await admin<{ deleteUserData: Record<string, unknown> }>(DELETE, { u: target });
    expect(again.data?.deleteUserData).toEqual({ userId: target, events: 0, behaviours: 0, userDeleted: false });
  });

  it('needs the admin role and a user id', async () => {
    expect(codeOf(await h.gql(DELETE, { u: 'u-0003' }, TOKENS.merchandiser))).toBe('FORBIDDEN');
    expectBadInput(await admin(DELETE, { u: '   ' }), 'userId');
  });
});

describe('retraining and activation', () => {
  const JOB_FIELDS = `id status requestedBy createdAt startedAt finishedAt modelVersion error pid
    options { epochs dimension seed warmStart } progress { epoch totalEpochs loss }
    metrics { test { mrr hitsAt10 count } }`;
  const START = `mutation ($options: RetrainingOptions) { startRetraining(options: $options) { ${JOB_FIELDS} } }`;
  const JOB = `query ($id: ID!) { trainingJob(id: $id) { ${JOB_FIELDS} } }`;
  const ACTIVATE = 'mutation ($v: String!) { activateModel(version: $v) { version previousVersion vectorsWritten seconds } }';

  interface Job {
    id: string;
    status: string;
    requestedBy: string;
    startedAt: string | null;
    finishedAt: string | null;
    modelVersion: string | null;
    error: string | null;
    pid: number;
    options: Record<string, unknown>;
    progress: { epoch: number; totalEpochs: number; loss: number | null };
    metrics: { test: { mrr: number; hitsAt10: number; count: number } | null } | null;
  }

  async function finished(id: string): Promise<Job> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const response = await admin<{ trainingJob: Job }>(JOB, { id });
      expect(response.errors).toBeUndefined();
      const job = response.data?.trainingJob as Job;
      if (job.status === 'SUCCEEDED' || job.status === 'FAILED' || Date.now() > deadline) return job;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  it('refuses options out of range naming the field, and a warm start without an active model', async () => {
    expectBadInput(await admin(START, { options: { epochs: 0 } }), 'options.epochs');
    expectBadInput(await admin(START, { options: { dimension: 1 } }), 'options.dimension');
    expectBadInput(await admin(START, { options: { seed: -1 } }), 'options.seed');
    expectBadInput(await admin(START, { options: { warmStart: true } }), 'options.warmStart');
    expect((await admin<{ trainingJobs: unknown[] }>('{ trainingJobs { id } }')).data?.trainingJobs).toEqual([]);
  });

  let version: string;

  it('runs a tiny model to success in the background, refusing a second start meanwhile', async () => {
    const started = await admin<{ startRetraining: Job }>(START, { options: { epochs: 2, dimension: 8, seed: 3 } });
    expect(started.errors).toBeUndefined();
    const job = started.data?.startRetraining as Job;
    expect(['QUEUED', 'RUNNING']).toContain(job.status);
    expect(job).toMatchObject({ options: { epochs: 2, dimension: 8, seed: 3, warmStart: null }, progress: { epoch: 0, totalEpochs: 2 } });
    expect(job.requestedBy).toMatch(/^api:admin:/);
    // It trains in a process of its own, whose record and log are in the models folder.
    expect(job.pid).toEqual(expect.any(Number));
    expect(job.pid).not.toBe(process.pid);
    const record = path.join(h.api.modelsDir, '.jobs', `${job.id}.json`);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toMatchObject({ id: job.id, pid: job.pid });

    const second = await admin(START, { options: { epochs: 1 } });
    expect(codeOf(second)).toBe('CONFLICT');
    expect(second.errors?.[0]?.extensions?.jobId).toBe(job.id);

    const done = await finished(job.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.progress).toMatchObject({ epoch: 2, totalEpochs: 2 });
    expect(done.progress.loss).toEqual(expect.any(Number));
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(done.modelVersion).toMatch(/\S/);
    expect(done.metrics?.test?.count).toBeGreaterThan(0);
    expect(done.pid).toBe(job.pid);
    expect(readFileSync(path.join(h.api.modelsDir, '.jobs', `${job.id}.log`), 'utf8')).toContain(`saved model ${done.modelVersion}`);
    expect(existsSync(path.join(h.api.modelsDir, done.modelVersion as string, 'manifest.json'))).toBe(true);
    version = done.modelVersion as string;

    const jobs = await admin<{ trainingJobs: Array<{ id: string; status: string }> }>('{ trainingJobs { id status } }');
    expect(jobs.data?.trainingJobs).toEqual([{ id: job.id, status: 'SUCCEEDED' }]);
    // A job saves a version; it does not activate it.
    const health = (await (await fetch(new URL('/health', h.server.url))).json()) as { model: { active: string | null } };
    expect(health.model.active).toBeNull();
  });

  it('activates the trained model: vectors on the graph, the ranker uses them, recorded in the audit trail', async () => {
    expect(codeOf(await admin(ACTIVATE, { v: 'no-such-version' }))).toBe('NOT_FOUND');
    expect(codeOf(await admin(ACTIVATE, { v: '../../etc' }))).toBe('NOT_FOUND');
    const response = await admin<{ activateModel: { version: string; previousVersion: string | null; vectorsWritten: number } }>(ACTIVATE, { v: version });
    expect(response.errors).toBeUndefined();
    expect(response.data?.activateModel).toMatchObject({ version, previousVersion: null });
    expect(response.data?.activateModel.vectorsWritten).toBeGreaterThan(200);
    const health = (await (await fetch(new URL('/health', h.server.url))).json()) as { model: { active: string | null } };
    expect(health.model.active).toBe(version);
    const similar = await h.gql<{ similarProducts: { strategy: string; modelVersion: string } }>('{ similarProducts(productId: "p-00001", first: 5) { strategy modelVersion } }');
    expect(similar.data?.similarProducts).toEqual({ strategy: 'embedding', modelVersion: version });

    const log = await admin<{ auditLog: { nodes: Array<{ entityType: string; entityId: string; action: string }> } }>('{ auditLog(first: 10) { nodes { entityType entityId action } } }');
    expect(log.data?.auditLog.nodes.slice(0, 1)).toEqual([{ entityType: 'model', entityId: version, action: 'activate' }]);
    expect(log.data?.auditLog.nodes.map((entry) => entry.entityType)).toContain('trainingJob');
  });

  it('refuses to activate a model of another graph, keeping the active one', async () => {
    const foreign = await saveFixtureModel(h.api.modelsDir, { trainedOn: 'benchmark', dataFingerprint: 'wordnet', entities: ['00001740', '00001930'], relations: ['_hypernym'] });
    const refused = await admin(ACTIVATE, { v: foreign });
    expectBadInput(refused, 'version');
    expect(refused.errors?.[0]?.message).toContain('trained on benchmark triples');
    expect(await activeVersion(h.api.modelsDir)).toBe(version);
  });

  it('warm-starts from the active model, keeping its dimension', async () => {
    expectBadInput(await admin(START, { options: { warmStart: true, dimension: 16 } }), 'options.dimension');
    const started = await admin<{ startRetraining: Job }>(START, { options: { warmStart: true, epochs: 1 } });
    expect(started.errors).toBeUndefined();
    const done = await finished(started.data?.startRetraining.id as string);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.modelVersion).not.toBe(version);
  });

  it('needs the admin role', async () => {
    expect(codeOf(await h.gql(START, { options: { epochs: 1 } }, TOKENS.merchandiser))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(ACTIVATE, { v: version }, TOKENS.merchandiser))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql('{ trainingJobs { id } }', {}, TOKENS.merchandiser))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql('{ trainingJobs { id } }'))).toBe('UNAUTHENTICATED');
  });

  it('shows a running job\'s progress, keeps it across an API restart, and reports its process\'s death as interrupted', async () => {
    // Enough epochs that the job is still running while the API restarts; its process is killed at the end.
    const started = await admin<{ startRetraining: Job }>(START, { options: { epochs: 100_000, dimension: 64, seed: 5 } });
    expect(started.errors).toBeUndefined();
    const { id, pid } = started.data?.startRetraining as Job;
    const jobOn = async (server: ApiServer): Promise<Job> => (await adminOn<{ trainingJob: Job }>(server, JOB, { id })).data?.trainingJob as Job;
    const until = async (server: ApiServer, done: (job: Job) => boolean): Promise<Job> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const job = await jobOn(server);
        if (done(job) || Date.now() > deadline) return job;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    const running = await until(h.server, (job) => job.progress.epoch >= 1);
    expect(running).toMatchObject({ status: 'RUNNING', pid, progress: { totalEpochs: 100_000 } });
    expect(running.progress.loss).toEqual(expect.any(Number));
    // Early stopping may end a small job within a second: the process is paused so that it is certainly
    // alive, and still running, while the API restarts.
    process.kill(pid, 'SIGSTOP');

    // The API stops (a deployment) and another starts on the same models folder: the job is still there, still running.
    await h.server.stop();
    const graph = Graph.open(h.config);
    const restarted = await createApiServer({ graph, config: h.config, api: h.api, logger: pino({ level: 'silent' }) });
    try {
      const reattached = await jobOn(restarted);
      expect(reattached).toMatchObject({ id, status: 'RUNNING', pid });
      expect(reattached.progress.epoch).toBeGreaterThanOrEqual(running.progress.epoch);
      expect(codeOf(await adminOn(restarted, START, { options: { epochs: 1 } }))).toBe('CONFLICT');

      process.kill(pid, 'SIGKILL');
      const interrupted = await until(restarted, (job) => job.status !== 'RUNNING');
      expect(interrupted.status).toBe('FAILED');
      expect(interrupted.error).toMatch(/^interrupted: the training process \(pid \d+\)/);
      expect(interrupted.finishedAt).not.toBeNull();
    } finally {
      await restarted.stop();
    }
  });
});

/** An admin's request to a server other than the harness's own. */
async function adminOn<T>(server: ApiServer, query: string, variables: Record<string, unknown>): Promise<GqlResponse<T>> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.admin}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<GqlResponse<T>, 'status'>) };
}
