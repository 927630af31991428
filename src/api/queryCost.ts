import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { GraphQLError, Kind, parse, TypeInfo, ValidationContext, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { createComplexityRule } from 'graphql-query-complexity';
import { COST_ARGUMENTS, fieldCostEstimator, type CostBounds } from './costWeights.js';
import { depthError, fragmentsOf } from './limits.js';

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
 * Parsed query texts kept, as in directQueries.ts: past this many, or this many characters in all, the
 * cache starts afresh (frontends send a handful of shapes; the bound is for clients that send many).
 */
const MAX_DOCUMENTS = 1_000;
const MAX_DOCUMENT_CHARS = 4_000_000;

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
  const estimators = [fieldCostEstimator(limits)];
  const documents = new Map<string, ParsedText>();
  let documentChars = 0;
  const prices = new Map<string, CostVerdict>();
  let priceKeyChars = 0;

  /** The document of a text, parsed once; the refusal of a text past the token limit; null for a syntax error. */
  const parsed = (query: string): ParsedText | GraphQLError | null => {
    const known = documents.get(query);
    if (known !== undefined) return known;
    let document: DocumentNode;
    try {
      // Without locations: they cost more to build than the rest of the parse, and a refusal needs none.
      document = parse(query, { noLocation: true, maxTokens: limits.maxTokens });
    } catch (error) {
      // The parser stops at the limit, so a flood costs no more to refuse than a document of that size.
      if (error instanceof GraphQLError && TOKEN_LIMIT_MESSAGE.test(error.message)) {
        return tooCostly(`the operation has more than ${limits.maxTokens} tokens; at most ${limits.maxTokens} are allowed`, undefined, { maxTokens: limits.maxTokens });
      }
      return null; // GraphQL answers it with its syntax error
    }
    if (documents.size >= MAX_DOCUMENTS || documentChars + query.length > MAX_DOCUMENT_CHARS) {
      documents.clear();
      documentChars = 0;
    }
    const text = { document, costVariables: costVariablesOf(document) };
    documents.set(query, text);
    documentChars += query.length;
    return text;
  };

  const priceDocument: QueryPricer['priceDocument'] = (document, variables, operationName) => {
    // Only the operation that runs is priced when a name picks it; none of that name: GraphQL says so.
    const operations = document.definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName),
    );
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
    let aliasError: GraphQLError | undefined;
    const aliases = maxAliasesRule({
      n: limits.maxAliases,
      // Reported here rather than thrown, so the error carries this API's code.
      propagateOnRejection: false,
      onReject: [(_context, error) => (aliasError = error)],
    })(context);
    for (const operation of operations) aliases.onOperationDefinitionEnter(operation);
    if (aliasError) {
      const found = /found (-?\d+)/.exec(aliasError.message)?.[1];
      return {
        kind: 'refused',
        error: new GraphQLError(`the operation uses ${found ?? 'too many'} aliases; at most ${limits.maxAliases} are allowed`, {
          extensions: { code: TOO_MANY_ALIASES, maxAliases: limits.maxAliases, ...(found ? { aliases: Number(found) } : {}) },
        }),
      };
    }

    let requested = 0;
    // The budget is compared here, not by the rule, so that the cost is known either way.
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
      return { kind: 'refused', error: tooCostly(`the operation selects more than ${MAX_PRICED_NODES} fields`, undefined) };
    }
    // Variables that do not fit their types: GraphQL refuses the operation before it runs, in its own words.
    if (errors.length > 0) return { kind: 'unpriced' };
    const measured = { requested, limit: limits.maxCost };
    if (requested > limits.maxCost) {
      return { kind: 'refused', error: tooCostly(`the operation costs ${requested}; at most ${limits.maxCost} is allowed per request`, measured), cost: measured };
    }
    return { kind: 'priced', cost: measured };
  };

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
      if (prices.size >= MAX_PRICES || priceKeyChars + key.length > MAX_PRICE_KEY_CHARS) {
        prices.clear();
        priceKeyChars = 0;
      }
      prices.set(key, verdict);
      priceKeyChars += key.length;
      return verdict;
    },
    priceDocument,
  };
}

function tooCostly(message: string, cost: QueryCost | undefined, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: TOO_COSTLY, ...(cost ? { cost } : {}), ...extra } });
}
