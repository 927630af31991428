import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import type { Graph } from '../../src/graph/graph.js';
import { graphStats } from '../../src/graph/stats.js';
import { freshGraph, tempDir, writeFixture } from '../helpers.js';
import { runCli } from './runCli.js';

let graph: Graph;

/** Runs the real command line against the test run's Neo4j, in an empty temporary folder. */
const kgrec = (...args: string[]) => runCli(args, { cwd: tempDir('kgrec-cli-') });

/** Every command's path of names, subcommands included, as the program defines them. */
function allCommands(command: Command, above: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...above, sub.name()], ...allCommands(sub, [...above, sub.name()])]);
}

const commandAt = (program: Command, names: readonly string[]): Command =>
  names.reduce((command, name) => command.commands.find((sub) => sub.name() === name) as Command, program);

/** `kgrec <names> --help` run in-process by a fresh program, its output captured. */
async function helpOf(names: readonly string[]): Promise<{ output: string; code: string | undefined }> {
  const program = createProgram();
  let output = '';
  const capture = (command: Command): void => {
    command.configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text) });
    command.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync([...names, '--help'], { from: 'user' });
    return { output, code: undefined };
  } catch (error) {
    return { output, code: error instanceof CommanderError ? error.code : String(error) };
  }
}

beforeAll(async () => {
  ({ graph } = await freshGraph());
});
afterAll(async () => {
  await graph.close();
});

