import { useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { CategoryOptions, useCatalogue } from '../catalogue.js';
import { problemOf } from '../errors.js';
import { BROWSE, SEARCH, type PageInfo, type ProductRow, type Recommendations } from '../graphql.js';
import { href, navigate } from '../router.js';
import { Empty, Field, Loading, Problem, ProductLink } from '../ui.js';

/** Search and browse: the server searches, filters and pages; the page holds one page of products. */
const PAGE_SIZE = 20;

export function Products({ params }: { params: URLSearchParams }) {
  const query = params.get('q') ?? '';
  const categoryId = params.get('category') ?? '';
  const brandId = params.get('brand') ?? '';
  const after = params.get('after') ?? '';
  const [text, setText] = useState(query);
  const { categories, brands } = useCatalogue();
  const go = (changes: Record<string, string>) => navigate(href('products', null, { q: query, category: categoryId, brand: brandId, ...changes }));
  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">Products</h1>
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); go({ q: text.trim(), after: '' }); }}>
        <Field label="Search products" id="search">
          <input id="search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="a word of the title" />
        </Field>
        <Field label="Category" id="category">
          <select id="category" value={categoryId} onChange={(e) => go({ category: e.currentTarget.value, after: '' })}>
            <option value="">All categories</option>
            <CategoryOptions categories={categories} />
          </select>
        </Field>
        <Field label="Brand" id="brand">
          <select id="brand" value={brandId} onChange={(e) => go({ brand: e.currentTarget.value, after: '' })}>
            <option value="">All brands</option>
            {brands.map((brand) => <option key={brand.id} value={brand.id}>{brand.name}</option>)}
          </select>
        </Field>
        <button type="submit">Search</button>
      </form>
      {query ? <SearchResults query={query} categoryId={categoryId} brandId={brandId} /> : <Browse categoryId={categoryId} brandId={brandId} after={after} onPage={(cursor) => go({ after: cursor })} />}
    </section>
  );
}

const filterOf = (categoryId: string, brandId: string) => ({ ...(categoryId ? { categoryId } : {}), ...(brandId ? { brandIds: [brandId] } : {}) });

function SearchResults({ query, categoryId, brandId }: { query: string; categoryId: string; brandId: string }) {
  const [result] = useQuery<{ search: Recommendations }>({ query: SEARCH, variables: { query, first: PAGE_SIZE, filter: filterOf(categoryId, brandId) } });
  if (result.fetching && !result.data) return <Loading what="search results" />;
  if (result.error) return <Problem problem={problemOf(result.error)} />;
  const rows = result.data?.search.items.map((item) => item.product) ?? [];
  return <ProductTable rows={rows} caption={`Best ${rows.length} matches for “${query}”`} />;
}

function Browse({ categoryId, brandId, after, onPage }: { categoryId: string; brandId: string; after: string; onPage: (cursor: string) => void }) {
  const [result] = useQuery<{ products: { nodes: ProductRow[]; pageInfo: PageInfo } }>({
    query: BROWSE,
    variables: { filter: filterOf(categoryId, brandId), first: PAGE_SIZE, ...(after ? { after } : {}) },
  });
  if (result.fetching && !result.data) return <Loading what="products" />;
  if (result.error) return <Problem problem={problemOf(result.error)} />;
  const page = result.data?.products;
  return (
    <>
      <ProductTable rows={page?.nodes ?? []} caption="Products by id" />
      <div class="pager">
        {after && <button type="button" onClick={() => history.back()}>Previous page</button>}
        {page?.pageInfo.hasNextPage && page.pageInfo.endCursor && <button type="button" onClick={() => onPage(page.pageInfo.endCursor ?? '')}>Next page</button>}
      </div>
    </>
  );
}

function ProductTable({ rows, caption }: { rows: ProductRow[]; caption: string }) {
  if (rows.length === 0) return <Empty>No products match.</Empty>;
  return (
    <table data-testid="product-results">
      <caption>{caption}</caption>
      <thead>
        <tr><th scope="col">Product</th><th scope="col">Category</th><th scope="col">Brand</th><th scope="col">Price</th><th scope="col">Stock</th></tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id}>
            <td><ProductLink id={row.id} title={row.title} /> <small>{row.id}</small></td>
            <td>{row.category?.name ?? '–'}</td>
            <td>{row.brand?.name ?? '–'}</td>
            <td>{row.price === null ? '–' : `${row.price.toFixed(2)} ${row.currency ?? ''}`}</td>
            <td>{row.inStock ? 'in stock' : 'out of stock'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
