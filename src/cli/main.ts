#!/usr/bin/env node
// First: it sets NODE_ENV before graphql is loaded.
import './productionMode.js';
import { CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { LocalServerError } from '../graph/localServer.js';
import { MigrationError } from '../graph/migrations.js';
import { escapeControlCharacters } from '../util/controlCharacters.js';
import { UserError } from './output.js';
import { createProgram } from './program.js';

// A closed pipe (`kgrec stats | head`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const program = createProgram();

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
