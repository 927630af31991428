import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The API's error vocabulary. Every error a client can act on is a GraphQLError with extensions.code;
 * anything else is an internal failure, logged with its details and answered without them.
 */

/** `field` is a path into the input, e.g. `events[3].timestamp` or `first`. */
export function badInput(field: string, reason: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(`${field}: ${reason}`, { extensions: { code: 'BAD_USER_INPUT', field, ...extra } });
}

export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${JSON.stringify(id)} not found`, { extensions: { code: 'NOT_FOUND', id } });
}

/** `extra` adds details a client can act on, e.g. `reason: 'TOKEN_EXPIRED'` for a refused shopper token. */
export function unauthenticated(reason: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED', ...extra, http: { status: 401 } } });
}

export function forbidden(reason: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(reason, { extensions: { code: 'FORBIDDEN', ...extra } });
}

/** The request is valid but clashes with the server's state, e.g. a second training job while one runs. */
export function conflict(reason: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(reason, { extensions: { code: 'CONFLICT', ...extra } });
}

/** Codes that describe the request, not the server: passed to the client as they are. */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COSTLY',
  'TOO_MANY_ALIASES',
  'RATE_LIMITED',
]);

export const INTERNAL_MESSAGE = 'internal server error';

/** The code Apollo gave an error, or INTERNAL_SERVER_ERROR. */
export function codeOf(error: { extensions?: Record<string, unknown> | undefined }): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** True when the error describes the request (the client may see it in full), not a failure of the server. */
export const isClientError = (error: { extensions?: Record<string, unknown> | undefined }): boolean => CLIENT_CODES.has(codeOf(error));

/**
 * Apollo's formatError: client errors as they are; anything else (a Neo4j failure, a bug) reduced to a code
 * and a generic message. The logging plugin has already recorded the details.
 */
export function formatError(formatted: GraphQLFormattedError, _error: unknown): GraphQLFormattedError {
  if (isClientError(formatted)) return formatted;
  return {
    message: INTERNAL_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
