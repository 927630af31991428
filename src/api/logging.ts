import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { Logger } from 'pino';
import { codeOf, isClientError } from './errors.js';
import { operationLabel } from './metrics.js';

/**
 * One structured log line per GraphQL request (operation, duration, error codes) and the full details of
 * every internal error, which clients only see as INTERNAL_SERVER_ERROR.
 */
export function loggingPlugin(logger: Logger): ApolloServerPlugin<{ requestId?: string }> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      const log = logger.child({ requestId: contextValue.requestId });
      return {
        async didEncounterErrors({ operation, errors }) {
          for (const error of errors) {
            if (isClientError(error)) continue;
            log.error({ operation: operationLabel(operation), err: error.originalError ?? error, path: error.path }, 'internal error');
          }
        },
        async willSendResponse({ operation, errors }) {
          logGraphQLRequest(log, operation, performance.now() - started, errors);
        },
      };
    },
  };
}

/** The one line per GraphQL request, from Apollo's pipeline or the direct path (directQueries.ts). */
export function logGraphQLRequest(
  log: Logger,
  operation: OperationDefinitionNode | null | undefined,
  durationMs: number,
  errors?: ReadonlyArray<{ extensions?: Record<string, unknown> | undefined }>,
): void {
  log.info({ operation: operationLabel(operation), durationMs: Math.round(durationMs * 10) / 10, errors: errors?.map((error) => codeOf(error)) }, 'graphql request');
}