describe('the kgrec command line', () => {
  it('has help for every command and subcommand of the program', async () => {
    const commands = allCommands(createProgram());
    // Walked from the program itself, so a command added later is checked too; these must be among them.
    expect(commands).toEqual(expect.arrayContaining([['serve'], ['train'], ['eval'], ['models', 'activate'], ['neo4j', 'start']]));
    const help = kgrec('--help');
    expect(help.code).toBe(0);
    for (const command of createProgram().commands) expect(help.stdout).toMatch(new RegExp(`^  ${command.name()}\\b`, 'm'));
    for (const names of commands) {
      const { output, code } = await helpOf(names);
      expect(code, names.join(' ')).toBe('commander.helpDisplayed');
      expect(output, names.join(' ')).toContain(`Usage: kgrec ${names.join(' ')}`);
      expect(commandAt(createProgram(), names).description(), names.join(' ')).toMatch(/\S/);
    }
    const ingestHelp = kgrec('ingest', '--help');
    expect(ingestHelp.stdout).toContain('--max-rejects');
    expect(ingestHelp.stdout).toContain('--dry-run');
  });

  it('writes a deterministic demo shop', () => {
    const out = tempDir();
    const run = kgrec('demo-data', '--out', out, '--products', '60', '--users', '20', '--events', '800', '--seed', '7', '--json');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.last) as { counts: Record<string, number> };
    expect(result.counts).toMatchObject({ products: 60, users: 20, events: 800 });
    for (const name of ['categories.csv', 'brands.csv', 'products.jsonl', 'users.csv', 'events.csv', 'relations.csv']) {
      expect(existsSync(path.join(out, name))).toBe(true);
    }
    const again = tempDir();
    kgrec('demo-data', '--out', again, '--products', '60', '--users', '20', '--events', '800', '--seed', '7');
    expect(readFileSync(path.join(again, 'events.csv'), 'utf8')).toBe(readFileSync(path.join(out, 'events.csv'), 'utf8'));
  });

  it('ingests, fails on rejected records unless --max-rejects allows them, and reports stats as JSON', async () => {
    const dir = tempDir();
    const products = writeFixture(dir, 'products.csv', ['id,title,price', 'c1,Camera,300', 'c2,Card,-1', 'c3,Strap,12']);
    const report = path.join(dir, 'rejects.txt');
    const failing = kgrec('ingest', '--kind', 'products', products, '--report', report, '--json');
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain(`${products}:3: price: expected a number from 0 to 1,000,000,000,000, got "-1"`);
    expect(failing.stderr).toContain('1 record(s) rejected (allowed: 0)');
    expect(JSON.parse(failing.last)).toMatchObject({ kind: 'products', records: 3, written: 2, rejected: 1, reportFile: report });
    expect(readFileSync(report, 'utf8')).toBe(`${products}:3: price: expected a number from 0 to 1,000,000,000,000, got "-1"\n`);

    const allowed = kgrec('ingest', '--kind', 'products', products, '--max-rejects', '1', '--json');
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.last)).toMatchObject({ written: 0, unchanged: 2, rejected: 1 });

    const stats = kgrec('stats', '--json');
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.last)).toEqual(await graphStats(graph));
    expect(JSON.parse(stats.last)).toMatchObject({ nodes: { Product: 2 }, events: 0 });
  });

  it('fails on events that reuse a stored id with other values, naming each line, unless --skip-conflicts', async () => {
    const dir = tempDir();
    const products = writeFixture(dir, 'products.csv', ['id,title', 'k1,Kettle', 'k2,Kettle descaler']);
    const events = writeFixture(dir, 'events.jsonl', [
      JSON.stringify({ id: 'e-16', userId: 'cli-u1', productId: 'k1', type: 'purchase', timestamp: '2026-03-01T09:00:00Z', quantity: 1 }),
      JSON.stringify({ id: 'e-17', userId: 'cli-u1', productId: 'k2', type: 'purchase', timestamp: '2026-03-01T09:05:00Z', quantity: 1 }),
    ]);
    expect(kgrec('ingest', '--kind', 'products', products).code).toBe(0);
    expect(kgrec('ingest', '--kind', 'events', events).code).toBe(0);
    const storedEvents = () => graph.read('MATCH (e:Event) WHERE e.id STARTS WITH "e-" RETURN properties(e) AS e ORDER BY e.id');
    const before = await storedEvents();

    const changed = writeFixture(dir, 'events-again.jsonl', [
      JSON.stringify({ id: 'e-16', userId: 'cli-u1', productId: 'k1', type: 'purchase', timestamp: '2026-03-01T09:00:00Z', quantity: 1 }),
      JSON.stringify({ id: 'e-17', userId: 'cli-u1', productId: 'k2', type: 'purchase', timestamp: '2026-03-01T09:05:00Z', quantity: 3 }),
      JSON.stringify({ id: 'e-18', userId: 'cli-u1', productId: 'k1', type: 'view', timestamp: '2026-03-01T09:10:00Z' }),
    ]);
    const report = path.join(dir, 'conflicts.txt');
    const failing = kgrec('ingest', '--kind', 'events', changed, '--report', report, '--json');
    const line = `${changed}:2: id "e-17" already stored with other values (quantity 1, now 3)`;
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain(line);
    expect(failing.stderr).toContain('1 event(s) have the id of a stored event with other values');
    expect(failing.stderr).toContain('--skip-conflicts');
    expect(JSON.parse(failing.last)).toMatchObject({ records: 3, written: 1, unchanged: 1, conflicts: 1, rejected: 0 });
    expect(readFileSync(report, 'utf8')).toBe(`${line}\n`);

    const skipping = kgrec('ingest', '--kind', 'events', changed, '--skip-conflicts');
    expect(skipping.code).toBe(0);
    expect(skipping.stdout).toContain('1 conflicting with stored events (not written)');
    expect(skipping.stderr).toContain(line);
    expect((await storedEvents()).slice(0, 2)).toEqual(before);
  });

  it('refuses bad arguments with a message that names them', () => {
    const kind = kgrec('ingest', '--kind', 'gadgets', 'x.csv');
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('--kind: expected one of categories, brands, products, users, events, relations, got "gadgets"');
    const missing = kgrec('ingest', '--kind', 'products', 'no-such-file.csv');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-file.csv: file not found');
    const size = kgrec('ingest', '--kind', 'products', '--batch-size', 'many', 'x.csv');
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--batch-size: expected a whole number ≥ 1, got "many"');
    // A batch of 0 rows would never finish a load: refused before anything is read.
    const zero = kgrec('ingest-kgat', '--batch-size', '0', '.');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--batch-size: expected a whole number ≥ 1, got "0"');
    // A learning rate of 0 would train nothing for the whole run: refused before any triple is read.
    const still = kgrec('train', '--triples', 'no-such-folder', '--learning-rate', '0');
    expect(still.code).toBe(2);
    expect(still.stderr).toContain('--learning-rate: expected a number above 0 and at most 10, got "0"');
  });

  it('tells where the Neo4j is when NEO4J_URI is set', () => {
    const status = kgrec('neo4j', 'status', '--json');
    expect(JSON.parse(status.last)).toEqual({ local: false, uri: process.env.NEO4J_URI });
    const stop = kgrec('neo4j', 'stop');
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain('NEO4J_URI is set');
  });
});
