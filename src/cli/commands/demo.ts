import type { Command } from 'commander';
import { homePath, type Config } from '../../config.js';
import { graphStats } from '../../graph/stats.js';
import type { IngestSummary } from '../../ingest/ingest.js';
import { writeDemoShopFiles } from '../../jobs/demoShop.js';
import { LOAD_ORDER } from '../../jobs/loadShop.js';
import { positiveInteger, wholeNumber } from '../flagParsers.js';
import { createOutput, formatCount, type Output } from '../output.js';
import { printSummary, runIngest } from './ingest.js';
import type { Graph } from '../../graph/graph.js';

interface DemoOptions {
  out: string;
  seed: number;
  products?: number;
  users?: number;
  events?: number;
  json?: boolean;
}

export function registerDemoCommands(program: Command): void {
  program
    .command('demo-data')
    .description('write a synthetic shop (categories, brands, products, users, events, relations) to files')
    .requiredOption('--out <dir>', 'output folder')
    .option('--seed <n>', 'random seed; the same seed writes the same shop', wholeNumber('--seed'), 42)
    .option('--products <n>', 'number of products (default 5000)', positiveInteger('--products'))
    .option('--users <n>', 'number of users (default 2000)', positiveInteger('--users'))
    .option('--events <n>', 'number of behaviour events (default 200000)', wholeNumber('--events'))
    .option('--json', 'print the counts and files as JSON on the last line')
    .action(async (options: DemoOptions) => {
      const out = createOutput(Boolean(options.json));
      const started = performance.now();
      const { files, counts } = await writeDemoShopFiles(options.out, {
        seed: options.seed,
        products: options.products,
        users: options.users,
        events: options.events,
      });
      const seconds = (performance.now() - started) / 1000;
      out.result({ out: options.out, seed: options.seed, counts, files, seconds }, () => {
        out.line(`wrote a demo shop to ${options.out} in ${seconds.toFixed(1)} s (seed ${options.seed}):`);
        for (const [kind, count] of Object.entries(counts)) out.line(`  ${kind.padEnd(12)} ${formatCount(count).padStart(10)}`);
        out.line(`load it with: kgrec ingest --kind <kind> <file> in the order ${LOAD_ORDER.join(', ')} (kgrec start does this by itself)`);
      });
    });
}

/**
 * Generates the default demo shop and ingests it, kind by kind; used by `kgrec start` on an empty graph. Its
 * files go to <home>/demo unless `dir` says otherwise, its reports to <home>/reports.
 */
export async function loadDemoShop(graph: Graph, config: Config, out: Output, dir = homePath(config.home, 'demo')): Promise<IngestSummary[]> {
  out.info(`the graph has no products: generating the demo shop in ${dir} and loading it`);
  const { files } = await writeDemoShopFiles(dir);
  const summaries: IngestSummary[] = [];
  for (const kind of LOAD_ORDER) {
    const summary = await runIngest(graph, out, {
      kind,
      files: files[kind] ?? [],
      batchSize: config.ingestBatchSize,
      relationTypes: config.relationTypes,
      reportFile: homePath(config.home, 'reports', `demo-${kind}.txt`),
      by: 'demo',
    });
    printSummary(out, summary);
    summaries.push(summary);
  }
  const stats = await graphStats(graph);
  out.line(`demo shop loaded: ${Object.entries(stats.nodes).map(([label, n]) => `${formatCount(n)} ${label}`).join(', ')}`);
  return summaries;
}
