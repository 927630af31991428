import type { ApolloServerPlugin } from '@apollo/server';
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
          log.info(
            {
              operation: operationLabel(operation),
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              errors: errors?.map((error) => codeOf(error)),
            },
            'graphql request',
          );
        },
      };
    },
  };
}
