import { useMutation, useQuery } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';
import { problemOf } from '../errors.js';
import { ACTIVATE, MODELS, START_RETRAINING, type LinkMetrics, type ModelVersion, type TrainingJob } from '../graphql.js';
import { MetricChart } from '../metricChart.js';
import { Done, Empty, Field, formatTime, Loading, Problem } from '../ui.js';

/** How often a running job is asked for its progress. */
const POLL_MS = 2_000;
/** Versions listed and charted: the newest ones. */
const VERSIONS_SHOWN = 20;

const metric = (m: LinkMetrics | null | undefined) => (m ? `MRR ${m.mrr.toFixed(4)} · Hits@10 ${m.hitsAt10.toFixed(4)} (${m.count})` : '–');

interface ModelsData {
  modelVersions: ModelVersion[];
  trainingJobs: TrainingJob[];
}

export function Models() {
  const [models, refetch] = useQuery<ModelsData>({ query: MODELS, variables: { versions: VERSIONS_SHOWN }, requestPolicy: 'network-only' });
  const [started, start] = useMutation(START_RETRAINING);
  const [activation, activate] = useMutation<{ activateModel: { version: string } }>(ACTIVATE);
  const [epochs, setEpochs] = useState('');
  const jobs = models.data?.trainingJobs ?? [];
  const versions = models.data?.modelVersions ?? [];
  const running = jobs.some((job) => job.status === 'QUEUED' || job.status === 'RUNNING');
  useEffect(() => {
    if (!running) return;
    const timer = window.setTimeout(() => refetch({ requestPolicy: 'network-only' }), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [running, models.data]);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const active = versions.find((version) => version.active)?.version;
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      <p>Active model: <b data-testid="active-model">{models.data ? active ?? 'none' : '…'}</b></p>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); start({ options: epochs ? { epochs: Number.isInteger(Number(epochs)) ? Number(epochs) : epochs } : null }).then(reload); }}>
        <Field label="Epochs (empty: the default)" id="retrain-epochs" invalid={problemOf(started.error)?.field?.includes('epochs') ?? false}>
          <input id="retrain-epochs" inputMode="numeric" value={epochs} onInput={(e) => setEpochs(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={running}>Start retraining</button>
      </form>
      <Problem problem={problemOf(started.error) ?? problemOf(activation.error)} />
      {activation.data && <Done>Activated {activation.data.activateModel.version}.</Done>}
      {models.fetching && !models.data ? <Loading what="models" /> : models.error ? <Problem problem={problemOf(models.error)} /> : (
        <>
          <h2>Versions</h2>
          <Versions versions={versions} onActivate={(version) => activate({ version }).then(reload)} />
          <h2>Retraining jobs</h2>
          <Jobs jobs={jobs} />
        </>
      )}
    </section>
  );
}

/** Saved versions, newest first, with a chart of their test MRR oldest first. */
function Versions({ versions, onActivate }: { versions: ModelVersion[]; onActivate: (version: string) => void }) {
  if (versions.length === 0) return <Empty>No saved model versions yet: start retraining, or run <code>kgrec train</code>.</Empty>;
  const points = [...versions].reverse().map((version) => ({ label: version.version, value: version.metrics?.test?.mrr ?? null, highlight: version.active }));
  return (
    <>
      {points.some((point) => point.value !== null) && <MetricChart title="Test MRR (link prediction on held-out triples) of each version, oldest first" points={points} />}
      <table data-testid="versions">
        <thead><tr><th scope="col">Version</th><th scope="col">Created</th><th scope="col">Trained on</th><th scope="col">Hyperparameters</th><th scope="col">Validation</th><th scope="col">Test</th><th scope="col">Activate</th></tr></thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.version} class={version.active ? 'active' : undefined}>
              <td>{version.version}{version.active && <b> (active)</b>}</td>
              <td>{formatTime(version.createdAt)}</td>
              <td>{version.error ? `unreadable: ${version.error}` : version.benchmark ? 'benchmark triples' : version.trainedOn ?? 'shop'}</td>
              <td>{version.hyperparameters ? `d${version.hyperparameters.dimension} ${version.hyperparameters.distance} ${version.hyperparameters.loss}, ${version.hyperparameters.epochs} epochs, lr ${version.hyperparameters.learningRate}` : '–'}</td>
              <td>{metric(version.metrics?.valid)}</td>
              <td>{metric(version.metrics?.test)}</td>
              <td>{!version.active && !version.benchmark && !version.error && <button type="button" onClick={() => onActivate(version.version)}>Activate {version.version}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Jobs({ jobs }: { jobs: TrainingJob[] }) {
  if (jobs.length === 0) return <Empty>No retraining jobs yet.</Empty>;
  return (
    <table data-testid="jobs">
      <thead><tr><th scope="col">Job</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Version</th><th scope="col">Test metrics</th><th scope="col">Started</th></tr></thead>
      <tbody>
        {jobs.map((job) => (
          <tr key={job.id}>
            <td>{job.id}</td>
            <td>{job.status.toLowerCase()}{job.error ? `: ${job.error}` : ''}</td>
            <td><progress max={job.progress.totalEpochs || 1} value={job.progress.epoch} aria-label={`epoch ${job.progress.epoch} of ${job.progress.totalEpochs}`} /> {job.progress.epoch}/{job.progress.totalEpochs}{job.progress.loss === null ? '' : ` loss ${job.progress.loss.toFixed(4)}`}</td>
            <td>{job.modelVersion ?? '–'}</td>
            <td>{metric(job.metrics?.test)}</td>
            <td>{formatTime(job.startedAt ?? job.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
