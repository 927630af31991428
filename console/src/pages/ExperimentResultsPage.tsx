import { useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { problemOf } from '../errors.js';
import { EXPERIMENT_RESULTS, type Estimate, type ExperimentResults, type VariantResults } from '../graphql.js';
import { IntervalChart } from '../intervalChart.js';
import { href, navigate } from '../router.js';
import { Field, formatTime, Loading, Problem } from '../ui.js';

/** The window a results page opens with when the address names none: the last four weeks. */
const DEFAULT_WINDOW_DAYS = 28;
/** The API's default conversion window after a click. */
const DEFAULT_CONVERSION_DAYS = '7';
const DAY_MS = 86_400_000;

const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
const interval = (estimate: Estimate, format: (value: number) => string) =>
  estimate.low === null || estimate.high === null ? format(estimate.value) : `${format(estimate.value)} [${format(estimate.low)}, ${format(estimate.high)}]`;
const pValueText = (p: number | null) => (p === null ? '–' : p < 0.0001 ? p.toExponential(2) : p.toFixed(4));

/** An experiment's figures per variant over a window (dates in UTC; an empty end is now), with a CTR chart. */
export function ExperimentResultsPage({ id, params }: { id: string; params: URLSearchParams }) {
  const from = params.get('from') ?? isoDate(Date.now() - DEFAULT_WINDOW_DAYS * DAY_MS);
  const to = params.get('to') ?? '';
  const days = params.get('days') ?? DEFAULT_CONVERSION_DAYS;
  const [form, setForm] = useState({ from, to, days });
  const conversionDays = Number(days);
  const [results] = useQuery<{ experimentResults: ExperimentResults }>({
    query: EXPERIMENT_RESULTS,
    // A date's window runs from its first to its last millisecond in UTC.
    variables: { id, from: `${from}T00:00:00.000Z`, to: to ? `${to}T23:59:59.999Z` : null, conversionDays: Number.isInteger(conversionDays) ? conversionDays : days },
    requestPolicy: 'network-only',
  });
  const data = results.data?.experimentResults;
  return (
    <section aria-labelledby="results-title">
      <h1 id="results-title">Results{data ? ` of ${data.experiment.name}` : ''}</h1>
      <p><a href={href('experiments')}>All experiments</a> · <code>{id}</code>{data && ` · ${data.experiment.state.toLowerCase()}`}</p>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); navigate(href('experiments', id, form)); }}>
        <Field label="From (UTC date)" id="results-from"><input id="results-from" type="date" value={form.from} onInput={(e) => setForm({ ...form, from: e.currentTarget.value })} /></Field>
        <Field label="To (UTC date, empty: now)" id="results-to"><input id="results-to" type="date" value={form.to} onInput={(e) => setForm({ ...form, to: e.currentTarget.value })} /></Field>
        <Field label="Conversion days" id="results-days"><input id="results-days" inputMode="numeric" value={form.days} onInput={(e) => setForm({ ...form, days: e.currentTarget.value })} /></Field>
        <button type="submit">Show results</button>
      </form>
      <p class="note">
        The test is sequential (mSPRT): its p-value and intervals stay valid however often they are read, so the results may be checked every day and the experiment stopped as soon as a winner shows, without more false winners.
      </p>
      {results.fetching && !data ? <Loading what="results" /> : results.error ? <Problem problem={problemOf(results.error)} /> : data ? <ResultsBody results={data} /> : null}
    </section>
  );
}

function ResultsBody({ results }: { results: ExperimentResults }) {
  const rows = results.variants.map((variant) => ({ label: variant.name, value: variant.ctr.value, low: variant.ctr.low, high: variant.ctr.high, highlight: variant.name === results.winner }));
  return (
    <>
      <p data-testid="results-verdict" data-from={results.from}>
        {formatTime(results.from)} to {formatTime(results.to)}, conversions within {results.conversionDays} days of a click ·{' '}
        winner: <b data-testid="winner">{results.winner ?? 'no winner yet'}</b> · p-value {pValueText(results.pValue)}
      </p>
      <IntervalChart testId="ctr-chart" title="CTR of each variant with its 95 % interval" rows={rows} />
      <VariantResultsTable variants={results.variants} />
    </>
  );
}

function VariantResultsTable({ variants }: { variants: VariantResults[] }) {
  return (
    <table data-testid="results">
      <thead>
        <tr>
          <th scope="col">Variant</th><th scope="col">Users</th><th scope="col">Served lists</th><th scope="col">Impressions</th><th scope="col">Clicks</th>
          <th scope="col">CTR [95 %]</th><th scope="col">Add-to-cart rate</th><th scope="col">Conversions</th><th scope="col">Conversion rate</th>
          <th scope="col">Revenue per user</th><th scope="col">CTR vs control</th>
        </tr>
      </thead>
      <tbody>
        {variants.map((variant, i) => (
          <tr key={variant.name} data-variant={variant.name}>
            <td>{variant.name}{i === 0 && ' (control)'}</td>
            <td data-figure="users">{variant.users}</td>
            <td data-figure="servedLists">{variant.servedLists}</td>
            <td data-figure="impressions">{variant.impressions}</td>
            <td data-figure="clicks">{variant.clicks}</td>
            <td data-figure="ctr">{interval(variant.ctr, percent)}</td>
            <td data-figure="addToCartRate">{interval(variant.addToCartRate, percent)}</td>
            <td data-figure="conversions">{variant.conversions}</td>
            <td data-figure="conversionRate">{interval(variant.conversionRate, percent)}</td>
            <td data-figure="revenuePerUser">{interval(variant.revenuePerUser, (value) => value.toFixed(2))}</td>
            <td>{variant.versusControl ? `${interval(variant.versusControl.ctrDifference, percent)}, p ${pValueText(variant.versusControl.pValue)}` : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
