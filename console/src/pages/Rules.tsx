import { useClient, useMutation, useQuery } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';
import { CategoryOptions, useCatalogue } from '../catalogue.js';
import { namesField, problemOf, type ApiProblem } from '../errors.js';
import { BOOST, BURY, PIN, REMOVE_RULE, RULES, type Rule } from '../graphql.js';
import { Done, Empty, Field, formatTime, Problem, ProductLink } from '../ui.js';
import { RulePreview, type Target } from './RulePreview.js';
import type { DraftRule } from '../rulePreview.js';

/** Pin, boost or bury a product for a category or a search, previewed before anything is saved. */
export function Rules({ params }: { params: URLSearchParams }) {
  const { categories } = useCatalogue();
  const [scope, setScope] = useState<'CATEGORY' | 'QUERY'>(params.get('query') ? 'QUERY' : 'CATEGORY');
  const [categoryId, setCategoryId] = useState(params.get('category') ?? '');
  const [query, setQuery] = useState(params.get('query') ?? '');
  const [userId, setUserId] = useState('');
  const [draft, setDraft] = useState<DraftForm>({ action: 'PIN', productId: params.get('product') ?? '', position: '1', factor: '2', expiresAt: '' });
  useEffect(() => {
    if (!categoryId && categories[0]) setCategoryId(categories[0].id);
  }, [categories, categoryId]);
  const target: Target = scope === 'CATEGORY' ? { scope, categoryId } : { scope, query: query.trim() };
  const ready = scope === 'CATEGORY' ? categoryId !== '' : query.trim() !== '';
  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Merchandising rules</h1>
      <fieldset class="filters">
        <legend>Where the rule applies</legend>
        <Field label="Applies to" id="rule-scope">
          <select id="rule-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as 'CATEGORY' | 'QUERY')}>
            <option value="CATEGORY">a category page</option>
            <option value="QUERY">a search query</option>
          </select>
        </Field>
        {scope === 'CATEGORY' ? (
          <Field label="Category" id="rule-category">
            <select id="rule-category" value={categoryId} onChange={(e) => setCategoryId(e.currentTarget.value)}><CategoryOptions categories={categories} /></select>
          </Field>
        ) : (
          <Field label="Search query" id="rule-query">
            <input id="rule-query" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
          </Field>
        )}
        <Field label="Preview for shopper (user id; empty: anonymous)" id="rule-user">
          <input id="rule-user" value={userId} onInput={(e) => setUserId(e.currentTarget.value)} placeholder="anonymous" />
        </Field>
      </fieldset>
      {ready && <RuleEditor target={target} userId={userId.trim()} draft={draft} setDraft={setDraft} />}
    </section>
  );
}

interface DraftForm {
  action: DraftRule['action'];
  productId: string;
  position: string;
  factor: string;
  expiresAt: string;
}

const asDraft = (form: DraftForm): DraftRule | null => {
  const productId = form.productId.trim();
  if (productId === '') return null;
  if (form.action === 'PIN') return Number.isInteger(Number(form.position)) && Number(form.position) >= 1 ? { action: 'PIN', productId, position: Number(form.position) } : null;
  if (form.action === 'BOOST') return Number(form.factor) > 1 ? { action: 'BOOST', productId, factor: Number(form.factor) } : null;
  return { action: 'BURY', productId };
};

/** A number when the text is one, else the text itself, so that the API names what is wrong with it. */
const numberOrText = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

