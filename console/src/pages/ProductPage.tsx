import { useMutation, useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { namesField, problemOf, type ApiProblem } from '../errors.js';
import { PRODUCT, RELATE, RELATION_TYPES, UNRELATE, type ProductDetail, type Recommendations } from '../graphql.js';
import { href } from '../router.js';
import { Done, Empty, Field, formatScore, formatTime, Loading, Problem, ProductLink } from '../ui.js';
import { Neighbourhood } from './Neighbourhood.js';

/** The schema's defaults; the configured list is read from the schema where introspection is on. */
const DEFAULT_RELATION_TYPES = ['COMPLEMENTS', 'SUBSTITUTES', 'ACCESSORY_OF'];

export function ProductPage({ id, canEdit }: { id: string; canEdit: boolean }) {
  const [result, refetch] = useQuery<{ product: ProductDetail | null; similarProducts: Recommendations }>({ query: PRODUCT, variables: { id } });
  if (result.fetching && !result.data) return <Loading what="the product" />;
  if (result.error) return <Problem problem={problemOf(result.error)} />;
  const product = result.data?.product;
  if (!product) return <Empty>No product {id}.</Empty>;
  const similar = result.data?.similarProducts.items ?? [];
  const reload = () => refetch({ requestPolicy: 'network-only' });
  return (
    <article aria-labelledby="product-title">
      <h1 id="product-title">{product.title}</h1>
      <p class="meta">
        {product.id} · {product.category?.path.map((c) => c.name).join(' › ') ?? 'no category'} · {product.brand?.name ?? 'no brand'} ·{' '}
        {product.price === null ? 'no price' : `${product.price.toFixed(2)} ${product.currency ?? ''}`} · {product.inStock ? 'in stock' : 'out of stock'}
      </p>
      {product.description && <p>{product.description}</p>}
      <p>
        <a href={href('audit', null, { entity: product.id })}>Edits of this product</a>
        {canEdit && product.category && <> · <a href={href('rules', null, { category: product.category.id, product: product.id })}>Merchandise it in {product.category.name}</a></>}
      </p>
      <h2>Attributes</h2>
      {product.attributes.length === 0 ? <Empty>No attributes.</Empty> : (
        <table data-testid="attributes" class="attributes">
          <thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
          <tbody>{product.attributes.map((attribute) => <tr key={`${attribute.key}=${attribute.value}`}><td>{attribute.key}</td><td>{attribute.value}</td></tr>)}</tbody>
        </table>
      )}
      <h2>Neighbourhood</h2>
      <Neighbourhood product={product} similar={similar} />
      <Relations product={product} canEdit={canEdit} onChange={reload} />
      <h2>Similar products</h2>
      {similar.length === 0 ? <Empty>The API found no similar products.</Empty> : (
        <ol class="ranked" data-testid="similar">
          {similar.map((item) => (
            <li key={item.product.id}>
              <ProductLink id={item.product.id} title={item.product.title} /> <small>score {formatScore(item.score)}</small>
              <ul class="reasons">{item.reasons.map((reason, i) => <li key={i}><b>{reason.kind.toLowerCase().replace(/_/g, ' ')}</b>: {reason.text}</li>)}</ul>
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}

function Relations({ product, canEdit, onChange }: { product: ProductDetail; canEdit: boolean; onChange: () => void }) {
  const [removal, unrelate] = useMutation(UNRELATE);
  return (
    <section aria-labelledby="relations-title">
      <h2 id="relations-title">Merchandiser relations</h2>
      {product.relations.length === 0 ? <Empty>No relations yet.</Empty> : (
        <table data-testid="relations">
          <thead><tr><th scope="col">Type</th><th scope="col">Product</th><th scope="col">Weight</th><th scope="col">Last edit</th>{canEdit && <th scope="col">Edit</th>}</tr></thead>
          <tbody>
            {product.relations.map((relation) => (
              <tr key={`${relation.type}-${relation.product.id}`}>
                <td>{relation.type}</td>
                <td><ProductLink id={relation.product.id} title={relation.product.title} /></td>
                <td>{relation.weight}</td>
                <td>{formatTime(relation.updatedAt)} {relation.updatedBy ?? ''}</td>
                {canEdit && (
                  <td>
                    <button type="button" onClick={() => unrelate({ from: product.id, to: relation.product.id, type: relation.type }).then((r) => !r.error && onChange())}>
                      Remove {relation.type.toLowerCase()} {relation.product.title}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Problem problem={problemOf(removal.error)} />
      {canEdit && <RelateForm from={product.id} onSaved={onChange} />}
    </section>
  );
}

function RelateForm({ from, onSaved }: { from: string; onSaved: () => void }) {
  const [types] = useQuery<{ __type: { enumValues: { name: string }[] } | null }>({ query: RELATION_TYPES });
  const names = types.data?.__type?.enumValues.map((value) => value.name) ?? DEFAULT_RELATION_TYPES;
  const [to, setTo] = useState('');
  const [type, setType] = useState('');
  const [weight, setWeight] = useState('1');
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [state, relate] = useMutation(RELATE);
  const submit = (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const chosen = type || names[0] || '';
    relate({ from, to: to.trim(), type: chosen, weight: weight.trim() === '' ? null : Number.isFinite(Number(weight)) ? Number(weight) : weight }).then((r) => {
      setProblem(problemOf(r.error));
      if (r.error) return;
      setSaved(`Related to ${to.trim()} (${chosen}).`);
      setTo('');
      onSaved();
    });
  };
  return (
    <form class="inline" onSubmit={submit} aria-label="Relate to another product">
      <h3>Relate to another product</h3>
      <Field label="Related product id" id="relate-to" invalid={namesField(problem, 'to')}>
        <input id="relate-to" required value={to} onInput={(e) => setTo(e.currentTarget.value)} aria-invalid={namesField(problem, 'to')} />
      </Field>
      <Field label="Relation type" id="relate-type">
        <select id="relate-type" value={type || names[0]} onChange={(e) => setType(e.currentTarget.value)}>
          {names.map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
      </Field>
      <Field label="Weight" id="relate-weight" invalid={namesField(problem, 'weight')}>
        <input id="relate-weight" inputMode="decimal" value={weight} onInput={(e) => setWeight(e.currentTarget.value)} aria-invalid={namesField(problem, 'weight')} />
      </Field>
      <button type="submit" disabled={state.fetching}>Relate</button>
      <Problem problem={problem} />
      {saved && <Done>{saved}</Done>}
    </form>
  );
}
