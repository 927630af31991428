import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/api/auth.js';
import { homePath } from '../../src/config.js';
import { MAX_REPORT_CHART_BYTES } from '../../src/jobs/evaluationReports.js';
import { resolveHyperparameters } from '../../src/kge/hyperparameters.js';
import { activateModel, saveModel, type ModelManifest } from '../../src/kge/modelStore.js';
import { tempDir } from '../helpers.js';
import { codeOf, startHarness, TOKENS, type GqlResponse, type Harness } from './harness.js';

/**
 * The reads an admin tool needs besides jobs: who the caller is (viewer), the saved model versions with
 * their metrics (modelVersions) and the newest `kgrec eval` report (latestEvaluation).
 */

let h: Harness;

const SHOPPER_SECRET = 'a-shopper-token-secret-of-32-chars-or-more';

function expectBadInput(response: GqlResponse<unknown>, field: string): void {
  expect(codeOf(response), JSON.stringify(response.errors)).toBe('BAD_USER_INPUT');
  expect(response.errors?.[0]?.extensions?.field).toBe(field);
}

beforeAll(async () => {
  // Public reads off: viewer must still answer anonymous callers.
  h = await startHarness({ shop: false, model: false, config: { home: tempDir('kgrec-api-home-') }, api: { publicReads: false, shopperTokenKey: SHOPPER_SECRET } });
});

afterAll(async () => {
  await h?.stop();
});

describe('viewer', () => {
  const VIEWER = '{ viewer { role editor userId } }';

  it('names the role and editor of each role token', async () => {
    for (const role of ['frontend', 'merchandiser', 'admin'] as const) {
      const response = await h.gql<{ viewer: unknown }>(VIEWER, {}, TOKENS[role]);
      expect(response.errors).toBeUndefined();
      expect(response.data?.viewer).toEqual({ role: role.toUpperCase(), editor: `api:${role}:${hashToken(TOKENS[role]).slice(0, 12)}`, userId: null });
    }
  });

  it('answers an anonymous caller with a null role, even with public reads off', async () => {
    const response = await h.gql<{ viewer: unknown }>(VIEWER);
    expect(response.errors).toBeUndefined();
    expect(response.data?.viewer).toEqual({ role: null, editor: null, userId: null });
  });

  it("names a shopper token's user, without a role", async () => {
    const token = await new SignJWT({ sub: 'u-viewer' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(SHOPPER_SECRET));
    const response = await h.gql<{ viewer: unknown }>(VIEWER, {}, token);
    expect(response.errors).toBeUndefined();
    expect(response.data?.viewer).toEqual({ role: null, editor: null, userId: 'u-viewer' });
  });

  it('refuses an unknown token rather than calling it anonymous', async () => {
    const response = await h.gql(VIEWER, {}, 'not-a-token');
    expect(codeOf(response)).toBe('UNAUTHENTICATED');
  });
});

describe('modelVersions', () => {
  const VERSIONS = `query ($first: Int) { modelVersions(first: $first) { version createdAt active benchmark trainedOn entityCount backend error
    hyperparameters { dimension distance loss margin negatives optimizer learningRate batchSize epochs seed }
    metrics { valid { mrr hitsAt10 count } test { mrr hitsAt1 hitsAt3 hitsAt10 count } } } }`;

  interface Version {
    version: string;
    createdAt: string | null;
    active: boolean;
    benchmark: boolean;
    trainedOn: string | null;
    entityCount: number | null;
    error: string | null;
    hyperparameters: { dimension: number; epochs: number; seed: number; loss: string } | null;
    metrics: { valid: unknown; test: { mrr: number; hitsAt1: number; hitsAt10: number; count: number } | null } | null;
  }

  const entities = ['Product:p-1', 'Product:p-2', 'User:u-1'];
  const save = (createdAt: string, trainedOn: 'shop' | 'benchmark', mrr: number) =>
    saveModel(h.api.modelsDir, {
      hyperparameters: resolveHyperparameters({ dimension: 4, epochs: 7, seed: 5, workers: 1 }),
      dataFingerprint: 'fixture',
      trainedOn,
      metrics: { test: { mrr, 'hits@1': mrr / 2, 'hits@3': mrr, 'hits@10': Math.min(1, mrr * 2), count: 40 } } satisfies ModelManifest['metrics'],
      backend: 'cpu',
      durationSeconds: 1.5,
      entities,
      relations: ['IN_CATEGORY'],
      createdAt: new Date(createdAt),
      embeddings: { dimension: 4, entity: new Float32Array(entities.length * 4).fill(0.1), relation: new Float32Array(4).fill(0.2) },
    });

  it('is empty without a saved version', async () => {
    const response = await h.gql<{ modelVersions: Version[] }>(VERSIONS, {}, TOKENS.admin);
    expect(response.errors).toBeUndefined();
    expect(response.data?.modelVersions).toEqual([]);
  });

  it('lists every version newest first, with metrics, hyperparameters, the active one and benchmark models', async () => {
    const older = await save('2026-01-01T10:00:00.000Z', 'shop', 0.2);
    const benchmark = await save('2026-01-02T10:00:00.000Z', 'benchmark', 0.4);
    const newer = await save('2026-01-03T10:00:00.000Z', 'shop', 0.3);
    await activateModel(h.api.modelsDir, older);
    // A folder without a readable manifest is listed with why, not hidden.
    mkdirSync(path.join(h.api.modelsDir, '20250101-000000-transe-d4'));

    const response = await h.gql<{ modelVersions: Version[] }>(VERSIONS, {}, TOKENS.admin);
    expect(response.errors).toBeUndefined();
    const versions = response.data?.modelVersions ?? [];
    expect(versions.map((v) => [v.version, v.active, v.benchmark, v.trainedOn])).toEqual([
      [newer, false, false, 'shop'],
      [benchmark, false, true, 'benchmark'],
      [older, true, false, 'shop'],
      ['20250101-000000-transe-d4', false, false, null],
    ]);
    const [first] = versions;
    expect(first?.createdAt).toBe('2026-01-03T10:00:00.000Z');
    expect(first?.entityCount).toBe(3);
    expect(first?.hyperparameters).toMatchObject({ dimension: 4, epochs: 7, seed: 5, loss: 'self-adversarial' });
    expect(first?.metrics).toEqual({ valid: null, test: { mrr: 0.3, hitsAt1: 0.15, hitsAt3: 0.3, hitsAt10: 0.6, count: 40 } });
    expect(first?.error).toBeNull();
    const broken = versions[3];
    expect(broken?.createdAt).toBeNull();
    expect(broken?.hyperparameters).toBeNull();
    expect(broken?.error).toMatch(/manifest\.json not found/);

    const page = await h.gql<{ modelVersions: Version[] }>(VERSIONS, { first: 2 }, TOKENS.admin);
    expect(page.data?.modelVersions.map((v) => v.version)).toEqual([newer, benchmark]);
  });

  it('is for admins only', async () => {
    expect(codeOf(await h.gql(VERSIONS, {}, TOKENS.merchandiser))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(VERSIONS))).toBe('UNAUTHENTICATED');
  });

  it('names first when it is out of bounds', async () => {
    expectBadInput(await h.gql(VERSIONS, { first: 0 }, TOKENS.admin), 'first');
    expectBadInput(await h.gql(VERSIONS, { first: h.api.maxFirst + 1 }, TOKENS.admin), 'first');
  });
});

