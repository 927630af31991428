import { useQuery } from '@urql/preact';
import { CATALOGUE, type CategoryNode, type CategoryRef } from './graphql.js';

/** Categories and brands, shared by the pages that filter or edit by them (one small query, cached). */
export function useCatalogue(): { categories: CategoryNode[]; brands: CategoryRef[]; fetching: boolean } {
  const [result] = useQuery<{ categories: CategoryNode[]; brands: CategoryRef[] }>({ query: CATALOGUE });
  return { categories: result.data?.categories ?? [], brands: result.data?.brands ?? [], fetching: result.fetching };
}

/** Categories in tree order, each with its depth, for indented options. */
export function categoryTree(categories: readonly CategoryNode[]): { category: CategoryNode; depth: number }[] {
  const children = new Map<string | null, CategoryNode[]>();
  for (const category of categories) {
    const parent = category.parent?.id ?? null;
    children.set(parent, [...(children.get(parent) ?? []), category]);
  }
  const out: { category: CategoryNode; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const category of [...(children.get(parent) ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
      out.push({ category, depth });
      walk(category.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export function CategoryOptions({ categories }: { categories: readonly CategoryNode[] }) {
  return (
    <>
      {categoryTree(categories).map(({ category, depth }) => (
        <option key={category.id} value={category.id}>
          {`${'\u00a0\u00a0'.repeat(depth)}${category.name}`}
        </option>
      ))}
    </>
  );
}
