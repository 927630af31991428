import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import { tempDir } from '../helpers.js';
import { kgatFixtureDir } from '../eval/kgatFixture.js';

// tsx's loader, found from here: the CLI runs in a temporary folder, where `--import tsx` would not resolve.
const tsxLoader = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

describe('kgrec eval --kgat --json', () => {
  it('prints every model’s recall@20 and ndcg@20 and the baselines’ search on its last line', () => {
    const out = tempDir('kgrec-eval-out-');
    const run = spawnSync(
      process.execPath,
      ['--import', tsxLoader, path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), 'eval', '--kgat', kgatFixtureDir(), '--epochs', '3', '--bpr-epochs', '5', '--out', out, '--json'],
      { encoding: 'utf8', cwd: tempDir('kgrec-cli-'), env: { ...process.env, NODE_OPTIONS: '' }, timeout: 240_000 },
    );
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!) as {
      dataset: string;
      k: number;
      results: Record<string, Record<string, number>>;
      tuning: { metric: string; models: Record<string, { searchSpace: Record<string, unknown[]>; chosen: Record<string, unknown> }>; notSearched: Record<string, string> };
    };
    expect(Object.keys(result).slice(0, 3)).toEqual(['dataset', 'k', 'results']);
    expect(result.dataset).toMatch(/^kgrec-kgat-eval-/);
    expect(result.k).toBe(20);
    for (const model of ['popularity', 'itemknn', 'bpr', 'p3alpha', 'rp3beta', 'ease', 'transe', 'fused']) {
      expect(result.results[model], model).toBeDefined();
      for (const metric of ['recall@20', 'ndcg@20']) {
        const value = result.results[model]![metric]!;
        expect(value >= 0 && value <= 1, `${model} ${metric} ${value}`).toBe(true);
      }
    }
    // The tuned neighbourhood models learn the clusters that popularity cannot see.
    expect(result.results.rp3beta!['recall@20']!).toBeGreaterThan(result.results.popularity!['recall@20']!);
    for (const model of ['itemknn', 'p3alpha', 'rp3beta', 'ease']) {
      expect(Object.keys(result.tuning.models[model]!.searchSpace).length).toBeGreaterThan(0);
      expect(Object.keys(result.tuning.models[model]!.chosen).length).toBeGreaterThan(0);
    }
    expect(result.tuning.notSearched.bpr).toMatch(/DEFAULT_BPR/);
    const markdown = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('## Baseline hyperparameters');
    expect(markdown).toMatch(/\| rp3beta \| alpha \{0\.25, 0\.5, 0\.75, 1\}/);
    expect(existsSync(path.join(out, 'report.json'))).toBe(true);
  });
});
