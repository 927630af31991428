import type { CatalogueProduct, CatalogueSnapshot } from './catalogueSnapshot.js';
import type { ProductFilter } from './types.js';

/** A predicate for a filter, with the category subtree and brand set resolved once rather than per product. */
export function compileFilter(filter: ProductFilter | undefined, snapshot: CatalogueSnapshot): (product: CatalogueProduct) => boolean {
  if (!filter) return () => true;
  const categories = filter.categoryId === undefined ? null : snapshot.subtree(filter.categoryId);
  const brands = filter.brandIds === undefined ? null : new Set(filter.brandIds);
  const { minPrice, maxPrice, inStockOnly } = filter;
  return (product) =>
    (categories === null || (product.categoryId !== null && categories.has(product.categoryId))) &&
    (brands === null || (product.brandId !== null && brands.has(product.brandId))) &&
    (minPrice === undefined || (product.price !== null && product.price >= minPrice)) &&
    (maxPrice === undefined || (product.price !== null && product.price <= maxPrice)) &&
    (!inStockOnly || product.inStock);
}
