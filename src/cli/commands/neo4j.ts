import type { Command } from 'commander';
import { loadConfig, usesLocalNeo4j } from '../../config.js';
import { localServerOptions } from '../../graph/connect.js';
import { localServerStatus, startLocalServer, stopLocalServer } from '../../graph/localServer.js';
import { createOutput, UserError } from '../output.js';

export function registerNeo4jCommands(program: Command): void {
  const neo4j = program.command('neo4j').description('manage the local Neo4j server (not used when NEO4J_URI is set)');

  neo4j
    .command('start')
    .description('start the local Neo4j and wait until Bolt answers (fetches its jars from Maven Central once)')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      const config = loadConfig();
      refuseWhenRemote(config.neo4jUri);
      const started = await startLocalServer(localServerOptions(config, out.info));
      const status = localServerStatus(localServerOptions(config));
      out.result({ ...status, started }, () =>
        out.line(started ? `Neo4j running on bolt://127.0.0.1:${status.port} (pid ${status.pid}; log ${status.logFile})` : `Neo4j was already running (pid ${status.pid})`),
      );
    });

  neo4j
    .command('stop')
    .description('stop the local Neo4j cleanly (it checkpoints on shutdown)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      const config = loadConfig();
      refuseWhenRemote(config.neo4jUri);
      const stopped = await stopLocalServer(localServerOptions(config, out.info));
      out.result({ stopped }, () => out.line(stopped ? 'Neo4j stopped' : 'Neo4j was not running'));
    });

  neo4j
    .command('status')
    .description('tell whether the local Neo4j runs, with its pid, port and log file')
    .option('--json', 'print the status as JSON')
    .action((options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      const config = loadConfig();
      if (!usesLocalNeo4j(config)) {
        out.result({ local: false, uri: config.neo4jUri }, () => out.line(`NEO4J_URI is set (${config.neo4jUri}): kgrec uses that Neo4j and runs none locally`));
        return;
      }
      const status = localServerStatus(localServerOptions(config));
      out.result({ local: true, ...status }, () =>
        out.line(
          status.running
            ? `running: pid ${status.pid}, bolt://127.0.0.1:${status.port}, Neo4j ${status.version}, home ${status.home}, log ${status.logFile}`
            : `not running (home ${status.home}); start it with: kgrec neo4j start`,
        ),
      );
    });
}

function refuseWhenRemote(uri: string | undefined): void {
  if (uri !== undefined) throw new UserError(`NEO4J_URI is set (${uri}): kgrec does not start or stop a local Neo4j then`);
}
