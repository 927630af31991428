import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { codeOf } from './errors.js';
import { createExperimentMetrics, type ExperimentMetrics } from './experimentMetrics.js';

/**
 * Prometheus metrics of the API: requests, errors by code, and latency per operation. Each server has its
 * own registry, so several servers in one process (tests) never clash.
 */

/** Latency buckets in seconds: from a cached hit (5 ms) to a slow cold query (5 s). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** More root fields than this in one operation are labelled `multiple`, keeping label values few. */
const MAX_LABELLED_FIELDS = 3;

const labels = new WeakMap<OperationDefinitionNode, string>();

/**
 * The operation label: its type and root fields (`query:recommend`). Client-chosen operation names would
 * let any client create unbounded label values; root fields are bounded by the schema.
 */
export function operationLabel(operation: OperationDefinitionNode | null | undefined): string {
  if (!operation) return 'unknown';
  // Both paths hand over cached documents, so each operation's label is worked out once, not per request.
  const known = labels.get(operation);
  if (known !== undefined) return known;
  const fields = operation.selectionSet.selections.map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : 'fragment'));
  const unique = [...new Set(fields)].sort();
  const label = `${operation.operation}:${unique.length > MAX_LABELLED_FIELDS ? 'multiple' : unique.join(',')}`;
  labels.set(operation, label);
  return label;
}

export interface ApiMetrics {
  registry: Registry;
  plugin: ApolloServerPlugin;
  /** Counts a request answered by the direct path (directQueries.ts), as the plugin counts Apollo's. */
  answeredDirectly(operation: OperationDefinitionNode, durationMs: number): void;
  /** Experiments per variant (src/api/experimentMetrics.ts). */
  experiments: ExperimentMetrics;
}

export function createMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kgrec_api_' });
  const requests = new Counter({
    name: 'kgrec_graphql_requests_total',
    help: 'GraphQL operations answered, by operation',
    labelNames: ['operation'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'kgrec_graphql_errors_total',
    help: 'GraphQL errors returned, by operation and error code',
    labelNames: ['operation', 'code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'kgrec_graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL operation to sending its response, by operation',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const direct = new Counter({
    name: 'kgrec_graphql_direct_requests_total',
    help: 'GraphQL queries answered by the direct path (compiled, without errors) rather than Apollo Server\'s pipeline, by operation; also counted in kgrec_graphql_requests_total',
    labelNames: ['operation'],
    registers: [registry],
  });
  const answered = (label: string, seconds: number): void => {
    requests.inc({ operation: label });
    latency.observe({ operation: label }, seconds);
  };
  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didEncounterErrors({ operation, errors: encountered }) {
          const label = operationLabel(operation);
          for (const error of encountered) errors.inc({ operation: label, code: codeOf(error) });
        },
        async willSendResponse({ operation }) {
          answered(operationLabel(operation), (performance.now() - started) / 1000);
        },
      };
    },
  };
  return {
    registry,
    plugin,
    experiments: createExperimentMetrics(registry),
    answeredDirectly(operation, durationMs) {
      const label = operationLabel(operation);
      answered(label, durationMs / 1000);
      direct.inc({ operation: label });
    },
  };
}
