import { useQuery } from '@urql/preact';
import { problemOf } from '../errors.js';
import { LATEST_EVALUATION, type Evaluation as Report } from '../graphql.js';
import { Empty, formatTime, Loading, Problem } from '../ui.js';

/** The newest `kgrec eval` report the API finds under KGREC_HOME, with its chart (a data: URL the API sends). */
export function Evaluation() {
  const [result] = useQuery<{ latestEvaluation: Report | null }>({ query: LATEST_EVALUATION, requestPolicy: 'network-only' });
  return (
    <section aria-labelledby="evaluation-title">
      <h1 id="evaluation-title">Evaluation</h1>
      {result.fetching && !result.data ? (
        <Loading what="the latest evaluation" />
      ) : result.error ? (
        <Problem problem={problemOf(result.error)} />
      ) : result.data?.latestEvaluation ? (
        <ReportView report={result.data.latestEvaluation} />
      ) : (
        <Empty>
          No evaluation yet. Run <code>kgrec eval</code> (or <code>kgrec eval --demo</code>); its report is written under the eval folder of KGREC_HOME and shows here.
        </Empty>
      )}
    </section>
  );
}

/** Metric names in the order the report first uses them. */
const metricNames = (report: Report): string[] => [...new Set(report.models.flatMap((model) => model.metrics.map((metric) => metric.name)))];

function ReportView({ report }: { report: Report }) {
  const names = metricNames(report);
  return (
    <>
      <p class="meta" data-testid="evaluation-summary">
        {report.dataset} · top-{report.k} · {report.users === null ? '' : `${report.users.toLocaleString()} test users · `}evaluated {formatTime(report.evaluatedAt)}
        {report.modelVersion ? ` · model ${report.modelVersion}` : ''}
      </p>
      {report.note && <p>{report.note}</p>}
      <table data-testid="evaluation">
        <thead>
          <tr>
            <th scope="col">Model</th>
            {names.map((name) => <th key={name} scope="col">{name}</th>)}
          </tr>
        </thead>
        <tbody>
          {report.models.map((model) => (
            <tr key={model.model}>
              <th scope="row">{model.model}</th>
              {names.map((name) => <td key={name}>{model.metrics.find((metric) => metric.name === name)?.value.toFixed(4) ?? '–'}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      {report.chart ? (
        <figure class="chart">
          <img src={report.chart} alt={`Chart of the ${report.dataset} evaluation: the table's metrics per model`} data-testid="evaluation-chart" />
        </figure>
      ) : (
        <Empty>The report has no chart the API can send.</Empty>
      )}
    </>
  );
}
