import type { Command } from 'commander';
import { pino } from 'pino';
import { loadApiConfig, type ApiConfig } from '../../api/config.js';
import { createApiServer } from '../../api/server.js';
import { CONSOLE_PATH } from '../../api/consoleFiles.js';
import { ensureLocalAdminToken, readLocalAdminToken, usesLocalToken, withLocalAdminToken, type LocalAdminToken } from '../../api/localAdminToken.js';
import { createServingRanker } from '../../api/servingRanker.js';
import { loadConfig, type Config } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import type { Graph } from '../../graph/graph.js';
import { wholeNumber } from '../flagParsers.js';
import { createOutput, type Output } from '../output.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the GraphQL API (recommend, search, events, merchandiser edits) with /health and /metrics')
    .option('--port <n>', 'port to listen on (default KGREC_API_PORT or 4000; 0 picks a free one)', wholeNumber('--port'))
    .action(async (options: { port?: number }) => {
      const out = createOutput(false);
      const config = loadConfig();
      const api = loadApiConfig(process.env, options.port === undefined ? {} : { port: options.port }, config);
      const access = localAccess(config, api, 'read');
      const { graph } = await openGraph(config, { startLocal: true, migrate: true, onInfo: out.info });
      await serveApi({ graph, config, out, ...access });
    });
}

export interface ServeOptions {
  /** Owned by the server from here on: closed when it stops, or when it fails to start. */
  graph: Graph;
  config: Config;
  api: ApiConfig;
  out: Output;
  /** The local admin token in use, when no tokens are configured (see src/api/localAdminToken.ts). */
  localToken?: LocalAdminToken | null;
}

/**
 * The API's settings with the local admin token, when this setup uses one: `kgrec start` creates it once
 * ('create'), `kgrec serve` only reads it ('read'). Setups with their own tokens, or in production, are left as they are.
 */
export function localAccess(config: Config, api: ApiConfig, mode: 'create' | 'read'): { api: ApiConfig; localToken: LocalAdminToken | null } {
  if (!usesLocalToken(api, process.env)) return { api, localToken: null };
  const kept = mode === 'create' ? ensureLocalAdminToken(config.home) : readLocalAdminToken(config.home);
  if (kept === null) return { api, localToken: null };
  const localToken = { createdToken: null, ...kept };
  return { api: withLocalAdminToken(api, localToken.hash), localToken };
}

/** Where the console is, and how to sign in to it with the local token. */
function consoleLines(apiUrl: string, localToken: LocalAdminToken | null | undefined): string[] {
  const lines = [`merchandiser console at ${new URL(`${CONSOLE_PATH}/`, apiUrl).href}`];
  if (localToken?.createdToken) {
    lines.push(`sign in with this local admin token (shown once; only its hash is kept, in ${localToken.file}): ${localToken.createdToken}`);
  } else if (localToken) {
    lines.push(`sign in with the local admin token printed when it was made (only its hash is kept, in ${localToken.file}; delete that file and run kgrec start for a new one)`);
  }
  return lines;
}

/**
 * Serves the API until SIGINT or SIGTERM, then stops gracefully: `kgrec serve`, and `kgrec start` after its
 * set-up. The URL goes to stdout (stderr in --json mode, where stdout holds the result object).
 */
export async function serveApi({ graph, config, api, out, localToken }: ServeOptions): Promise<void> {
  // Logs go to stderr as JSON lines, keeping stdout for the URL.
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  let server;
  try {
    const ranker = createServingRanker({ graph, config, api, logger });
    server = await createApiServer({ graph, config, api, logger, ranker });
  } catch (error) {
    await graph.close();
    throw error;
  }
  const running = server;
  for (const text of [`kgrec API at ${running.url}`, ...consoleLines(running.url, localToken)]) {
    if (out.json) out.info(text);
    else out.line(text);
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutDown = (signal: NodeJS.Signals) => {
      if (stopping) return; // a second Ctrl-C while draining changes nothing
      stopping = true;
      logger.info({ signal }, 'shutting down');
      running.stop().then(
        () => finish(),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exitCode = 1;
          finish();
        },
      );
    };
    // Listeners stay until the server has stopped: a signal with no listener would end the process mid-drain.
    const finish = () => {
      process.off('SIGINT', shutDown);
      process.off('SIGTERM', shutDown);
      resolve();
    };
    process.on('SIGINT', shutDown);
    process.on('SIGTERM', shutDown);
  });
}
