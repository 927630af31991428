import type { ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { ApiConfig } from './config.js';
import { writeJson, type ReadRequest } from './http.js';
import { queryPricer, type CostVerdict, type OperationRequest, type QueryCost } from './queryCost.js';
import { CostBudget } from './rateLimit.js';

/**
 * The cost limits of the HTTP API: every operation is priced (queryCost.ts) as soon as its body is read,
 * before graphql validates or runs it. One past the budget of a request or with too many aliases is
 * refused there (400); one the client cannot afford this minute (KGREC_API_COST_PER_MINUTE) is refused
 * as the request rate limit refuses (429 with Retry-After). What passes reports its cost in the answer's
 * `extensions.cost`. Operations that reach Apollo without a text (persisted queries sent by hash) are
 * priced by the plugin once Apollo has their document, before they run.
 */

/** What the request context carries for the cost limits. */
export interface CostContext {
  /** The client the budget per minute is counted for (rateLimit.ts clientKey). */
  client: string;
  /** The operation's cost once priced; reported in `extensions.cost`. */
  cost: QueryCost | undefined;
}

export type Admission = { answered: true } | { answered: false; cost: QueryCost | undefined };

export interface CostLimiter {
  /**
   * Prices the request and spends its cost from the client's budget; when refused, the answer has been
   * written. A promise only when there is a budget per minute to spend from (the pricing itself is synchronous).
   */
  admit(request: { url: URL; read: ReadRequest; client: string; requestId: string }, res: ServerResponse): Admission | Promise<Admission>;
  /** Reports the cost in `extensions`, and prices operations the HTTP layer could not (persisted queries). */
  plugin: ApolloServerPlugin<CostContext>;
}

export const RATE_LIMITED = 'RATE_LIMITED';

export function costLimiter(schema: GraphQLSchema, api: ApiConfig, logger: Logger): CostLimiter {
  const pricer = queryPricer(schema, api);
  const budget = api.costPerMinute > 0 ? new CostBudget(api.costPerMinute) : null;
  const outOfBudget = (cost: QueryCost, retryAfter: number): GraphQLError =>
    new GraphQLError(`cost budget of ${api.costPerMinute} per minute exceeded (this operation costs ${cost.requested}); retry in ${retryAfter} s`, {
      extensions: { code: RATE_LIMITED, cost, costPerMinute: api.costPerMinute, retryAfter },
    });

  /** Spends a priced operation's cost from the client's budget; past it, the 429 is written. */
  const spendBudget = async (spendFrom: CostBudget, cost: QueryCost, { client, requestId }: { client: string; requestId: string }, res: ServerResponse): Promise<Admission> => {
    const retryAfter = await spendFrom.spend(client, cost.requested);
    if (retryAfter === null) return { answered: false, cost };
    logger.info({ requestId, cost }, 'operation refused: the client spent its cost budget for this minute');
    res.setHeader('retry-after', String(retryAfter));
    writeJson(res, 429, { errors: [outOfBudget(cost, retryAfter).toJSON()], extensions: { cost } });
    return { answered: true };
  };

  return {
    admit({ url, read, client, requestId }, res) {
      const operation = operationOf(read, url);
      const verdict: CostVerdict = operation ? pricer.priceText(operation) : { kind: 'unpriced' };
      if (verdict.kind === 'unpriced') return { answered: false, cost: undefined };
      if (verdict.kind === 'refused') {
        logger.info({ requestId, code: verdict.error.extensions.code, cost: verdict.cost }, 'operation refused before it ran');
        writeJson(res, 400, { errors: [verdict.error.toJSON()], ...(verdict.cost ? { extensions: { cost: verdict.cost } } : {}) });
        return { answered: true };
      }
      return budget ? spendBudget(budget, verdict.cost, { client, requestId }, res) : { answered: false, cost: verdict.cost };
    },

    plugin: {
      async requestDidStart() {
        return {
          async didResolveOperation({ contextValue, document, request }) {
            if (contextValue.cost !== undefined) return;
            const verdict = pricer.priceDocument(document, request.variables, request.operationName);
            if (verdict.kind === 'unpriced') return;
            if (verdict.kind === 'refused') throw withHttp(verdict.error, 400);
            const retryAfter = budget ? await budget.spend(contextValue.client, verdict.cost.requested) : null;
            contextValue.cost = verdict.cost;
            if (retryAfter !== null) throw withHttp(outOfBudget(verdict.cost, retryAfter), 429, { 'retry-after': String(retryAfter) });
          },
          async willSendResponse({ contextValue, response }) {
            if (contextValue.cost === undefined || response.body.kind !== 'single') return;
            const result = response.body.singleResult;
            result.extensions = { ...result.extensions, cost: contextValue.cost };
          },
        };
      },
    },
  };
}

/** The operation of a request as Apollo would read it: a POSTed JSON object, or a GET's search parameters. */
function operationOf(read: ReadRequest, url: URL): OperationRequest | null {
  if (read.method === 'GET') {
    const query = url.searchParams.get('query');
    if (query === null) return null;
    const variables = jsonObject(url.searchParams.get('variables'));
    return { query, variables: variables ?? undefined, operationName: url.searchParams.get('operationName') ?? undefined };
  }
  const { body } = read;
  if (!isPlainObject(body) || typeof body.query !== 'string') return null;
  const variables = isPlainObject(body.variables) ? body.variables : undefined;
  return { query: body.query, variables, operationName: typeof body.operationName === 'string' ? body.operationName : undefined };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return isPlainObject(value) ? value : null;
  } catch {
    return null; // Apollo refuses it with its own error
  }
}

/** Apollo takes an error's HTTP status and headers from `extensions.http` (and leaves them out of the answer). */
function withHttp(error: GraphQLError, status: number, headers: Record<string, string> = {}): GraphQLError {
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status, headers: new HeaderMap(Object.entries(headers)) } } });
}
