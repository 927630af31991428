import type { Command } from 'commander';
import { loadApiConfig } from '../../api/config.js';
import { loadConfig, usesLocalNeo4j, type Config } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import { graphStats } from '../../graph/stats.js';
import { activeVersion } from '../../kge/modelStore.js';
import { activateAndWriteBack } from '../../jobs/activate.js';
import { jobLogFile } from '../../jobs/trainingJobRecords.js';
import { TrainingJobs } from '../../jobs/trainingJobs.js';
import { wholeNumber } from '../flagParsers.js';
import { createOutput, formatCount, UserError, type Output } from '../output.js';
import { createProgress } from '../progress.js';
import { loadDemoShop } from './demo.js';
import { localAccess, serveApi } from './serve.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'start the platform: the local Neo4j (unless NEO4J_URI is set), migrations, the demo shop when the graph is empty, a first model, then the GraphQL API (as `kgrec serve`)',
    )
    .option('--no-demo', 'do not load the demo shop into an empty graph')
    .option('--no-train', 'do not train a first model when none is active')
    .option('--no-serve', 'stop after the set-up instead of serving the GraphQL API')
    .option('--port <n>', 'port of the API (default KGREC_API_PORT or 4000; 0 picks a free one)', wholeNumber('--port'))
    .option('--json', 'print the graph statistics as JSON on the last line of stdout (the API URL then goes to stderr)')
    .action(async (options: { demo: boolean; train: boolean; serve: boolean; port?: number; json?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      const config = loadConfig();
      // Checked before the set-up, so a wrong API setting fails in seconds rather than after the demo load.
      const api = options.serve ? loadApiConfig(process.env, options.port === undefined ? {} : { port: options.port }, config) : null;
      const { graph, migrations } = await openGraph(config, { startLocal: true, migrate: true, onInfo: out.info });
      let served = false;
      try {
        if (migrations && migrations.applied.length > 0) out.info(`applied migrations: ${migrations.applied.join(', ')}`);
        let stats = await graphStats(graph);
        if (options.demo && (stats.nodes.Product ?? 0) === 0) {
          await loadDemoShop(graph, config, out);
          stats = await graphStats(graph);
        }
        let model = await activeVersion(config.modelsDir);
        if (options.train && model === null && (stats.relationships.PURCHASED ?? 0) > 0) {
          out.info('no active model: training a first one with the default hyperparameters, in a process of its own');
          model = await trainFirstModel(config, out);
          await activateAndWriteBack(config.modelsDir, model, graph);
        }
        out.result({ ...stats, activeModel: model }, () => {
          out.line(`kgrec is ready: Neo4j at ${config.neo4jUri ?? `bolt://127.0.0.1:${config.localNeo4jPort}`} holds ${stats.nodes.Product ?? 0} products, ${stats.nodes.User ?? 0} users and ${stats.events} events; active model: ${model ?? 'none'}.`);
          if (usesLocalNeo4j(config)) out.line('The local Neo4j keeps running; stop it with: npx kgrec neo4j stop');
          if (api) out.line('Serving the GraphQL API; Ctrl-C stops it.');
        });
        if (api) {
          served = true; // the server owns the connection from here on
          await serveApi({ graph, config, out, ...localAccess(config, api, 'create') });
        }
      } finally {
        if (!served) await graph.close();
      }
    });
}

/** Threads of the first model's training: the API does not serve yet, so it may take both cores. */
const FIRST_MODEL_WORKERS = 2;

/**
 * Trains the first model in a process of its own, as retraining through the API does: the process that goes
 * on to serve never holds the training's heap, its WebAssembly memory or its worker threads.
 */
async function trainFirstModel(config: Config, out: Output): Promise<string> {
  const jobs = new TrainingJobs({ config, modelsDir: config.modelsDir, workers: FIRST_MODEL_WORKERS });
  // A job left running by an earlier `kgrec start` (stopped with Ctrl-C while training) is waited for, not doubled.
  const running = await jobs.active();
  const started = running ?? (await jobs.start({}, 'cli:start'));
  out.info(`${running ? 'waiting for' : 'started'} training job ${started.id} in process ${started.pid}; its log: ${jobLogFile(config.modelsDir, started.id)}`);
  const progress = createProgress('train');
  const job = await jobs.waitFor(started.id, (current) =>
    progress.update(current.progress.epoch, current.progress.totalEpochs, { unit: 'epochs', note: current.progress.loss === null ? current.status : `loss ${current.progress.loss.toFixed(4)}` }),
  );
  progress.stop();
  if (job.status !== 'succeeded' || job.modelVersion === null) throw new UserError(`training the first model failed: ${job.error ?? job.status}`);
  const test = job.metrics?.test;
  out.info(`model ${job.modelVersion}: test MRR ${test?.mrr.toFixed(4) ?? '–'}, Hits@10 ${test?.['hits@10'].toFixed(4) ?? '–'} on ${formatCount(test?.count ?? 0)} held-out purchases`);
  return job.modelVersion;
}
