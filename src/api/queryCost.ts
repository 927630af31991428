import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { GraphQLError, Kind, parse, TypeInfo, ValidationContext, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { createComplexityRule, type ComplexityEstimator } from 'graphql-query-complexity';
import { COST_ARGUMENTS, fieldCostEstimator, type CostBounds } from './costWeights.js';
import { depthError, fragmentsOf } from './limits.js';
import { QueryTextCache } from './queryTextCache.js';

/**
 * Prices an operation before anything else looks at it: its size in tokens (graphql's parser stops past
 * the limit), its depth (limits.ts), its aliases (graphql-armor's
 * rule), then its cost (graphql-query-complexity with the weights of costWeights.ts). graphql's own
 * validation comes after, and only for operations within the limits: some of its rules grow faster than
 * the document, so a huge one must be refused before they run.
 */

/** What an operation costs against the budget of one request, as reported in `extensions.cost`. */
export interface QueryCost {
  requested: number;
  limit: number;
}

export type CostVerdict =
  /** Not an operation this check can price (no text, a syntax error, variables that do not fit): GraphQL answers it with its own error. */
  | { kind: 'unpriced' }
  | { kind: 'priced'; cost: QueryCost }
  | { kind: 'refused'; error: GraphQLError; cost?: QueryCost };

export interface CostLimits extends CostBounds {
  maxCost: number;
  /** The most tokens (names, punctuation, values) a query text may have: bounds what parsing it costs. */
  maxTokens: number;
  maxAliases: number;
  /** Checked first, as graphql's validation would (limits.ts): nesting multiplies the cost, and its error says more. */
  maxDepth: number;
}

export const TOO_COSTLY = 'QUERY_TOO_COSTLY';
export const TOO_MANY_ALIASES = 'TOO_MANY_ALIASES';

/**
 * Fields walked at most while pricing; past this the operation is refused as too costly without finishing
 * the walk. Far above what the default budget lets through, since every field costs at least one unit.
 */
const MAX_PRICED_NODES = 50_000;

/** How graphql's parser words the token limit (language/parser.ts; "more that" in graphql 16). */
const TOKEN_LIMIT_MESSAGE = /Document contains more tha[nt] \d+ tokens/;

/**
 * Prices kept for reuse: a text's price changes only with the variables that feed its cost arguments
 * (COST_ARGUMENTS), so a frontend's few query shapes are priced once per page size instead of per request.
 * Past this many, or this many characters of keys in all (a key holds its query text, up to a body's
 * size), the cache starts afresh.
 */
const MAX_PRICES = 10_000;
const MAX_PRICE_KEY_CHARS = 4_000_000;

/** A parsed text and the variables its price depends on. */
interface ParsedText {
  document: DocumentNode;
  costVariables: readonly string[];
}

/** The variables used (at any depth) in the value of a cost argument, in document order. */
function costVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(argument) {
      if (!COST_ARGUMENTS.has(argument.name.value)) return;
      visit(argument.value, { Variable: (variable) => void names.add(variable.name.value) });
    },
  });
  return [...names];
}

/** What a variable adds to a price's key: recordEvents' events count by their number, not their content. */
const costPart = (value: unknown): unknown => (Array.isArray(value) ? { length: value.length } : value);

export interface OperationRequest {
  query: string;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
}

export interface QueryPricer {
  /** Prices a query text (parsed once per distinct text). */
  priceText(request: OperationRequest): CostVerdict;
  /** Prices a parsed document (for those that reach GraphQL without a text, e.g. persisted queries). */
  priceDocument(document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): CostVerdict;
}

export function queryPricer(schema: GraphQLSchema, limits: CostLimits): QueryPricer {
  const parsed = textParser(limits.maxTokens);
  const priceDocument = documentPricer(schema, limits);
  const prices = new QueryTextCache<CostVerdict>(MAX_PRICES, MAX_PRICE_KEY_CHARS);
  return {
    priceText(request) {
      const text = parsed(request.query);
      if (text === null) return { kind: 'unpriced' };
      if (text instanceof GraphQLError) return { kind: 'refused', error: text };
      const key = JSON.stringify([request.query, request.operationName ?? null, text.costVariables.map((name) => costPart(request.variables?.[name]))]);
      const known = prices.get(key);
      if (known !== undefined) return known;
      const verdict = priceDocument(text.document, request.variables, request.operationName);
      // An unpriced operation (variables that do not fit) may be priced with other values of the same key.
      if (verdict.kind === 'unpriced') return verdict;
      prices.set(key, verdict);
      return verdict;
    },
    priceDocument,
  };
}