describe('latestEvaluation', () => {
  const LATEST = '{ latestEvaluation { dataset note k evaluatedAt users modelVersion models { model metrics { name value } } chart } }';

  interface Evaluation {
    dataset: string;
    note: string | null;
    k: number;
    evaluatedAt: string;
    users: number | null;
    modelVersion: string | null;
    models: Array<{ model: string; metrics: Array<{ name: string; value: number }> }>;
    chart: string | null;
  }

  const evalDir = () => homePath(h.config.home, 'eval');
  const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

  function writeReport(folder: string, report: unknown, writtenAt: Date, chart?: Buffer): void {
    const dir = path.join(evalDir(), folder);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'report.json');
    writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
    utimesSync(file, writtenAt, writtenAt);
    if (chart) writeFileSync(path.join(dir, 'report.png'), chart);
  }

  const latest = async (token: string = TOKENS.merchandiser): Promise<Evaluation | null | undefined> => {
    const response = await h.gql<{ latestEvaluation: Evaluation | null }>(LATEST, {}, token);
    expect(response.errors).toBeUndefined();
    return response.data?.latestEvaluation;
  };

  it('is null before any evaluation', async () => {
    expect(await latest()).toBeNull();
  });

  it('returns the newest report with its metrics in order and its chart as a data URL', async () => {
    writeReport('graph', { dataset: 'graph', note: 'the shop, split by time', k: 20, users: 120, results: { popularity: { 'recall@20': 0.1 } } }, new Date('2026-02-01T00:00:00Z'), PNG);
    const results = { popularity: { 'recall@20': 0.05, 'ndcg@20': 0.02 }, fused: { 'recall@20': 0.2, 'ndcg@20': 0.11 } };
    writeReport('demo', { dataset: 'demo', note: 'generated demo shop', k: 10, users: 456, results, modelVersion: 'v-1', extra: { kept: 'out' } }, new Date('2026-03-01T00:00:00Z'), PNG);

    const report = await latest();
    expect(report).toEqual({
      dataset: 'demo',
      note: 'generated demo shop',
      k: 10,
      evaluatedAt: '2026-03-01T00:00:00.000Z',
      users: 456,
      modelVersion: 'v-1',
      models: [
        { model: 'popularity', metrics: [{ name: 'recall@20', value: 0.05 }, { name: 'ndcg@20', value: 0.02 }] },
        { model: 'fused', metrics: [{ name: 'recall@20', value: 0.2 }, { name: 'ndcg@20', value: 0.11 }] },
      ],
      chart: `data:image/png;base64,${PNG.toString('base64')}`,
    });
  });

  it('passes over a newer report that cannot be read, and leaves out a chart over the limit', async () => {
    writeReport('broken', '{"dataset": "broken", "k": "twenty"', new Date('2026-04-01T00:00:00Z'));
    writeReport('demo-search', { dataset: 'demo-search', k: 10, sessions: { validation: 5, test: 30 }, results: { bm25: { 'ndcg@10': 0.3 } } }, new Date('2026-03-15T00:00:00Z'), Buffer.alloc(MAX_REPORT_CHART_BYTES + 1));
    const report = await latest(TOKENS.admin);
    expect(report?.dataset).toBe('demo-search');
    expect(report?.users).toBe(30);
    expect(report?.note).toBeNull();
    expect(report?.chart).toBeNull();
  });

  it('is for merchandisers and admins', async () => {
    expect(codeOf(await h.gql(LATEST, {}, TOKENS.frontend))).toBe('FORBIDDEN');
    expect(codeOf(await h.gql(LATEST))).toBe('UNAUTHENTICATED');
  });
});
