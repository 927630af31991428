import { useMutation, useQuery } from '@urql/preact';
import { useEffect, useState } from 'preact/hooks';
import { problemOf } from '../errors.js';
import { ACTIVATE, MODELS, START_RETRAINING, type LinkMetrics, type TrainingJob } from '../graphql.js';
import { Done, Empty, Field, formatTime, Loading, Problem } from '../ui.js';

/** How often a running job is asked for its progress. */
const POLL_MS = 2_000;
const HEALTH_URL = new URL('../health', window.location.href).href;

/** The active version, from the API's public /health. */
function useActiveModel(refresh: number): string | null | undefined {
  const [active, setActive] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    fetch(HEALTH_URL)
      .then((response) => response.json() as Promise<{ model?: { active?: string | null } }>)
      .then((health) => setActive(health.model?.active ?? null))
      .catch(() => setActive(null));
  }, [refresh]);
  return active;
}

const metric = (m: LinkMetrics | null | undefined) => (m ? `MRR ${m.mrr.toFixed(4)} · Hits@10 ${m.hitsAt10.toFixed(4)} (${m.count})` : '–');

export function Models() {
  const [refresh, setRefresh] = useState(0);
  const [jobs, refetch] = useQuery<{ trainingJobs: TrainingJob[] }>({ query: MODELS, requestPolicy: 'network-only' });
  const active = useActiveModel(refresh);
  const [started, start] = useMutation(START_RETRAINING);
  const [activation, activate] = useMutation(ACTIVATE);
  const [epochs, setEpochs] = useState('');
  const running = (jobs.data?.trainingJobs ?? []).some((job) => job.status === 'QUEUED' || job.status === 'RUNNING');
  useEffect(() => {
    if (!running) return;
    const timer = window.setTimeout(() => refetch({ requestPolicy: 'network-only' }), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [running, jobs.data]);
  const reload = () => {
    refetch({ requestPolicy: 'network-only' });
    setRefresh(refresh + 1);
  };
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      <p>Active model: <b data-testid="active-model">{active === undefined ? '…' : active ?? 'none'}</b></p>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); start({ options: epochs ? { epochs: Number.isInteger(Number(epochs)) ? Number(epochs) : epochs } : null }).then(reload); }}>
        <Field label="Epochs (empty: the default)" id="retrain-epochs" invalid={problemOf(started.error)?.field?.includes('epochs') ?? false}>
          <input id="retrain-epochs" inputMode="numeric" value={epochs} onInput={(e) => setEpochs(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={running}>Start retraining</button>
      </form>
      <Problem problem={problemOf(started.error) ?? problemOf(activation.error)} />
      {activation.data && <Done>Activated {String((activation.data as { activateModel: { version: string } }).activateModel.version)}.</Done>}
      <p class="meta">Versions listed are those retrained through the API (its last 50 jobs); versions trained with <code>kgrec train</code> are not listed by the API.</p>
      {jobs.fetching && !jobs.data ? <Loading what="training jobs" /> : jobs.error ? <Problem problem={problemOf(jobs.error)} /> : (jobs.data?.trainingJobs.length ?? 0) === 0 ? <Empty>No retraining jobs yet.</Empty> : (
        <table>
          <thead><tr><th scope="col">Job</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Version</th><th scope="col">Test metrics</th><th scope="col">Started</th><th scope="col">Activate</th></tr></thead>
          <tbody>
            {jobs.data?.trainingJobs.map((job) => (
              <tr key={job.id}>
                <td>{job.id}</td>
                <td>{job.status.toLowerCase()}{job.error ? `: ${job.error}` : ''}</td>
                <td><progress max={job.progress.totalEpochs || 1} value={job.progress.epoch} aria-label={`epoch ${job.progress.epoch} of ${job.progress.totalEpochs}`} /> {job.progress.epoch}/{job.progress.totalEpochs}{job.progress.loss === null ? '' : ` loss ${job.progress.loss.toFixed(4)}`}</td>
                <td>{job.modelVersion ?? '–'}</td>
                <td>{metric(job.metrics?.test)}</td>
                <td>{formatTime(job.startedAt ?? job.createdAt)}</td>
                <td>{job.modelVersion && job.modelVersion !== active && <button type="button" onClick={() => activate({ version: job.modelVersion }).then(reload)}>Activate {job.modelVersion}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
