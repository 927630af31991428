import { useQuery } from '@urql/preact';
import { problemOf } from '../errors.js';
import type { ProductRow, RankedItem, Recommendations, Rule } from '../graphql.js';
import { RECOMMEND, SEARCH_FOR_USER } from '../graphql.js';
import { movements, previewAfter, type DraftRule } from '../rulePreview.js';
import { Empty, Loading, Problem, ProductLink } from '../ui.js';

export type Target = { scope: 'CATEGORY'; categoryId: string } | { scope: 'QUERY'; query: string };

/** The page a shopper sees: the first ten. */
const PAGE = 10;
/** The served list is read this far, so that a boosted or buried product's neighbours are known. */
const READ = 60;
/** An id no shopper has: recommend then answers as for a new visitor. */
const ANONYMOUS = 'kgrec-console-anonymous';

const PRODUCT_IN_CATEGORY = `query PreviewProduct($id: ID!) { product(id: $id) { id title price currency inStock brand { id name } category { id name path { id } } } }`;

/**
 * Before: what the API serves now. After: the same list with the draft rule applied in the browser, the
 * way the server applies it (console/src/rulePreview.ts); nothing is saved until "Save rule".
 */
export function RulePreview({ target, userId, draft, rules }: { target: Target; userId: string; draft: DraftRule | null; rules: Rule[] }) {
  const isCategory = target.scope === 'CATEGORY';
  const [served] = useQuery<{ recommend?: Recommendations; search?: Recommendations }>({
    query: isCategory ? RECOMMEND : SEARCH_FOR_USER,
    variables: isCategory
      ? { userId: userId || ANONYMOUS, first: READ, filter: { categoryId: target.categoryId } }
      : { query: target.query, first: READ, ...(userId ? { userId } : {}) },
    requestPolicy: 'network-only',
  });
  const [own] = useQuery<{ product: (ProductRow & { category: { id: string; path: { id: string }[] } | null }) | null }>({
    query: PRODUCT_IN_CATEGORY,
    variables: { id: draft?.productId ?? '' },
    pause: !draft,
  });
  if (served.fetching && !served.data) return <Loading what="the preview" />;
  if (served.error) return <Problem problem={problemOf(served.error)} />;
  const before = (isCategory ? served.data?.recommend?.items : served.data?.search?.items) ?? [];
  const product = own.data?.product ?? null;
  // A pinned or boosted product from outside the list shows only when it passes the request's filter.
  const passes = product !== null && (!isCategory || (product.category?.path.some((c) => c.id === target.categoryId) ?? false));
  const missing: RankedItem | null = product && passes ? { product, score: 0, reasons: [], breakdown: [] } : null;
  const idOf = (item: RankedItem) => item.product.id;
  const pinned = new Set(before.filter((item) => item.reasons.some((r) => r.kind === 'PINNED')).map(idOf));
  const buried = new Set(rules.filter((rule) => rule.action === 'BURY').map((rule) => rule.productId));
  const after = draft ? previewAfter(before, draft, { idOf, first: PAGE, pinned, buried, missing }) : before.slice(0, PAGE);
  const moved = movements(before.slice(0, PAGE), after, idOf);
  const who = userId ? `shopper ${userId}` : 'an anonymous shopper';
  return (
    <section aria-labelledby="preview-title" class="preview" data-testid="preview">
      <h2 id="preview-title">Preview for {who}</h2>
      {draft && !product && !own.fetching && <p role="alert">No product {draft.productId}.</p>}
      {draft && product && !passes && !before.some((item) => idOf(item) === draft.productId) && <p role="alert">{draft.productId} is not in this category, so the rule will not show it.</p>}
      <div class="columns">
        <RankedColumn title="Before (as served now)" items={before.slice(0, PAGE)} testId="preview-before" />
        <RankedColumn title={draft ? 'After (not saved yet)' : 'After: fill in a rule'} items={after} testId="preview-after" moved={moved} highlight={draft?.productId} />
      </div>
    </section>
  );
}

function RankedColumn({ title, items, testId, moved, highlight }: { title: string; items: RankedItem[]; testId: string; moved?: Map<string, number | null>; highlight?: string | undefined }) {
  return (
    <div>
      <h3>{title}</h3>
      {items.length === 0 ? <Empty>No products.</Empty> : (
        <ol data-testid={testId}>
          {items.map((item) => {
            const shift = moved?.get(item.product.id);
            return (
              <li key={item.product.id} class={item.product.id === highlight ? 'highlight' : ''}>
                <ProductLink id={item.product.id} title={item.product.title} /> <small>{item.product.id}</small>
                {shift === null ? <small class="up"> new</small> : shift ? <small class={shift > 0 ? 'up' : 'down'}> {shift > 0 ? `▲${shift}` : `▼${-shift}`}</small> : null}
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
