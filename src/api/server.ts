import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { print } from 'graphql';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { homePath, type Config } from '../config.js';
import { watchCatalogue, type CatalogueWatch } from '../graph/catalogueChanges.js';
import type { Graph } from '../graph/graph.js';
import { TrainingJobs } from '../jobs/trainingJobs.js';
import { activeVersion } from '../kge/modelStore.js';
import { PopularityRanker } from '../ranking/popularityRanker.js';
import type { Ranker } from '../ranking/types.js';
import { identifyCaller, type Caller } from './auth.js';
import { createShopperVerifier, type ShopperTokenVerifier } from './shopperTokens.js';
import { loggedProfileCache } from '../graph/profileCache.js';
import { loadApiConfig, profileCacheSettings, trustedProxyHops, type ApiConfig } from './config.js';
import { catalogueAndRulesChanged, createLoaders, type ApiContext } from './context.js';
import { closeEntityCaches, createEntityCaches, type EntityCaches } from './entityCache.js';
import { handleCors } from './cors.js';
import { clientKey, RequestLimiter } from './rateLimit.js';
import { costLimiter, type CostContext, type CostLimiter } from './costLimits.js';
import { formatError } from './errors.js';
import { loadConsoleFiles, type ConsoleFiles } from './consoleFiles.js';
import { checkHealth } from './health.js';
import { Readiness } from './readiness.js';
import { warmQueryPlans, warmUpBounds } from './queryPlanWarmUp.js';
import { directQueries, type DirectQueries } from './directQueries.js';
import { HttpError, readRequest, requestIdOf, toGraphQLRequest, writeGraphQLResponse, writeHttpError, writeJson } from './http.js';
import { jitGateway } from './jitExecution.js';
import { depthLimit } from './limits.js';
import { oneFieldPerMutation } from './oneFieldPerMutation.js';
import { logGraphQLRequest, loggingPlugin } from './logging.js';
import { createMetrics, type ApiMetrics } from './metrics.js';
import { ExperimentAssigner } from './experimentAssigner.js';
import { VariantRankers } from './variantRankers.js';
import { createVariantRanker } from './servingRanker.js';
import { MAX_VARIANT_RANKERS } from './experimentInputs.js';
import { resolvers } from './resolvers.js';
import { loadTypeDefs } from './schema.js';
import { ServedListRetention } from './servedListRetention.js';
import { ServedListLog } from './servedListLog.js';
import { briefError } from '../util/briefError.js';

export const GRAPHQL_PATH = '/graphql';

type RequestContext = ApiContext & CostContext & { requestId: string };

/** A request must arrive whole within this time; bounds connections held open by slow or stalled clients. */
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** In-flight requests get this long to finish on shutdown before their connections are closed. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface ApiServerOptions {
  graph: Graph;
  /** The platform's configuration (relation types). */
  config: Config;
  /** The API's own settings; read from the environment when absent. */
  api?: ApiConfig;
  logger: Logger;
  /** Defaults to the popularity ranker over `graph`. */
  ranker?: Ranker;
  /** Close the graph's driver when the server stops (default true: the server owns the connection). */
  closeGraph?: boolean;
  /** Retraining started through the API, in processes of their own; by default saving into api.modelsDir. */
  jobs?: TrainingJobs;
  /** The built merchandiser console served at /console (default dist/console of the package). */
  consoleDir?: string;
}

export interface ApiServer {
  /** e.g. http://localhost:4000/graphql */
  readonly url: string;
  readonly port: number;
  readonly ranker: Ranker;
  readonly jobs: TrainingJobs;
  readonly metrics: Registry;
  /** Stops taking requests, lets in-flight ones finish, then closes the Neo4j driver. */
  stop(): Promise<void>;
}

/** The parts every request shares, beside the GraphQL schema: built once, closed by stop(). */
interface ServingParts {
  ranker: Ranker;
  experiments: ExperimentAssigner;
  variantRankers: VariantRankers;
  servedLists: ServedListLog;
  servedRetention: ServedListRetention;
  caches: EntityCaches;
  jobs: TrainingJobs;
  catalogueWatch: CatalogueWatch;
}

/** Apollo, and the direct path that answers most queries without it (api.executor `jit` only). */
interface GraphQLEngine {
  apollo: ApolloServer<RequestContext>;
  direct: DirectQueries<RequestContext> | null;
  costs: CostLimiter;
}

