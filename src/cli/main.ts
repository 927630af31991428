#!/usr/bin/env node
// First: it sets NODE_ENV before graphql is loaded.
import './productionMode.js';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { LocalServerError } from '../graph/localServer.js';
import { MigrationError } from '../graph/migrations.js';
import { registerBulkLoadCommand } from './commands/bulkLoad.js';
import { registerDemoCommands } from './commands/demo.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerGraphCommands } from './commands/graph.js';
import { registerIngestCommands } from './commands/ingest.js';
import { registerNeo4jCommands } from './commands/neo4j.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStartCommand } from './commands/start.js';
import { registerTrainCommands } from './commands/train.js';
import { UserError } from './output.js';

// A closed pipe (`kgrec stats | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

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

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else if (error instanceof UserError) {
    process.stderr.write(`kgrec: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError || error instanceof LocalServerError || error instanceof MigrationError) {
    process.stderr.write(`kgrec: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`kgrec: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