function RuleEditor({ target, userId, draft, setDraft }: { target: Target; userId: string; draft: DraftForm; setDraft: (form: DraftForm) => void }) {
  const client = useClient();
  const [rules, refetchRules] = useQuery<{ merchandisingRules: Rule[] }>({ query: RULES, variables: target.scope === 'CATEGORY' ? { categoryId: target.categoryId } : { query: target.query } });
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const set = (changes: Partial<DraftForm>) => setDraft({ ...draft, ...changes });
  const save = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    const where = target.scope === 'CATEGORY' ? { categoryId: target.categoryId } : { query: target.query };
    const common = { productId: draft.productId.trim(), ...where, expiresAt: draft.expiresAt ? new Date(draft.expiresAt).toISOString() : null };
    const [document, variables] =
      draft.action === 'PIN' ? [PIN, { ...common, position: numberOrText(draft.position) }] : draft.action === 'BOOST' ? [BOOST, { ...common, factor: numberOrText(draft.factor) }] : [BURY, common];
    const result = await client.mutation(document, variables).toPromise();
    setProblem(problemOf(result.error));
    if (result.error) return;
    setSaved(`Saved: ${draft.action.toLowerCase()} ${common.productId}.`);
    refetchRules({ requestPolicy: 'network-only' });
    setVersion(version + 1);
  };
  const active = (rules.data?.merchandisingRules ?? []).filter((rule) => rule.active);
  const previewDraft = asDraft(draft);
  return (
    <>
      <form class="filters" onSubmit={save} aria-label="New rule">
        <Field label="Action" id="rule-action">
          <select id="rule-action" value={draft.action} onChange={(e) => set({ action: e.currentTarget.value as DraftRule['action'] })}>
            <option value="PIN">Pin to a position</option>
            <option value="BOOST">Boost</option>
            <option value="BURY">Bury</option>
          </select>
        </Field>
        <Field label="Product id" id="rule-product" invalid={namesField(problem, 'productId')}>
          <input id="rule-product" required value={draft.productId} onInput={(e) => set({ productId: e.currentTarget.value })} aria-invalid={namesField(problem, 'productId')} />
        </Field>
        {draft.action === 'PIN' && (
          <Field label="Position (1 is first)" id="rule-position" invalid={namesField(problem, 'position')}>
            <input id="rule-position" inputMode="numeric" value={draft.position} onInput={(e) => set({ position: e.currentTarget.value })} aria-invalid={namesField(problem, 'position')} />
          </Field>
        )}
        {draft.action === 'BOOST' && (
          <Field label="Factor (above 1, at most 100)" id="rule-factor" invalid={namesField(problem, 'factor')}>
            <input id="rule-factor" inputMode="decimal" value={draft.factor} onInput={(e) => set({ factor: e.currentTarget.value })} aria-invalid={namesField(problem, 'factor')} />
          </Field>
        )}
        <Field label="Expires (optional)" id="rule-expires" invalid={namesField(problem, 'expiresAt')}>
          <input id="rule-expires" type="datetime-local" value={draft.expiresAt} onInput={(e) => set({ expiresAt: e.currentTarget.value })} />
        </Field>
        <button type="submit">Save rule</button>
      </form>
      <Problem problem={problem} />
      {saved && <Done>{saved}</Done>}
      <RulePreview key={version} target={target} userId={userId} draft={previewDraft} rules={active} />
      <RuleList rules={rules.data?.merchandisingRules ?? []} fetching={rules.fetching} onRemoved={() => refetchRules({ requestPolicy: 'network-only' })} />
    </>
  );
}

function RuleList({ rules, fetching, onRemoved }: { rules: Rule[]; fetching: boolean; onRemoved: () => void }) {
  const [removal, remove] = useMutation(REMOVE_RULE);
  if (fetching && rules.length === 0) return null;
  return (
    <section aria-labelledby="rules-in-force">
      <h2 id="rules-in-force">Rules for this target</h2>
      {rules.length === 0 ? <Empty>No rules yet.</Empty> : (
        <table>
          <thead><tr><th scope="col">Action</th><th scope="col">Product</th><th scope="col">Where</th><th scope="col">Expires</th><th scope="col">By</th><th scope="col">Remove</th></tr></thead>
          <tbody>
            {rules.map((rule) => (
              <tr key={rule.id} class={rule.active ? '' : 'expired'}>
                <td>{rule.action}{rule.position !== null ? ` to ${rule.position}` : ''}{rule.factor !== null ? ` ×${rule.factor}` : ''}</td>
                <td><ProductLink id={rule.productId} title={rule.product?.title ?? rule.productId} /></td>
                <td>{rule.scope === 'CATEGORY' ? `category ${rule.categoryId}` : `search “${rule.query}”`}</td>
                <td>{rule.active ? formatTime(rule.expiresAt) : 'expired'}</td>
                <td>{rule.createdBy}</td>
                <td><button type="button" onClick={() => remove({ id: rule.id }).then((r) => !r.error && onRemoved())}>Remove rule {rule.id}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Problem problem={problemOf(removal.error)} />
    </section>
  );
}