/** Starts the GraphQL API, `/health` and `/metrics` on one port (api.port; 0 picks a free one). */
export async function createApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { graph, config, logger } = options;
  const api = options.api ?? loadApiConfig(process.env, {}, config);
  const parts = createServingParts(options, api);
  const metrics = createMetrics();
  const httpServer = createHttpServer();
  const engine = await startGraphQL({ config, api, logger, metrics, httpServer });
  // Read before the first request, so that its shopper lands in the running experiment's variant. Neo4j
  // out of reach must not keep the API from starting (/health says so): the next assignment reads again.
  await parts.experiments.refresh().catch((error: unknown) => logger.error({ err: error }, 'reading the running experiments failed; serving the default until they can be read'));
  // Planned once, after the ranker's first load (which plans the reads it makes at every reload).
  let plansWarmed: Promise<unknown> | null = null;
  const readiness = new Readiness(
    async () => {
      await parts.ranker.warmUp();
      // Never fails readiness: a query left unplanned is planned by the first request that sends it.
      if (api.warmQueryPlans) {
        await (plansWarmed ??= warmUpBounds(graph, api, config)
          .then((bounds) => warmQueryPlans(graph, bounds, logger))
          .catch((error: unknown) => logger.warn({ err: briefError(error) }, 'planning the serving queries ahead failed')));
      }
    },
    (error) => logger.error({ err: briefError(error) }, 'warming up the ranker failed; /ready answers 503, and its next probe tries again'),
  );
  const handle = requestHandler({
    readiness,
    graph,
    api,
    parts,
    metrics,
    engine,
    shoppers: createShopperVerifier(api),
    limiter: api.rateLimitPerMinute > 0 ? new RequestLimiter(api.rateLimitPerMinute) : null,
    console: loadConsoleFiles(options.consoleDir),
    contextFor: requestContexts(options, api, parts, metrics),
  });
  serveRequests(httpServer, handle, logger);
  const { port, url } = await listen(httpServer, api);
  logger.info({ url }, 'kgrec API listening');
  // Requests are served meanwhile; those arriving before it finishes share the same load. `/ready` says when it is done.
  readiness.start();

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    ranker: parts.ranker,
    jobs: parts.jobs,
    metrics: metrics.registry,
    stop() {
      readiness.stop();
      stopping ??= stopServer(options, engine.apollo, parts);
      return stopping;
    },
  };
}

/** The ranker, the catalogue row caches, the retraining jobs and the watch on other processes' catalogue edits. */
function createServingParts(options: ApiServerOptions, api: ApiConfig): ServingParts {
  const { graph, config, logger } = options;
  const ranker =
    options.ranker ??
    new PopularityRanker({
      graph,
      modelVersion: () => activeVersion(api.modelsDir),
      snapshotTtlMs: api.snapshotTtlSeconds * 1000,
      onError: (error) => logger.error({ err: error }, 'reloading the catalogue snapshot failed; serving the previous one'),
      profileCache: loggedProfileCache(profileCacheSettings(api), logger),
    });
  const caches = createEntityCaches(api.entityCacheSeconds * 1000, (error) => logger.error({ err: error }, 'refreshing cached catalogue rows failed; serving them as they were'));
  const jobs =
    options.jobs ??
    new TrainingJobs({
      config,
      modelsDir: api.modelsDir,
      onFinished: (job) =>
        job.status === 'succeeded'
          ? logger.info({ job: job.id, version: job.modelVersion }, 'training job succeeded')
          : logger.error({ job: job.id, error: job.error }, 'training job failed'),
    });
  const experiments = new ExperimentAssigner(graph, (error) => logger.error({ err: error }, 'reading the running experiments failed; serving the previous split'));
  const variantRankers = new VariantRankers(ranker, (overrides) => createVariantRanker({ graph, config, api, logger }, overrides), MAX_VARIANT_RANKERS, () =>
    experiments.rankerKeys(),
  );
  // Catalogue edits by other processes (ingestion, other API processes): without this they would show only
  // after the snapshot's and the rules' TTLs.
  const catalogueWatch = watchCatalogue(
    graph,
    api.cataloguePollMs,
    () => {
      logger.info('the catalogue was changed by another process: reloading it');
      catalogueAndRulesChanged({ caches, ranker, variantRankers });
    },
    (error) => logger.warn({ err: error }, 'reading the catalogue change marker failed'),
  );
  const servedLists = new ServedListLog(graph, {
    enabled: api.recordServed,
    flushMs: api.servedFlushMs,
    batchSize: api.servedBatchSize,
    onError: (error, lists) => logger.error({ err: briefError(error), lists }, 'writing served lists failed; they are not in the exposure log'),
  });
  const servedRetention = new ServedListRetention(graph, {
    retentionDays: api.servedRetentionDays,
    onPruned: (deleted) => logger.info({ deleted, retentionDays: api.servedRetentionDays }, 'served lists past their retention deleted'),
    onError: (error) => logger.warn({ err: error }, 'deleting served lists past their retention failed; the next hour retries'),
  });
  servedRetention.start();
  return { ranker, caches, jobs, catalogueWatch, experiments, variantRankers, servedLists, servedRetention };
}

