import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { activateModel, activeVersion, readManifest } from '../../src/kge/modelStore.js';
import { ringTriplesDir, saveFixtureModel, tempDir } from '../helpers.js';

/** `kgrec train --triples` (a benchmark) never becomes, nor replaces, the shop's active model. */

const tsxLoader = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

function kgrec(env: NodeJS.ProcessEnv, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), ...args], {
    encoding: 'utf8',
    cwd: tempDir('kgrec-cli-'),
    env: { ...process.env, ...env, NODE_OPTIONS: '' },
    timeout: 120_000,
  });
  const lines = result.stdout.trim().split('\n');
  return { code: result.status, stderr: result.stderr, last: lines[lines.length - 1] ?? '' };
}

const TRAIN = ['train', '--dimension', '4', '--epochs', '2', '--workers', '1', '--eval-every', '0', '--engine', 'cpu', '--json'];

describe('kgrec train --triples', () => {
  it('saves the model as a benchmark model and leaves the active shop model as it was, even in the shop models folder', async () => {
    const modelsDir = tempDir('kgrec-models-');
    const shop = await saveFixtureModel(modelsDir);
    await activateModel(modelsDir, shop);

    const run = kgrec({}, ...TRAIN, '--triples', ringTriplesDir(), '--models-dir', modelsDir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.last) as { version: string; activated: boolean; modelsDir: string };
    expect(result).toMatchObject({ activated: false, modelsDir });
    expect((await readManifest(modelsDir, result.version)).trainedOn).toBe('benchmark');
    expect(await activeVersion(modelsDir)).toBe(shop);
  });

  it('keeps benchmark models apart from the shop models by default', async () => {
    const home = tempDir('kgrec-home-');
    const run = kgrec({ KGREC_HOME: home }, ...TRAIN, '--triples', ringTriplesDir());
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.last) as { version: string; activated: boolean; modelsDir: string };
    expect(result).toMatchObject({ activated: false, modelsDir: path.join(home, 'benchmark-models') });
    expect(existsSync(path.join(home, 'benchmark-models', result.version))).toBe(true);
    expect(existsSync(path.join(home, 'models', result.version))).toBe(false);
    expect(await activeVersion(path.join(home, 'models'))).toBeNull();
    expect(await activeVersion(path.join(home, 'benchmark-models'))).toBeNull();
  });
});
