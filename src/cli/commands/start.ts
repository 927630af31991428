import type { Command } from 'commander';
import { loadConfig, usesLocalNeo4j } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import { graphStats } from '../../graph/stats.js';
import { createOutput } from '../output.js';
import { loadDemoShop } from './demo.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the platform: the local Neo4j (unless NEO4J_URI is set), migrations, and the demo shop when the graph is empty')
    .option('--no-demo', 'do not load the demo shop into an empty graph')
    .option('--json', 'print the graph statistics as JSON on the last line')
    .action(async (options: { demo: boolean; json?: boolean }) => {
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
        out.result(stats, () => {
          out.line(`kgrec is ready: Neo4j at ${config.neo4jUri ?? `bolt://127.0.0.1:${config.localNeo4jPort}`} holds ${stats.nodes.Product ?? 0} products, ${stats.nodes.User ?? 0} users and ${stats.events} events.`);
          if (usesLocalNeo4j(config)) out.line('The local Neo4j keeps running; stop it with: npx kgrec neo4j stop');
        });
      } finally {
        await graph.close();
      }
    });
}
