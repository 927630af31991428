import type { ServerResponse } from 'node:http';
import {
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { isCompiledQuery } from 'graphql-jit';
import Negotiator from 'negotiator';
import { compiledOperation, type CompiledOperations } from './jitExecution.js';
import { QueryTextCache } from './queryTextCache.js';

/**
 * Answers the API's everyday reads (a POSTed JSON query that validates and runs without errors) straight
 * from operations compiled by graphql-jit, without Apollo Server's request pipeline. Measured on the demo
 * shop at 500 requests/s: Apollo's per-request objects (request context, plugin hooks, header maps, cache
 * policy) were about two thirds of what the API thread allocated per request. Whatever a request
 * allocates is copied or promoted when it is still reachable at a scavenge, and in some processes every
 * request was (src/util/pendingCalls.ts has the cause found later), so fewer objects per request meant
 * shorter scavenges and fewer mark-compacts.
 *
 * Apollo stays the reference for everything else, and the answer is the same either way:
 * - anything but a POST with a JSON object body, a `query` string and plain `variables`, `operationName`;
 * - persisted queries, batches, an `Accept` header for which Apollo would choose another media type;
 * - documents that do not parse or validate (here with graphql's rules, the depth limit, and no schema
 *   introspection at all), mutations and subscriptions, a context that cannot be built (an unknown
 *   token), variables that do not coerce;
 * - and any response with errors: the query is handed to Apollo and run again, which is safe because
 *   queries only read, so error codes, HTTP statuses, formatting and logging stay Apollo's.
 */

/** Apollo's media types for a single result, in its order of preference (ApolloServer.ts, MEDIA_TYPES). */
const APPLICATION_JSON = 'application/json; charset=utf-8';
const SINGLE_RESULT_TYPES = [APPLICATION_JSON, 'application/graphql-response+json; charset=utf-8', 'application/json; callbackSpec=1.0; charset=utf-8'];
/** Accept headers seen, and whether Apollo would answer them with APPLICATION_JSON; a few distinct values in practice. */
const MAX_ACCEPTS = 100;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export interface DirectQueryRequest {
  method: string;
  contentType: string | undefined;
  accept: string | undefined;
  /** The parsed JSON body (undefined when there was none or it was not JSON). */
  body: unknown;
}

export interface DirectQueries<C extends object> {
  /**
   * Runs the request when it is one this path answers and writes the response; false when it left `res`
   * untouched for Apollo. `context` builds the same context Apollo's requests get.
   */
  answer(request: DirectQueryRequest, res: ServerResponse, context: () => C): Promise<boolean>;
}

/** A POSTed body in the one shape this path answers: a query text with plain variables and operation name. */
interface PlainQueryBody {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

/** True for a body Apollo would read as one plain query: no batch, no persisted query, fields of the expected types. */
function isPlainQueryBody(body: unknown): body is PlainQueryBody {
  if (!isPlainObject(body) || typeof body.query !== 'string') return false;
  const { variables, operationName, extensions } = body;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return false;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return false;
  if (extensions !== undefined && extensions !== null && (!isPlainObject(extensions) || 'persistedQuery' in extensions)) return false;
  return true;
}

/**
 * A check of Accept headers: true when Apollo would answer the header with application/json, by the same
 * negotiation (the library Apollo uses), remembered per distinct header.
 */
function jsonAcceptance(): (accept: string | undefined) => boolean {
  const accepts = new Map<string, boolean>();
  return (accept) => {
    if (accept === undefined) return true;
    let json = accepts.get(accept);
    if (json === undefined) {
      json = new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT_TYPES) === APPLICATION_JSON;
      if (accepts.size >= MAX_ACCEPTS) accepts.clear();
      accepts.set(accept, json);
    }
    return json;
  };
}

/** The document of a query text, parsed and validated once per text; null when it does not parse or validate here. */
function documentPreparer(schema: GraphQLSchema, rules: readonly ValidationRule[]): (query: string) => DocumentNode | null {
  // Null: the text does not parse or validate here (Apollo answers it, with its errors).
  const documents = new QueryTextCache<DocumentNode | null>();
  return (query) => {
    const known = documents.get(query);
    if (known !== undefined) return known;
    let prepared: DocumentNode | null = null;
    try {
      const document = parse(query);
      if (validate(schema, document, rules).length === 0) prepared = document;
    } catch {
      prepared = null;
    }
    documents.set(query, prepared);
    return prepared;
  };
}

/** Writes a successful result as Apollo writes it (prettyJSONStringify, errors, data, extensions): clients see the same bytes from either path. */
function writeResult(res: ServerResponse, data: unknown, extensions: Record<string, unknown> | undefined): void {
  res.statusCode = 200;
  res.setHeader('content-type', APPLICATION_JSON);
  res.end(`${JSON.stringify({ data, extensions })}\n`);
}

export function directQueries<C extends object>(options: {
  schema: GraphQLSchema;
  /** Apollo's validation rules besides graphql's own (the depth limit). */
  validationRules: readonly ValidationRule[];
  /** Called once per answered request, as Apollo's plugins are at willSendResponse (metrics, the log line). */
  onAnswered: (operation: OperationDefinitionNode, durationMs: number, context: C) => void;
  /** The answer's `extensions`, as Apollo's plugins would add them (the cost); undefined for none. */
  extensions?: (context: C) => Record<string, unknown> | undefined;
}): DirectQueries<C> {
  const { schema, onAnswered } = options;
  const prepare = documentPreparer(schema, [...specifiedRules, ...options.validationRules, NoSchemaIntrospectionCustomRule]);
  const acceptsJson = jsonAcceptance();
  // Operations compiled as Apollo's jit gateway compiles them, once per document and name.
  const compiled: CompiledOperations = new WeakMap();

  return {
    async answer(request, res, context) {
      const started = performance.now();
      if (request.method !== 'POST' || !/^application\/json\s*(;|$)/i.test(request.contentType ?? '') || !acceptsJson(request.accept)) return false;
      const { body } = request;
      if (!isPlainQueryBody(body)) return false;
      const { variables, operationName } = body;
      const document = prepare(body.query);
      if (!document) return false;
      const operation = getOperationAST(document, operationName ?? undefined);
      if (operation?.operation !== 'query') return false;
      const query = compiledOperation(schema, compiled, document, operationName ?? null);
      if (!isCompiledQuery(query)) return false;
      let contextValue: C;
      try {
        contextValue = context();
      } catch {
        return false; // e.g. an unknown token: Apollo builds the context again and answers with its error
      }
      const result = await query.query(undefined, contextValue, variables ?? {});
      if (!('data' in result) || result.errors) return false;
      writeResult(res, result.data, options.extensions?.(contextValue));
      onAnswered(operation, performance.now() - started, contextValue);
      return true;
    },
  };
}
