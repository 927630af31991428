import { Command } from 'commander';
import { registerBulkLoadCommand } from './commands/bulkLoad.js';
import { registerDemoCommands } from './commands/demo.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerGraphCommands } from './commands/graph.js';
import { registerIngestCommands } from './commands/ingest.js';
import { registerNeo4jCommands } from './commands/neo4j.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSimulateCommand } from './commands/simulate.js';
import { registerStartCommand } from './commands/start.js';
import { registerTrainCommands } from './commands/train.js';

/** The `kgrec` command line with every command registered; main.ts runs it, tests walk its commands. */
export function createProgram(): Command {
  const program = new Command()
    .name('kgrec')
    .description('knowledge-graph recommendations for online shops')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerStartCommand(program);
  registerNeo4jCommands(program);
  registerGraphCommands(program);
  registerIngestCommands(program);
  registerBulkLoadCommand(program);
  registerDemoCommands(program);
  registerTrainCommands(program);
  registerEvalCommand(program);
  registerServeCommand(program);
  registerSimulateCommand(program);
  return program;
}