/** The document of a text, parsed once; the refusal of a text past the token limit; null for a syntax error. */
function textParser(maxTokens: number): (query: string) => ParsedText | GraphQLError | null {
  const documents = new QueryTextCache<ParsedText>();
  return (query) => {
    const known = documents.get(query);
    if (known !== undefined) return known;
    let document: DocumentNode;
    try {
      // Without locations: they cost more to build than the rest of the parse, and a refusal needs none.
      document = parse(query, { noLocation: true, maxTokens });
    } catch (error) {
      // The parser stops at the limit, so a flood costs no more to refuse than a document of that size.
      if (error instanceof GraphQLError && TOKEN_LIMIT_MESSAGE.test(error.message)) {
        return tooCostly(`the operation has more than ${maxTokens} tokens; at most ${maxTokens} are allowed`, undefined, { maxTokens });
      }
      return null; // GraphQL answers it with its syntax error
    }
    const text = { document, costVariables: costVariablesOf(document) };
    documents.set(query, text);
    return text;
  };
}

/** Prices a parsed document against the limits: depth, then aliases, then cost. */
function documentPricer(schema: GraphQLSchema, limits: CostLimits): QueryPricer['priceDocument'] {
  const estimators = [fieldCostEstimator(limits)];
  return (document, variables, operationName) => {
    const operations = operationsToPrice(document, operationName);
    if (operations.length === 0) return { kind: 'unpriced' };
    const fragments = fragmentsOf(document);
    for (const operation of operations) {
      const error = depthError(operation, fragments, limits.maxDepth);
      if (error) return { kind: 'refused', error };
    }
    const errors: GraphQLError[] = [];
    const context = new ValidationContext(schema, document, new TypeInfo(schema), (error) => errors.push(error));
    // The rules are run on the operations directly rather than through graphql's validate: both do their
    // work when an operation is entered, and a full walk of a flood with type information is the slow part.
    const aliasRefusal = tooManyAliases(context, operations, limits.maxAliases);
    if (aliasRefusal) return { kind: 'refused', error: aliasRefusal };
    const requested = costOf(context, operations, estimators, variables);
    if (requested === null) return { kind: 'refused', error: tooCostly(`the operation selects more than ${MAX_PRICED_NODES} fields`, undefined) };
    // Variables that do not fit their types: GraphQL refuses the operation before it runs, in its own words.
    if (errors.length > 0) return { kind: 'unpriced' };
    const measured = { requested, limit: limits.maxCost };
    if (requested > limits.maxCost) {
      return { kind: 'refused', error: tooCostly(`the operation costs ${requested}; at most ${limits.maxCost} is allowed per request`, measured), cost: measured };
    }
    return { kind: 'priced', cost: measured };
  };
}

/** The operations a request runs: only the one a name picks, else all (none of that name: GraphQL says so). */
function operationsToPrice(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode[] {
  return document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName),
  );
}

/** graphql-armor's alias rule on the operations: the refusal, with this API's code, or undefined within the limit. */
function tooManyAliases(context: ValidationContext, operations: readonly OperationDefinitionNode[], maxAliases: number): GraphQLError | undefined {
  let aliasError: GraphQLError | undefined;
  const aliases = maxAliasesRule({
    n: maxAliases,
    // Reported here rather than thrown, so the error carries this API's code.
    propagateOnRejection: false,
    onReject: [(_context, error) => (aliasError = error)],
  })(context);
  for (const operation of operations) aliases.onOperationDefinitionEnter(operation);
  if (!aliasError) return undefined;
  const found = /found (-?\d+)/.exec(aliasError.message)?.[1];
  return new GraphQLError(`the operation uses ${found ?? 'too many'} aliases; at most ${maxAliases} are allowed`, {
    extensions: { code: TOO_MANY_ALIASES, maxAliases, ...(found ? { aliases: Number(found) } : {}) },
  });
}

/**
 * The summed cost of the operations by graphql-query-complexity; null when the walk stopped past
 * MAX_PRICED_NODES fields.
 */
function costOf(
  context: ValidationContext,
  operations: readonly OperationDefinitionNode[],
  estimators: ComplexityEstimator[],
  variables: Record<string, unknown> | undefined,
): number | null {
  let requested = 0;
  // The budget is compared by the caller, not by the rule, so that the cost is known either way.
  const cost = createComplexityRule({
    maximumComplexity: Number.MAX_SAFE_INTEGER,
    estimators,
    variables: variables ?? {},
    maxQueryNodes: MAX_PRICED_NODES,
    // The total so far over the operations priced.
    onComplete: (complexity: number) => (requested = complexity),
  })(context);
  try {
    for (const operation of operations) {
      cost.onOperationDefinitionEnter(operation);
      cost.onOperationDefinitionLeave(operation);
    }
  } catch (error) {
    // The only error the pricing throws: more fields than MAX_PRICED_NODES.
    if (!(error instanceof GraphQLError)) throw error;
    return null;
  }
  return requested;
}

function tooCostly(message: string, cost: QueryCost | undefined, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: TOO_COSTLY, ...(cost ? { cost } : {}), ...extra } });
}
