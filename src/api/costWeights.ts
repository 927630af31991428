import type { ComplexityEstimator } from 'graphql-query-complexity';

/**
 * What each field of the schema costs, in one place. A unit is one field resolved and written into the
 * answer; the fields that rank, search or write cost what they do beyond that, and a list multiplies the
 * cost of what is selected in it by its size. The budget per request (KGREC_API_MAX_COST) is counted in
 * these units, so changing a weight here changes which queries fit.
 */

/** Every field: one value resolved and serialised. Scalars count too, so that a flood of repeated fields is priced. */
export const FIELD_COST = 1;

/**
 * Fields that do much more than read a row, by `Type.field`. The ranking fields score the whole catalogue
 * in memory for every call (far more than any read); the others run one Cypher query of their own.
 */
export const FIELD_WEIGHTS: Readonly<Record<string, number>> = {
  /** Scores every product of the catalogue for the user: the dearest read there is. */
  'Query.recommend': 200,
  /** A full-text index query in Neo4j, then the same ranking as recommend. */
  'Query.search': 200,
  /** A nearest-neighbour scan over the product vectors, without the per-user signals. */
  'Query.similarProducts': 100,
  /** One filtered, paged Cypher query each. */
  'Query.products': 10,
  'Query.auditLog': 10,
  'Query.merchandisingRules': 10,
  'Query.experiments': 10,
  /** Reads every served list of the window with its events and the purchases after its clicks. */
  'Query.experimentResults': 100,
  /** Reads every version's manifest from the models folder (one file each), then returns a page of them. */
  'Query.modelVersions': 10,
  /** Lists the eval folder and reads the newest report with its chart (up to MAX_REPORT_CHART_BYTES). */
  'Query.latestEvaluation': 10,
  /** Batched across users by a DataLoader, so one query per level, not per user. */
  'User.behaviours': 5,
  /** Writes every entity vector of a model version onto the graph: the dearest write. */
  'Mutation.activateModel': 1_000,
  /** Exports the graph's triples before training in the background (one job at a time besides). */
  'Mutation.startRetraining': 500,
};

/** Any other mutation field: a write transaction with its audit entry, which locks what it touches. */
export const MUTATION_WEIGHT = 50;

/** recordEvents: each event is validated, looked up and written (one transaction per call, batched). */
export const EVENT_COST = 1;

/**
 * The argument that sizes a list field (its page size). A default in the schema applies when it is absent;
 * values above the API's maxFirst are refused by the resolvers before any work, so they count as maxFirst.
 */
const SIZE_ARGUMENTS: Readonly<Record<string, string>> = {
  'Query.recommend': 'first',
  'Query.search': 'first',
  'Query.similarProducts': 'first',
  'Query.products': 'first',
  'Query.auditLog': 'first',
  'Query.experiments': 'first',
  'Query.modelVersions': 'first',
  'User.behaviours': 'first',
};

/**
 * Lists without a size argument: the sizes assumed, generous for a shop's catalogue so that the estimate
 * errs high. trainingJobs keeps at most 50 jobs (src/jobs/trainingJobs.ts).
 */
export const ASSUMED_LIST_SIZES: Readonly<Record<string, number>> = {
  'Query.categories': 100,
  'Query.brands': 100,
  'Query.merchandisingRules': 50,
  'Query.trainingJobs': 50,
  // The report's limits (src/jobs/evaluationReports.ts) allow more; kgrec eval reports about this many.
  'EvaluationReport.models': 15,
  'EvaluatedModel.metrics': 10,
  'Category.children': 20,
  'Category.path': 5,
  'Product.relations': 10,
  // MAX_ATTRIBUTES_PER_PRODUCT bounds it; a product page lists about this many.
  'Product.attributes': 10,
  'Recommendation.reasons': 3,
  'Recommendation.breakdown': 6,
};

export interface CostBounds {
  /** The API's largest page size (KGREC_API_MAX_FIRST): a larger `first` is refused before it costs anything. */
  maxFirst: number;
  /** The most events one recordEvents call may carry (KGREC_API_MAX_EVENTS); longer calls are refused unread. */
  maxEventsPerRequest: number;
}

/**
 * The arguments whose values the estimator reads: a list's size, and recordEvents' events (by their number).
 * Every other argument leaves the cost as it is, which is what lets a price be reused (queryCost.ts).
 */
export const COST_ARGUMENTS: ReadonlySet<string> = new Set([...Object.values(SIZE_ARGUMENTS), 'events']);

/**
 * The estimator for graphql-query-complexity: a field's cost is its own (FIELD_COST plus its weight) plus
 * the cost of its selection times its list size. The size multiplies the whole selection of a ranking or
 * page (its `strategy` or `pageInfo` too): a slight overestimate, kept because the size is an argument of
 * the field while the list is one of its children.
 */
export function fieldCostEstimator(bounds: CostBounds): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const key = `${type.name}.${field.name}`;
    const weight = FIELD_WEIGHTS[key] ?? (type.name === 'Mutation' ? MUTATION_WEIGHT : 0);
    const events = key === 'Mutation.recordEvents' && Array.isArray(args.events) ? Math.min(args.events.length, bounds.maxEventsPerRequest) : 0;
    return FIELD_COST + weight + events * EVENT_COST + listSize(key, args, bounds) * childComplexity;
  };
}

function listSize(key: string, args: Record<string, unknown>, bounds: CostBounds): number {
  const argument = SIZE_ARGUMENTS[key];
  if (argument !== undefined) {
    const value = args[argument];
    return typeof value === 'number' && Number.isFinite(value) ? Math.min(Math.max(Math.trunc(value), 0), bounds.maxFirst) : 0;
  }
  return ASSUMED_LIST_SIZES[key] ?? 1;
}
