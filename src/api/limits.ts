import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { ProductFilter } from '../ranking/types.js';
import { badInput } from './errors.js';

/** Checks a page size: a whole number from 1 to `max`. */
export function checkFirst(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw badInput(field, `expected a whole number from 1 to ${max}, got ${value}`);
  return value;
}

/** Checks a list argument's length. */
export function checkListLength(field: string, length: number, max: number): void {
  if (length > max) throw badInput(field, `at most ${max} entries, got ${length}`);
}

/** A GraphQL ProductFilter as the ranking's filter, checked: prices finite, non-negative and in order. */
export function checkFilter(filter: GraphQLProductFilter | null | undefined, maxIds: number): ProductFilter | undefined {
  if (!filter) return undefined;
  const { categoryId, brandIds, minPrice, maxPrice, inStockOnly } = filter;
  for (const [name, price] of [['minPrice', minPrice], ['maxPrice', maxPrice]] as const) {
    if (price !== null && price !== undefined && (!Number.isFinite(price) || price < 0)) throw badInput(`filter.${name}`, `expected a price ≥ 0, got ${price}`);
  }
  if (minPrice != null && maxPrice != null && minPrice > maxPrice) throw badInput('filter.maxPrice', `expected at least minPrice (${minPrice}), got ${maxPrice}`);
  if (brandIds) checkListLength('filter.brandIds', brandIds.length, maxIds);
  return {
    categoryId: categoryId ?? undefined,
    brandIds: brandIds ?? undefined,
    minPrice: minPrice ?? undefined,
    maxPrice: maxPrice ?? undefined,
    inStockOnly: inStockOnly ?? undefined,
  };
}

/** ProductFilter as GraphQL hands it over: absent and null both mean "no condition". */
export interface GraphQLProductFilter {
  categoryId?: string | null;
  brandIds?: string[] | null;
  minPrice?: number | null;
  maxPrice?: number | null;
  inStockOnly?: boolean | null;
}

/**
 * A validation rule refusing operations nested deeper than `maxDepth` fields. Nesting costs one batched
 * query per level, so depth is what bounds the work of one request. Introspection (`__schema`, `__type`)
 * is not counted: tools nest it deeply, and it is switched off in production.
 */
export function depthLimit(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(node) {
      const error = depthError(node, fragmentsOf(context.getDocument()), maxDepth);
      if (error) context.reportError(error);
    },
  });
}

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** The error of an operation nested deeper than `maxDepth` fields (as graphql's validation words it), else null. */
export function depthError(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, maxDepth: number): GraphQLError | null {
  const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        deepest = Math.max(deepest, 1 + (selection.selectionSet ? depthOf(selection.selectionSet, visiting) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A cycle among fragments is reported by graphql's own rules; here it just stops the walk.
        if (!fragment || visiting.has(name)) continue;
        deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...visiting, name])));
      }
    }
    return deepest;
  };
  const depth = depthOf(operation.selectionSet, new Set());
  if (depth <= maxDepth) return null;
  return new GraphQLError(`the operation nests ${depth} levels of fields; at most ${maxDepth} are allowed`, {
    nodes: [operation],
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });
}

const CURSOR_PREFIX = 'product:';

/** Cursors are opaque to clients: the last product id of a page, base64url-encoded. */
export const encodeCursor = (productId: string): string => Buffer.from(`${CURSOR_PREFIX}${productId}`, 'utf8').toString('base64url');

export function decodeCursor(field: string, cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX) || text.length === CURSOR_PREFIX.length) throw badInput(field, `not a cursor of this API: ${JSON.stringify(cursor)}`);
  return text.slice(CURSOR_PREFIX.length);
}

const AUDIT_CURSOR_PREFIX = 'audit:';

/** Audit cursors: the time and id of the last entry of a page (entries are ordered by both), base64url-encoded. */
export const encodeAuditCursor = (entry: { at: number; id: string }): string =>
  Buffer.from(`${AUDIT_CURSOR_PREFIX}${entry.at}:${entry.id}`, 'utf8').toString('base64url');

export function decodeAuditCursor(field: string, cursor: string): { at: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^audit:(\d+):(.+)$/.exec(text);
  if (!match?.[1] || !match[2]) throw badInput(field, `not a cursor of the audit log: ${JSON.stringify(cursor)}`);
  return { at: Number(match[1]), id: match[2] };
}
