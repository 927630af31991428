import { useClient } from '@urql/preact';
import { useState } from 'preact/hooks';
import { CategoryOptions, categoryTree, useCatalogue } from '../catalogue.js';
import { namesField, problemOf, type ApiProblem } from '../errors.js';
import { CREATE_BRAND, CREATE_CATEGORY, UPDATE_BRAND, UPDATE_CATEGORY } from '../graphql.js';
import { href } from '../router.js';
import { Done, Empty, Field, Loading, Problem } from '../ui.js';

/** Categories and brands; merchandisers create and rename them, and the API's validation speaks for itself. */
export function Catalogue({ canEdit }: { canEdit: boolean }) {
  const { categories, brands, fetching } = useCatalogue();
  if (fetching && categories.length === 0) return <Loading what="the catalogue" />;
  return (
    <section aria-labelledby="catalogue-title">
      <h1 id="catalogue-title">Catalogue</h1>
      <div class="columns">
        <div>
          <h2>Categories</h2>
          {categories.length === 0 ? <Empty>No categories.</Empty> : (
            <ul class="tree">
              {categoryTree(categories).map(({ category, depth }) => (
                <li key={category.id} class={`depth-${Math.min(depth, 4)}`}><a href={href('products', null, { category: category.id })}>{category.name}</a> <small>{category.id}</small></li>
              ))}
            </ul>
          )}
          {canEdit && <CatalogueForm kind="category" />}
        </div>
        <div>
          <h2>Brands</h2>
          {brands.length === 0 ? <Empty>No brands.</Empty> : (
            <ul>{brands.map((brand) => <li key={brand.id}><a href={href('products', null, { brand: brand.id })}>{brand.name}</a> <small>{brand.id}</small></li>)}</ul>
          )}
          {canEdit && <CatalogueForm kind="brand" />}
        </div>
      </div>
    </section>
  );
}

function CatalogueForm({ kind }: { kind: 'category' | 'brand' }) {
  const client = useClient();
  const { categories } = useCatalogue();
  const [mode, setMode] = useState<'create' | 'update'>('create');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState('');
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const prefix = `${kind}-${mode}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const input = kind === 'brand' ? { id, name } : mode === 'create' ? { id, name, ...(parentId ? { parentId } : {}) } : { id, ...(name ? { name } : {}), ...(parentId ? { parentId } : {}) };
    const document = kind === 'brand' ? (mode === 'create' ? CREATE_BRAND : UPDATE_BRAND) : mode === 'create' ? CREATE_CATEGORY : UPDATE_CATEGORY;
    const result = await client.mutation(document, { input }, { additionalTypenames: ['Category', 'Brand'] }).toPromise();
    setProblem(problemOf(result.error));
    if (result.error) return;
    setSaved(`${mode === 'create' ? 'Created' : 'Saved'} ${kind} ${id}.`);
    client.query('query Catalogue { categories { id name parent { id } } brands { id name } }', {}, { requestPolicy: 'network-only' }).toPromise();
  };
  return (
    <form class="inline" onSubmit={submit} aria-label={`${mode === 'create' ? 'New' : 'Edit'} ${kind}`}>
      <h3>{mode === 'create' ? 'New' : 'Edit'} {kind}</h3>
      <Field label="Mode" id={`${prefix}-mode`}>
        <select id={`${prefix}-mode`} value={mode} onChange={(e) => setMode(e.currentTarget.value as 'create' | 'update')}>
          <option value="create">create</option>
          <option value="update">rename{kind === 'category' ? ' or move' : ''}</option>
        </select>
      </Field>
      <Field label={`${kind === 'brand' ? 'Brand' : 'Category'} id`} id={`${prefix}-id`} invalid={namesField(problem, 'id')}>
        <input id={`${prefix}-id`} value={id} onInput={(e) => setId(e.currentTarget.value)} aria-invalid={namesField(problem, 'id')} />
      </Field>
      <Field label="Name" id={`${prefix}-name`} invalid={namesField(problem, 'name')}>
        <input id={`${prefix}-name`} value={name} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={namesField(problem, 'name')} />
      </Field>
      {kind === 'category' && (
        <Field label="Parent category" id={`${prefix}-parent`} invalid={namesField(problem, 'parentId')}>
          <select id={`${prefix}-parent`} value={parentId} onChange={(e) => setParentId(e.currentTarget.value)}>
            <option value="">{mode === 'create' ? 'none (a root)' : 'unchanged'}</option>
            <CategoryOptions categories={categories} />
          </select>
        </Field>
      )}
      <button type="submit">{mode === 'create' ? 'Create' : 'Save'}</button>
      <Problem problem={problem} />
      {saved && <Done>{saved}</Done>}
    </form>
  );
}