function createHttpServer(): http.Server {
  const httpServer = http.createServer();
  httpServer.requestTimeout = REQUEST_TIMEOUT_MS;
  // Idle keep-alive connections stay open longer than a load balancer's (60 s on most): one that closes
  // first races the balancer's next request on that connection, which then fails with a reset.
  httpServer.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return httpServer;
}

/** Builds the schema with its validation and cost rules, and starts Apollo with the server's plugins. */
async function startGraphQL(setup: { config: Config; api: ApiConfig; logger: Logger; metrics: ApiMetrics; httpServer: http.Server }): Promise<GraphQLEngine> {
  const { config, api, logger, metrics, httpServer } = setup;
  const typeDefs = loadTypeDefs(config.relationTypes);
  const schema = makeExecutableSchema({ typeDefs, resolvers });
  const validationRules = [depthLimit(api.maxDepth), oneFieldPerMutation];
  const costs = costLimiter(schema, api, logger);
  const apollo = new ApolloServer<RequestContext>({
    ...(api.executor === 'jit' ? { gateway: jitGateway(schema, print(typeDefs)) } : { schema }),
    introspection: !api.production,
    // Apollo's defaults (landing page, ...) follow the API's setting, not NODE_ENV (which the CLI sets for graphql).
    nodeEnv: api.production ? 'production' : 'development',
    includeStacktraceInErrorResponses: false,
    // Shutdown is the caller's (stop(), `kgrec serve`'s signal handlers): Apollo's own handlers would re-raise the signal.
    stopOnTerminationSignals: false,
    formatError,
    validationRules,
    logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: SHUTDOWN_GRACE_MS }),
      metrics.plugin,
      loggingPlugin(logger),
      costs.plugin,
      // The API sets no cache hints; the default cache-control plugin would still hook every field resolved.
      ApolloServerPluginCacheControlDisabled(),
      ...(api.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();
  // Queries that validate and run without errors skip Apollo's per-request pipeline (see directQueries.ts).
  const direct =
    api.executor === 'jit'
      ? directQueries<RequestContext>({
          schema,
          validationRules,
          onAnswered: (operation, durationMs, context) => {
            metrics.answeredDirectly(operation, durationMs);
            logGraphQLRequest(context.logger, operation, durationMs);
          },
          extensions: (context) => (context.cost ? { cost: context.cost } : undefined),
        })
      : null;
  return { apollo, direct, costs };
}

type ContextFactory = (requestId: string, caller: Caller, costContext: CostContext) => RequestContext;

/** Each request's context: the shared parts, its caller, its cost and its own loaders and logger. */
function requestContexts(options: ApiServerOptions, api: ApiConfig, parts: ServingParts, metrics: ApiMetrics): ContextFactory {
  const { graph, config, logger } = options;
  const { ranker, jobs, caches, catalogueWatch, experiments, variantRankers, servedLists } = parts;
  const evaluationsDir = homePath(config.home, 'eval');
  // Every field is named rather than spread in: V8 gives an object made by spreading, then given keys its
  // source lacks, a map of its own, so each request's context would cost a new map and leave the
  // resolvers' property reads megamorphic (decision 0017).
  return (requestId, caller, costContext) => ({
    client: costContext.client,
    cost: costContext.cost,
    graph,
    ranker,
    experiments,
    variantRankers,
    experimentMetrics: metrics.experiments,
    jobs,
    config: api,
    evaluationsDir,
    relationTypes: config.relationTypes,
    maxClockSkewSeconds: config.maxClockSkewSeconds,
    principal: caller.principal,
    shopper: caller.shopper,
    loaders: createLoaders(graph, config.relationTypes, caches),
    caches,
    catalogueWatch,
    servedLists,
    logger: logger.child({ requestId }),
    requestId,
  });
}

/** What the request handler needs. */
interface RequestHandling {
  readiness: Readiness;
  graph: Graph;
  api: ApiConfig;
  parts: ServingParts;
  metrics: ApiMetrics;
  engine: GraphQLEngine;
  shoppers: ShopperTokenVerifier | null;
  limiter: RequestLimiter | null;
  console: ConsoleFiles;
  contextFor: ContextFactory;
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Routes `/health`, `/ready`, `/metrics`, the console's files and the GraphQL path; anything else is a 404. */
function requestHandler(handling: RequestHandling): RequestHandler {
  const { graph, api, parts, metrics } = handling;
  const answerGraphQL = graphQLHandler(handling);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    if (url.pathname === '/health' && req.method === 'GET') {
      const health = await checkHealth(graph, api.modelsDir, parts.ranker);
      writeJson(res, health.status === 'ok' ? 200 : 503, health);
      return;
    }
    if (url.pathname === '/ready' && req.method === 'GET') {
      const ready = handling.readiness.probe();
      writeJson(res, ready ? 200 : 503, { ready });
      return;
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      res.setHeader('content-type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
      return;
    }
    if (handling.console.handle(req, res, url.pathname)) return;
    if (url.pathname !== GRAPHQL_PATH) {
      writeJson(res, 404, { error: `no route ${url.pathname}; GraphQL is at ${GRAPHQL_PATH}` });
      return;
    }
    await answerGraphQL(req, res, url, requestId);
  };
}

/** A GraphQL request: CORS, the rate limit, the cost limit, the caller, then the direct path or Apollo. */
function graphQLHandler(handling: RequestHandling): (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) => Promise<void> {
  const { api, engine, limiter, shoppers, contextFor } = handling;
  const proxyHops = trustedProxyHops(api);
  return async (req, res, url, requestId) => {
    if (handleCors(req, res, api.corsOrigins)) return;
    const client = clientKey(req, proxyHops);
    const retryAfter = limiter ? await limiter.check(client) : null;
    if (retryAfter !== null) {
      res.setHeader('retry-after', String(retryAfter));
      writeJson(res, 429, { errors: [{ message: `rate limit of ${api.rateLimitPerMinute} requests per minute exceeded; retry in ${retryAfter} s`, extensions: { code: 'RATE_LIMITED' } }] });
      return;
    }
    const read = await readRequest(req, api.maxBodyBytes);
    // Priced before graphql validates or runs anything: a refusal costs a parse and one walk of the document.
    // Admission and the caller are awaited only when they returned promises (a cost budget, a shopper
    // token): on the everyday path a request makes no promises of its own before it runs.
    const admitted = engine.costs.admit({ url, read, client, requestId }, res);
    const admission = admitted instanceof Promise ? await admitted : admitted;
    if (admission.answered) return;
    // Named, not spread from `read`: see requestContexts.
    const request = { method: read.method, body: read.body, contentType: req.headers['content-type'], accept: req.headers.accept };
    const identifying = identifyCaller(req.headers.authorization, api.tokens, shoppers);
    const identified = identifying instanceof Promise ? await identifying : identifying;
    // A refused token is thrown where the context is built, so that Apollo answers it as it answers an unknown role token (401).
    const context = (): RequestContext => {
      if ('refused' in identified) throw identified.refused;
      return contextFor(requestId, identified.caller, { client, cost: admission.cost });
    };
    if (engine.direct && (await engine.direct.answer(request, res, context))) return;
    const response = await engine.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: toGraphQLRequest(req, url, read),
      context: async () => context(),
    });
    await writeGraphQLResponse(res, response);
  };
}

