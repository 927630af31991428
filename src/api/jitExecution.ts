import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Executes operations with graphql-jit instead of graphql-js's interpreter. graphql-js walks the operation's
 * AST for every field of every request (argument coercion, type checks, a result object per field); that
 * was about half of what the API thread allocated per `recommend`. graphql-jit compiles each operation once
 * into a function for its exact shape and runs that: the same schema, resolvers and results.
 *
 * Apollo Server takes a custom executor only through its gateway interface: this "gateway" serves the
 * static schema as is and executes with the compiled operations. Parsing, validation (the depth limit
 * included), plugins, error formatting and HTTP stay Apollo's.
 */

type Gateway = ApolloServerOptionsWithGateway<never>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<Gateway['load']>>['executor']>;

/** Compiled operations by document, then by operation name (Apollo hands out one document object per query text). */
export type CompiledOperations = WeakMap<DocumentNode, Map<string, CompiledQuery>>;

/** The operation compiled once per document and name, or the errors that kept it from compiling (not kept). */
export function compiledOperation(schema: GraphQLSchema, cache: CompiledOperations, document: DocumentNode, operationName: string | null): CompiledQuery | ExecutionResult {
  let byName = cache.get(document);
  if (!byName) {
    byName = new Map();
    cache.set(document, byName);
  }
  const key = operationName ?? '';
  const known = byName.get(key);
  if (known) return known;
  const compiled = compileQuery(schema, document, operationName ?? undefined);
  // Not compiled (its errors returned): the caller answers it through graphql-js.
  if (!isCompiledQuery(compiled)) return compiled;
  byName.set(key, compiled);
  return compiled;
}

/**
 * graphql-jit leaves `extensions` undefined on errors whose cause had none (a failure inside a resolver);
 * Apollo's error formatting expects an object there.
 */
function withExtensions(error: GraphQLError): GraphQLError {
  if (error.extensions !== undefined) return error;
  const normalised = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined });
  return Object.assign(normalised, { locations: error.locations });
}

/** A gateway for Apollo Server that serves `schema` (whose SDL is `sdl`) and runs operations compiled by graphql-jit. */
export function jitGateway(schema: GraphQLSchema, sdl: string): Gateway {
  const cache: CompiledOperations = new WeakMap();
  type Request = Parameters<GatewayExecutor>[0];
  // The reference execution, for requests refused before any resolver runs: graphql-js words their errors
  // as Apollo expects (it marks a variable that does not fit its type BAD_USER_INPUT by the variable's
  // node, and answers an operation it could not pick with 400).
  const interpreted = (request: Request, variableValues: Record<string, unknown>) =>
    execute({ schema, document: request.document, contextValue: request.context, variableValues, operationName: request.request.operationName });
  const executor: GatewayExecutor = async (request) => {
    const variableValues = request.request.variables ?? {};
    // No operation: none of that name, or several and no name given.
    if (!request.operation) return interpreted(request, variableValues);
    const operation = compiledOperation(schema, cache, request.document, request.request.operationName ?? null);
    if (!isCompiledQuery(operation)) return interpreted(request, variableValues);
    const result = await operation.query(undefined, request.context, variableValues);
    // No data at all: the variables were refused.
    if (!('data' in result)) return interpreted(request, variableValues);
    return result.errors ? { ...result, errors: result.errors.map(withExtensions) } : result;
  };
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: sdl });
      return () => undefined;
    },
    load: async () => ({ executor }),
    stop: async () => undefined,
  };
}
