import type { CategoryData, CategoryRow, NamedRef } from '../graph/shopReads.js';

/**
 * Categories carry their path from the root, so parent and path resolve without a query: an ancestor's path
 * is a prefix of its descendant's.
 */

const prefix = (category: CategoryData, length: number): CategoryData => {
  const path = category.path.slice(0, length);
  const self = path[path.length - 1] as NamedRef;
  return { id: self.id, name: self.name, path };
};

export const parentOf = (category: CategoryData): CategoryData | null =>
  category.path.length < 2 ? null : prefix(category, category.path.length - 1);

export const pathOf = (category: CategoryData): CategoryData[] => category.path.map((_, index) => prefix(category, index + 1));

export const childCategory = (parent: CategoryData, child: NamedRef): CategoryData => ({
  id: child.id,
  name: child.name,
  path: [...parent.path, { id: child.id, name: child.name }],
});

/** Paths for a whole tree given as rows (root first); a row whose chain is broken or cyclic starts its own path. */
export function categoriesWithPaths(rows: readonly CategoryRow[]): CategoryData[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const paths = new Map<string, NamedRef[]>();
  const pathFor = (row: CategoryRow, seen: Set<string>): NamedRef[] => {
    const known = paths.get(row.id);
    if (known) return known;
    const parent = row.parentId === null ? undefined : byId.get(row.parentId);
    const self = { id: row.id, name: row.name };
    const path = parent && !seen.has(parent.id) ? [...pathFor(parent, new Set([...seen, row.id])), self] : [self];
    paths.set(row.id, path);
    return path;
  };
  return rows.map((row) => ({ id: row.id, name: row.name, path: pathFor(row, new Set([row.id])) }));
}