/** Answers what the handler throws: an HttpError with its status, anything else with a logged 500. */
function serveRequests(httpServer: http.Server, handle: RequestHandler, logger: Logger): void {
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        writeHttpError(res, error.status, error.message, error.closeConnection);
        return;
      }
      logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) writeHttpError(res, 500, 'internal server error');
      else res.destroy();
    });
  });
}

async function listen(httpServer: http.Server, api: ApiConfig): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(api.port, api.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const shownHost = ['127.0.0.1', '0.0.0.0', '::', '::1'].includes(api.host) ? 'localhost' : api.host;
  return { port, url: `http://${shownHost}:${port}${GRAPHQL_PATH}` };
}

async function stopServer(options: ApiServerOptions, apollo: ApolloServer<RequestContext>, parts: ServingParts): Promise<void> {
  const { graph, logger } = options;
  await apollo.stop(); // the drain plugin closes the HTTP server and waits for in-flight requests
  // A training job runs in a process of its own, which goes on: a restarted API finds it in the models folder.
  const running = await parts.jobs.active().catch(() => null);
  if (running) logger.info({ job: running.id, pid: running.pid }, 'a training job goes on in its own process');
  parts.catalogueWatch.stop();
  closeEntityCaches(parts.caches);
  const unwritten = await parts.servedLists.close();
  if (unwritten > 0) logger.warn({ lists: unwritten }, 'Neo4j did not take the last served lists in time; they are not in the exposure log');
  await parts.servedRetention.stop();
  parts.ranker.close?.();
  parts.variantRankers.close();
  if (options.closeGraph ?? true) await graph.close();
  logger.info('kgrec API stopped');
}
