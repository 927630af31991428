import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import { graphStats } from '../../graph/stats.js';
import { createOutput, formatCount } from '../output.js';

export function registerGraphCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply the Cypher migrations in cypher/ that are not applied yet (constraints and indexes)')
    .option('--json', 'print the result as JSON on the last line')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      const { graph, migrations } = await openGraph(loadConfig(), { startLocal: true, migrate: true, onInfo: out.info });
      await graph.close();
      const result = migrations ?? { applied: [], skipped: [] };
      out.result(result, () => {
        for (const id of result.applied) out.line(`applied ${id}`);
        out.line(`${result.applied.length} applied, ${result.skipped.length} already applied`);
      });
    });

  program
    .command('stats')
    .description('count nodes per label and relationships per type')
    .option('--json', 'print {"nodes": {...}, "relationships": {...}, "events": n} on the last line')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      const { graph } = await openGraph(loadConfig(), { startLocal: true, onInfo: out.info });
      try {
        const stats = await graphStats(graph);
        out.result(stats, () => {
          out.line('nodes');
          for (const [label, count] of Object.entries(stats.nodes)) out.line(`  ${label.padEnd(24)} ${formatCount(count).padStart(12)}`);
          out.line('relationships');
          for (const [type, count] of Object.entries(stats.relationships)) out.line(`  ${type.padEnd(24)} ${formatCount(count).padStart(12)}`);
          out.line(`events ${formatCount(stats.events)}`);
        });
      } finally {
        await graph.close();
      }
    });
}
