import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultReportFile } from '../../src/cli/reports.js';
import { activateModel } from '../../src/kge/modelStore.js';
import { ringTriplesDir, saveFixtureModel, tempDir, writeFixture } from '../helpers.js';
import { runCli } from './runCli.js';

/** The test run's environment without any home or models folder of its own. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.KGREC_HOME;
  delete env.KGREC_MODELS_DIR;
  delete env.KGREC_NEO4J_HOME;
  delete env.KGREC_CONFIG;
  return env;
}

/** Saves and activates a small model of the shop (two products) in `modelsDir`; returns its version. */
async function activeShopModel(modelsDir: string): Promise<string> {
  const version = await saveFixtureModel(modelsDir);
  await activateModel(modelsDir, version);
  return version;
}

/** A tiny KGAT-format data set: 12 users, 20 items, five training items and one test item each. */
function tinyKgatDir(): string {
  const dir = tempDir('kgrec-home-kgat-');
  const items = (user: number) => Array.from({ length: 6 }, (_, k) => (user * 3 + k) % 20);
  writeFixture(dir, 'train.txt', Array.from({ length: 12 }, (_, user) => [user, ...items(user).slice(0, 5)].join(' ')));
  writeFixture(dir, 'test.txt', Array.from({ length: 12 }, (_, user) => `${user} ${items(user)[5]}`));
  return dir;
}

const TINY_TRAINING = ['--epochs', '2', '--dimension', '8', '--eval-every', '0', '--workers', '1', '--json'];

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))) : [];

describe('KGREC_HOME and KGREC_MODELS_DIR on the command line', () => {
  it('models list and eval --save-weights use KGREC_MODELS_DIR; benchmark training and evaluations go under KGREC_HOME', async () => {
    const cwd = tempDir('kgrec-home-cwd-');
    const home = path.join(tempDir('kgrec-home-'), 'state');
    const models = path.join(tempDir('kgrec-home-models-'), 'models');
    const env = { ...baseEnv(), KGREC_HOME: home, KGREC_MODELS_DIR: models };
    const version = await activeShopModel(models);

    const list = runCli(['models', 'list', '--json'], { cwd, env });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.last)).toEqual([expect.objectContaining({ version, active: true })]);

    const kgat = tinyKgatDir();
    const evaluation = runCli(['eval', '--kgat', kgat, '--epochs', '2', '--dimension', '8', '--bpr-epochs', '2', '--k', '5', '--save-weights', '--json'], { cwd, env });
    expect(evaluation.code, evaluation.stderr).toBe(0);
    const reportDir = path.join(home, 'eval', path.basename(kgat));
    expect(JSON.parse(evaluation.last)).toMatchObject({ files: { json: path.join(reportDir, 'report.json') } });
    expect(existsSync(path.join(reportDir, 'report.md'))).toBe(true);
    expect(existsSync(path.join(models, version, 'fusion.json'))).toBe(true);

    // A benchmark run goes to the home's benchmark folder, never into the shop's models.
    const train = runCli(['train', '--triples', ringTriplesDir(), ...TINY_TRAINING], { cwd, env });
    expect(train.code, train.stderr).toBe(0);
    const trained = JSON.parse(train.last) as { version: string; activated: boolean };
    expect(trained.activated).toBe(false);
    expect(existsSync(path.join(home, 'benchmark-models', trained.version, 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(models, trained.version))).toBe(false);
    expect(readFileSync(path.join(models, 'active'), 'utf8').trim()).toBe(version);

    // The models went only where KGREC_MODELS_DIR said; nothing landed in the working directory.
    expect(existsSync(path.join(home, 'models'))).toBe(false);
    expect(readdirSync(cwd)).toEqual([]);
  }, 240_000);

  it('keeps models in KGREC_HOME/models, and in ./.kgrec when neither variable is set', async () => {
    const home = tempDir('kgrec-home-');
    const version = await activeShopModel(path.join(home, 'models'));
    const listed = runCli(['models', 'list', '--json'], { cwd: tempDir('kgrec-home-cwd-'), env: { ...baseEnv(), KGREC_HOME: home } });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.last)).toEqual([expect.objectContaining({ version, active: true })]);

    const cwd = tempDir('kgrec-home-cwd-');
    const plain = runCli(['train', '--triples', ringTriplesDir(), ...TINY_TRAINING], { cwd, env: baseEnv() });
    expect(plain.code, plain.stderr).toBe(0);
    const { version: second } = JSON.parse(plain.last) as { version: string };
    expect(filesUnder(path.join(cwd, '.kgrec'))).toContain(path.join('benchmark-models', second, 'manifest.json'));
    expect(readdirSync(cwd)).toEqual(['.kgrec']);
  }, 240_000);

  it('writes ingestion reports under KGREC_HOME/reports', () => {
    const cwd = tempDir('kgrec-home-cwd-');
    const home = tempDir('kgrec-home-');
    const products = writeFixture(tempDir('kgrec-home-data-'), 'products.csv', ['id,title,price', 'p1,Camera,300', 'p2,Card,-1']);
    const run = runCli(['ingest', '--kind', 'products', products, '--dry-run', '--json'], { cwd, env: { ...baseEnv(), KGREC_HOME: home } });
    expect(run.code).toBe(1);
    const { reportFile } = JSON.parse(run.last) as { reportFile: string };
    expect(path.dirname(reportFile)).toBe(path.join(home, 'reports'));
    expect(path.basename(reportFile)).toMatch(/^ingest-products-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.txt$/);
    expect(readFileSync(reportFile, 'utf8')).toBe(`${products}:3: price: expected a number from 0 to 1,000,000,000,000, got "-1"\n`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('keeps the local Neo4j in KGREC_HOME/neo4j unless KGREC_NEO4J_HOME says otherwise', () => {
    const home = tempDir('kgrec-home-');
    const env: NodeJS.ProcessEnv = { ...baseEnv(), KGREC_HOME: home, KGREC_NEO4J_PORT: '7998' };
    delete env.NEO4J_URI; // the local server's status, not the test run's Neo4j
    const status = runCli(['neo4j', 'status', '--json'], { cwd: tempDir('kgrec-home-cwd-'), env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.last)).toMatchObject({ local: true, running: false, port: 7998, home: path.join(home, 'neo4j') });

    const server = path.join(tempDir('kgrec-home-server-'), 'server');
    const overridden = runCli(['neo4j', 'status', '--json'], { cwd: tempDir('kgrec-home-cwd-'), env: { ...env, KGREC_NEO4J_HOME: server } });
    expect(JSON.parse(overridden.last)).toMatchObject({ home: server });
  });
});

describe('defaultReportFile', () => {
  it('names a timestamped file in the home\'s reports folder', () => {
    const date = new Date(Date.UTC(2025, 0, 31, 12, 5, 9, 42));
    expect(defaultReportFile({ home: '/srv/kgrec' }, 'bulk-load', date)).toBe(path.join('/srv/kgrec', 'reports', 'bulk-load-2025-01-31T12-05-09-042Z.txt'));
    expect(defaultReportFile({ home: '/srv/kgrec' }, 'ingest-events', date)).toBe(path.join('/srv/kgrec', 'reports', 'ingest-events-2025-01-31T12-05-09-042Z.txt'));
  });
});
