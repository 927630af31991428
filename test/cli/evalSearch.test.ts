import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { freshGraph, tempDir } from '../helpers.js';

// tsx's loader, found from here: the CLI runs in a temporary folder, where `--import tsx` would not resolve.
const tsxLoader = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

let graph: Graph;

beforeAll(async () => {
  ({ graph } = await freshGraph());
});
afterAll(async () => {
  await graph.close();
});

/** The real command line against the test run's Neo4j (NEO4J_URI, set by the global setup). */
function evalSearch(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', tsxLoader, path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), 'eval', '--search', '--demo', ...args], {
    encoding: 'utf8',
    cwd: tempDir('kgrec-cli-'),
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 300_000,
  });
}

describe('kgrec eval --search --demo', () => {
  it('loads a small demo shop, ranks its sessions three ways through the served search and prints the JSON last', async () => {
    const out = tempDir('kgrec-eval-search-');
    const run = evalSearch(['--products', '300', '--users', '150', '--events', '12000', '--sessions', '120', '--epochs', '5', '--dimension', '16', '--seed', '3', '--out', out, '--json']);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as {
      dataset: string;
      k: number;
      results: Record<string, Record<string, number>>;
      sessions: { validation: number; test: number };
      files: { markdown: string; png: string; json: string };
    };
    expect(Object.keys(result).slice(0, 3)).toEqual(['dataset', 'k', 'results']);
    expect(result.dataset).toBe('demo-search');
    expect(result.k).toBe(10);
    expect(Object.keys(result.results)).toEqual(['bm25', 'fused', 'personalised']);
    for (const [model, metrics] of Object.entries(result.results)) {
      for (const metric of ['ndcg@10', 'mrr']) {
        const value = metrics[metric] as number;
        expect(value >= 0 && value <= 1, `${model} ${metric} ${value}`).toBe(true);
      }
    }
    // BM25 over the full-text index finds some of the bought products on its first page.
    expect(result.results.bm25?.['ndcg@10']).toBeGreaterThan(0);
    expect(result.sessions.test).toBeGreaterThan(20);
    expect(result.sessions.validation).toBeGreaterThan(5);
    for (const file of Object.values(result.files)) expect(existsSync(file), file).toBe(true);
    expect(readFileSync(result.files.markdown, 'utf8')).toMatch(/\| personalised \|/);
    // The shop the evaluation served from is the one in Neo4j: its products, and its full-text index.
    const [row] = await graph.read<{ n: number }>('MATCH (p:Product) RETURN count(p) AS n');
    expect(row?.n).toBe(300);
  }, 300_000);

  it('refuses a graph that already holds products, and says what it needs', () => {
    const run = evalSearch(['--products', '300', '--users', '150', '--events', '12000']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/already holds 300 products.*needs an empty database/);
  }, 120_000);

  it('asks for --demo', () => {
    const run = spawnSync(process.execPath, ['--import', tsxLoader, path.join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), 'eval', '--search'], { encoding: 'utf8', cwd: tempDir('kgrec-cli-'), env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--search: give --demo as well/);
  }, 60_000);
});
