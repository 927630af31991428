import { useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { problemOf } from '../errors.js';
import { RECOMMEND, USER, type Recommendations } from '../graphql.js';
import { href, navigate } from '../router.js';
import { Empty, Field, formatScore, formatTime, Loading, Problem, ProductLink } from '../ui.js';

interface Behaviour {
  type: string;
  count: number;
  quantity: number;
  lastAt: string;
  product: { id: string; title: string };
}

/** What `recommend` gives one shopper, with its reasons and score breakdown, beside their recent behaviour. */
export function Shopper({ params }: { params: URLSearchParams }) {
  const userId = params.get('user') ?? '';
  const [text, setText] = useState(userId);
  return (
    <section aria-labelledby="shopper-title">
      <h1 id="shopper-title">Shopper view</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); navigate(href('shopper', null, { user: text.trim() })); }}>
        <Field label="User id" id="shopper-user">
          <input id="shopper-user" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="u-0001" />
        </Field>
        <button type="submit">Show</button>
      </form>
      {userId ? <ShopperDetails userId={userId} /> : <Empty>Enter a user id to see what they are recommended.</Empty>}
    </section>
  );
}

function ShopperDetails({ userId }: { userId: string }) {
  const [recs] = useQuery<{ recommend: Recommendations }>({ query: RECOMMEND, variables: { userId, first: 20, explain: true } });
  const [user] = useQuery<{ user: { behaviours: Behaviour[] } | null }>({ query: USER, variables: { id: userId } });
  return (
    <div class="columns">
      <div>
        <h2>Recommendations</h2>
        {recs.fetching && !recs.data ? <Loading what="recommendations" /> : recs.error ? <Problem problem={problemOf(recs.error)} /> : (
          <>
            <p class="meta">strategy {recs.data?.recommend.strategy} · model {recs.data?.recommend.modelVersion ?? 'none'}</p>
            <ol class="ranked" data-testid="recommendations">
              {recs.data?.recommend.items.map((item) => (
                <li key={item.product.id}>
                  <ProductLink id={item.product.id} title={item.product.title} /> <small>score {formatScore(item.score)}</small>
                  <ul class="reasons">{item.reasons.map((r, i) => <li key={i}><b>{r.kind.toLowerCase().replace(/_/g, ' ')}</b>: {r.text}</li>)}</ul>
                  {item.breakdown.length > 0 && (
                    <table class="breakdown">
                      <caption>Score breakdown</caption>
                      <thead><tr><th scope="col">Signal</th><th scope="col">Value</th><th scope="col">Weight</th><th scope="col">Contribution</th></tr></thead>
                      <tbody>{item.breakdown.map((c) => <tr key={c.name}><td>{c.name}</td><td>{formatScore(c.value)}</td><td>{formatScore(c.weight)}</td><td>{formatScore(c.contribution)}</td></tr>)}</tbody>
                    </table>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
      <div>
        <h2>Recent behaviour</h2>
        {user.fetching && !user.data ? <Loading what="behaviour" /> : user.error ? <Problem problem={problemOf(user.error)} /> : !user.data?.user ? <Empty>No user {userId}: they are served as a new visitor.</Empty> : user.data.user.behaviours.length === 0 ? <Empty>No behaviour recorded.</Empty> : (
          <table>
            <thead><tr><th scope="col">What</th><th scope="col">Product</th><th scope="col">Times</th><th scope="col">Last</th></tr></thead>
            <tbody>{user.data.user.behaviours.map((b) => <tr key={`${b.type}-${b.product.id}`}><td>{b.type.toLowerCase()}</td><td><ProductLink id={b.product.id} title={b.product.title} /></td><td>{b.count}</td><td>{formatTime(b.lastAt)}</td></tr>)}</tbody>
          </table>
        )}
      </div>
    </div>
  );
}
