import type { Command } from 'commander';
import { loadApiConfig } from '../../api/config.js';
import { loadConfig, usesLocalNeo4j } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import { graphStats } from '../../graph/stats.js';
import { activeVersion } from '../../kge/modelStore.js';
import { activateAndWriteBack } from '../../jobs/activate.js';
import { runTrainingJob } from '../../jobs/train.js';
import { createOutput, formatCount } from '../output.js';
import { createProgress } from '../progress.js';
import { loadDemoShop } from './demo.js';
import { positiveInteger } from './ingest.js';
import { serveApi } from './serve.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'start the platform: the local Neo4j (unless NEO4J_URI is set), migrations, the demo shop when the graph is empty, a first model, then the GraphQL API (as `kgrec serve`)',
    )
    .option('--no-demo', 'do not load the demo shop into an empty graph')
    .option('--no-train', 'do not train a first model when none is active')
    .option('--no-serve', 'stop after the set-up instead of serving the GraphQL API')
    .option('--port <n>', 'port of the API (default KGREC_API_PORT or 4000; 0 picks a free one)', positiveInteger('--port'))
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
          out.info('no active model: training a first one with the default hyperparameters');
          const progress = createProgress('train');
          const result = await runTrainingJob({
            source: { kind: 'graph', graph, config },
            hyperparameters: [{ workers: 2 }],
            modelsDir: config.modelsDir,
            onInfo: out.info,
            onBatch: (done, total, epoch, epochs) => progress.update((epoch - 1) * total + done, epochs * total, { unit: 'triples', note: `epoch ${epoch}/${epochs}` }),
          });
          progress.stop();
          await activateAndWriteBack(config.modelsDir, result.version, graph);
          model = result.version;
          out.info(`model ${model}: test MRR ${result.test?.mrr.toFixed(4) ?? '–'}, Hits@10 ${result.test?.['hits@10'].toFixed(4) ?? '–'} on ${formatCount(result.dataset.test)} held-out purchases`);
        }
        out.result({ ...stats, activeModel: model }, () => {
          out.line(`kgrec is ready: Neo4j at ${config.neo4jUri ?? `bolt://127.0.0.1:${config.localNeo4jPort}`} holds ${stats.nodes.Product ?? 0} products, ${stats.nodes.User ?? 0} users and ${stats.events} events; active model: ${model ?? 'none'}.`);
          if (usesLocalNeo4j(config)) out.line('The local Neo4j keeps running; stop it with: npx kgrec neo4j stop');
          if (api) out.line('Serving the GraphQL API; Ctrl-C stops it.');
        });
        if (api) {
          served = true; // the server owns the connection from here on
          await serveApi({ graph, config, api, out });
        }
      } finally {
        if (!served) await graph.close();
      }
    });
}
