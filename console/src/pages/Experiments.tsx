import { useMutation, useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { problemOf } from '../errors.js';
import { EXPERIMENTS, PAUSE_EXPERIMENT, START_EXPERIMENT, STOP_EXPERIMENT, type Experiment, type ExperimentState, type ExperimentVariant } from '../graphql.js';
import { href } from '../router.js';
import { Done, Empty, formatTime, Loading, Problem } from '../ui.js';
import { ExperimentForm } from './ExperimentForm.js';

/** Experiments listed: the newest the API returns at most once (its own page limit). */
const EXPERIMENTS_SHOWN = 100;

type Move = 'start' | 'pause' | 'stop';
const MOVES: Record<Move, { query: string; field: string; allowedFrom: readonly ExperimentState[] }> = {
  start: { query: START_EXPERIMENT, field: 'startExperiment', allowedFrom: ['DRAFT', 'PAUSED'] },
  pause: { query: PAUSE_EXPERIMENT, field: 'pauseExperiment', allowedFrom: ['RUNNING'] },
  stop: { query: STOP_EXPERIMENT, field: 'stopExperiment', allowedFrom: ['DRAFT', 'RUNNING', 'PAUSED'] },
};

/** The experiments with their variants and state history; create, start, pause and stop them. */
export function Experiments({ isAdmin }: { isAdmin: boolean }) {
  const [list, refetch] = useQuery<{ experiments: Experiment[] }>({ query: EXPERIMENTS, variables: { first: EXPERIMENTS_SHOWN }, requestPolicy: 'network-only' });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const experiments = list.data?.experiments ?? [];
  return (
    <section aria-labelledby="experiments-title">
      <h1 id="experiments-title">Experiments</h1>
      <ExperimentForm isAdmin={isAdmin} onCreated={reload} />
      <h2>All experiments</h2>
      {list.fetching && !list.data ? <Loading what="experiments" /> : list.error ? <Problem problem={problemOf(list.error)} /> : experiments.length === 0 ? (
        <Empty>No experiments yet: create one above.</Empty>
      ) : (
        <div data-testid="experiments">
          {experiments.map((experiment) => <ExperimentCard key={experiment.id} experiment={experiment} onChanged={reload} />)}
        </div>
      )}
    </section>
  );
}

function ExperimentCard({ experiment, onChanged }: { experiment: Experiment; onChanged: () => void }) {
  const [confirming, setConfirming] = useState<Move | null>(null);
  const [outcome, run] = useMutation<Record<string, Experiment>>(MOVES.start.query);
  const [paused, pause] = useMutation<Record<string, Experiment>>(MOVES.pause.query);
  const [stopped, stop] = useMutation<Record<string, Experiment>>(MOVES.stop.query);
  const send = { start: run, pause, stop };
  const problem = problemOf(outcome.error) ?? problemOf(paused.error) ?? problemOf(stopped.error);
  const confirm = async (move: Move) => {
    setConfirming(null);
    const result = await send[move]({ id: experiment.id });
    if (!result.error) onChanged();
  };
  return (
    <article class="experiment" data-testid={`experiment-${experiment.id}`} aria-labelledby={`exp-${experiment.id}`}>
      <h3 id={`exp-${experiment.id}`}>
        {experiment.name} <span class={`state ${experiment.state.toLowerCase()}`} data-testid="experiment-state">{experiment.state.toLowerCase()}</span>
      </h3>
      <p>
        <code>{experiment.id}</code> · surfaces: {experiment.surfaces.map((surface) => surface.toLowerCase()).join(', ')} · created {formatTime(experiment.createdAt)} by {experiment.createdBy}
        {' · '}<a href={href('experiments', experiment.id)}>Results of {experiment.name}</a>
      </p>
      {experiment.description && <p>{experiment.description}</p>}
      <VariantTable variants={experiment.variants} />
      <details>
        <summary>History ({experiment.history.length})</summary>
        <ol data-testid="experiment-history">
          {experiment.history.map((step) => (
            <li key={step.at + step.to}>{formatTime(step.at)}: {step.from ? `${step.from.toLowerCase()} → ` : 'created as '}{step.to.toLowerCase()} by {step.editor}</li>
          ))}
        </ol>
      </details>
      <div class="actions">
        {(Object.keys(MOVES) as Move[]).filter((move) => MOVES[move].allowedFrom.includes(experiment.state)).map((move) => (
          <button key={move} type="button" onClick={() => setConfirming(move)}>{capitalise(move)} {experiment.name}</button>
        ))}
      </div>
      {confirming && (
        <div class="confirm" role="alertdialog" aria-label={`Confirm ${confirming}`}>
          <p>{CONFIRM_TEXT[confirming]}</p>
          <button type="button" onClick={() => void confirm(confirming)}>Yes, {confirming} it</button>
          <button type="button" onClick={() => setConfirming(null)}>Cancel</button>
        </div>
      )}
      <Problem problem={problem} />
      {outcome.data && !outcome.error && <Done>Started {experiment.name}.</Done>}
    </article>
  );
}

const CONFIRM_TEXT: Record<Move, string> = {
  start: 'Start it? Its shoppers are split between the variants from now on.',
  pause: 'Pause it? Its shoppers get the default ranking until it is started again.',
  stop: 'Stop it for good? It cannot be started again; its results stay readable.',
};

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** A variant's overrides in words; an absent one keeps the default serving behaviour. */
function overridesOf(variant: ExperimentVariant): string {
  const parts = [
    variant.strategy ? variant.strategy.toLowerCase().replace('_', ' ') : null,
    variant.diversity === null ? null : `diversity ${variant.diversity}`,
    variant.modelVersion ? `model ${variant.modelVersion}` : null,
    variant.fusionWeights.length > 0 ? `weights ${variant.fusionWeights.map((w) => `${w.signal} ${w.weight}`).join(', ')}` : null,
    variant.ruleSet ? `rules ${variant.ruleSet}` : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' · ') : 'default serving';
}

function VariantTable({ variants }: { variants: ExperimentVariant[] }) {
  return (
    <table class="variants">
      <thead><tr><th scope="col">Variant</th><th scope="col">Share</th><th scope="col">Ranks with</th></tr></thead>
      <tbody>
        {variants.map((variant, i) => (
          <tr key={variant.name}>
            <td>{variant.name}{i === 0 && ' (control)'}</td>
            <td>{(variant.share * 100).toFixed(1)} %</td>
            <td>{overridesOf(variant)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
