#!/usr/bin/env node
// First: it sets NODE_ENV before graphql is loaded.
import './productionMode.js';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { LocalServerError } from '../graph/localServer.js';
import { MigrationError } from '../graph/migrations.js';
import { escapeControlCharacters } from '../util/controlCharacters.js';
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

/** Messages may quote input (a file's header, a value): its control characters are escaped. */
function printError(message: string): void {
  process.stderr.write(`kgrec: ${escapeControlCharacters(message, { keepLayout: true })}\n`);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else if (error instanceof UserError) {
    printError(error.message);
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError || error instanceof LocalServerError || error instanceof MigrationError) {
    printError(error.message);
    process.exitCode = 1;
  } else {
    printError((error as Error).stack ?? String(error));
    process.exitCode = 1;
  }
}
