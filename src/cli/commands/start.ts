import type { Command } from 'commander';
import { loadConfig, usesLocalNeo4j } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import { graphStats } from '../../graph/stats.js';
import { activeVersion } from '../../kge/modelStore.js';
import { activateAndWriteBack } from '../../jobs/activate.js';
import { DEFAULT_MODELS_DIR, runTrainingJob } from '../../jobs/train.js';
import { createOutput, formatCount } from '../output.js';
import { createProgress } from '../progress.js';
import { loadDemoShop } from './demo.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the platform: the local Neo4j (unless NEO4J_URI is set), migrations, and the demo shop when the graph is empty')
    .option('--no-demo', 'do not load the demo shop into an empty graph')
    .option('--no-train', 'do not train a first model when none is active')
    .option('--json', 'print the graph statistics as JSON on the last line')
    .action(async (options: { demo: boolean; train: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      const config = loadConfig();
      const { graph, migrations } = await openGraph(config, { startLocal: true, migrate: true, onInfo: out.info });
      try {
        if (migrations && migrations.applied.length > 0) out.info(`applied migrations: ${migrations.applied.join(', ')}`);
        let stats = await graphStats(graph);
        if (options.demo && (stats.nodes.Product ?? 0) === 0) {
          await loadDemoShop(graph, config, out);
          stats = await graphStats(graph);
        }
        let model = await activeVersion(DEFAULT_MODELS_DIR);
        if (options.train && model === null && (stats.relationships.PURCHASED ?? 0) > 0) {
          out.info('no active model: training a first one with the default hyperparameters');
          const progress = createProgress('train');
          const result = await runTrainingJob({
            source: { kind: 'graph', graph, config },
            hyperparameters: [{ workers: 2 }],
            onInfo: out.info,
            onBatch: (done, total, epoch, epochs) => progress.update((epoch - 1) * total + done, epochs * total, { unit: 'triples', note: `epoch ${epoch}/${epochs}` }),
          });
          progress.stop();
          await activateAndWriteBack(DEFAULT_MODELS_DIR, result.version, graph);
          model = result.version;
          out.info(`model ${model}: test MRR ${result.test?.mrr.toFixed(4) ?? '–'}, Hits@10 ${result.test?.['hits@10'].toFixed(4) ?? '–'} on ${formatCount(result.dataset.test)} held-out purchases`);
        }
        out.result({ ...stats, activeModel: model }, () => {
          out.line(`kgrec is ready: Neo4j at ${config.neo4jUri ?? `bolt://127.0.0.1:${config.localNeo4jPort}`} holds ${stats.nodes.Product ?? 0} products, ${stats.nodes.User ?? 0} users and ${stats.events} events; active model: ${model ?? 'none'}.`);
          if (usesLocalNeo4j(config)) out.line('The local Neo4j keeps running; stop it with: npx kgrec neo4j stop');
        });
      } finally {
        await graph.close();
      }
    });
}
