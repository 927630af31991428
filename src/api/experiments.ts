import { randomUUID } from 'node:crypto';
import { EXPERIMENT_STATES, EXPERIMENT_TRANSITIONS, rankerKey, type ExperimentState, type VariantDefinition, type VariantOverrides } from '../domain/experiments.js';
import { experimentReport, type ExperimentReport } from '../eval/experimentReport.js';
import { recordAudit } from '../graph/audit.js';
import { readExperimentUsers } from '../graph/experimentResults.js';
import {
  createExperiment,
  lockExperiments,
  readExperiment,
  readExperimentIn,
  readExperiments,
  readRunningIn,
  readTransitions,
  recordTransition,
  type ExperimentData,
  type ExperimentTransitionData,
} from '../graph/experiments.js';
import type { Interval } from '../math/experimentStatistics.js';
import type { ApiContext } from './context.js';
import { badInput, conflict, notFound } from './errors.js';
import { MAX_VARIANT_RANKERS, validateExperiment, validateResultsWindow, type ExperimentInput } from './experimentInputs.js';
import { readManifest } from '../kge/modelStore.js';
import { editor, guard, guardQuery } from './guard.js';
import { checkFirst } from './limits.js';
import { validateId } from './inputs.js';

/**
 * Experiments through the API: merchandisers and admins create them, start, pause and stop them (each edit
 * audited in its own transaction), and read their results. Serving applies them in experimentServing.ts.
 */

/** The most experiments `experiments` lists. */
export const MAX_LISTED_EXPERIMENTS = 100;

type ExperimentWithHistory = ExperimentData & { history: ExperimentTransitionData[] };

async function withHistory(ctx: ApiContext, experiments: ExperimentData[]): Promise<ExperimentWithHistory[]> {
  const transitions = await readTransitions(ctx.graph, experiments.map((experiment) => experiment.id));
  return experiments.map((experiment) => ({ ...experiment, history: transitions.filter((transition) => transition.experimentId === experiment.id) }));
}

async function requireExperiment(ctx: ApiContext, id: string): Promise<ExperimentWithHistory> {
  const experiment = await readExperiment(ctx.graph, id);
  if (!experiment) throw notFound('experiment', id);
  const [found] = await withHistory(ctx, [experiment]);
  return found as ExperimentWithHistory;
}

/** Every variant's model version is a saved version the shop can be ranked with (checked once, at creation). */
async function checkModelVersions(ctx: ApiContext, variants: readonly VariantDefinition[]): Promise<void> {
  for (const [index, variant] of variants.entries()) {
    const version = variant.overrides.modelVersion;
    if (version === undefined) continue;
    const field = `input.variants[${index}].modelVersion`;
    const manifest = await readManifest(ctx.config.modelsDir, version).catch(() => null);
    if (manifest === null) throw badInput(field, `no readable model version ${JSON.stringify(version)} in the models folder`);
    if (manifest.trainedOn === 'benchmark') throw badInput(field, `model version ${JSON.stringify(version)} was trained on benchmark triples, not on the shop graph`);
  }
}

/** The rankers of their own the running experiments need, with `starting`'s: at most MAX_VARIANT_RANKERS. */
function checkRankerBudget(running: readonly ExperimentData[], starting: ExperimentData): void {
  const keys = new Set([...running, starting].flatMap((experiment) => experiment.variants.map((variant) => rankerKey(variant.overrides))).filter((key) => key !== null));
  if (keys.size > MAX_VARIANT_RANKERS) {
    throw conflict(`the running experiments would need ${keys.size} variant rankers of their own, at most ${MAX_VARIANT_RANKERS} are kept: stop one first`, {
      experimentIds: running.map((experiment) => experiment.id),
    });
  }
}

async function createExperimentField(_: unknown, args: { input: ExperimentInput }, ctx: ApiContext): Promise<ExperimentWithHistory> {
  const principal = guard(ctx, 'createExperiment');
  const experiment = validateExperiment(args.input);
  await checkModelVersions(ctx, experiment.variants);
  const id = `exp-${randomUUID()}`;
  const now = Date.now();
  await ctx.graph.transaction(async (tx) => {
    await createExperiment(tx, { id, ...experiment }, editor(principal), now);
    await recordAudit(tx, { editor: editor(principal), entityType: 'experiment', entityId: id, action: 'create', summary: { after: experiment } }, now);
  });
  return requireExperiment(ctx, id);
}

const ACTION_OF: Record<ExperimentState, string> = { draft: 'create', running: 'start', paused: 'pause', stopped: 'stop' };

/** Moves an experiment to `to`, refusing a move its state does not allow and a start on a surface another running experiment holds. */
async function moveExperiment(field: string, to: ExperimentState, args: { id: string }, ctx: ApiContext): Promise<ExperimentWithHistory> {
  const principal = guard(ctx, field);
  const id = validateId('id', args.id);
  const now = Date.now();
  await ctx.graph.transaction(async (tx) => {
    await lockExperiments(tx);
    const experiment = await readExperimentIn(tx, id);
    if (!experiment) throw notFound('experiment', id);
    if (!EXPERIMENT_TRANSITIONS[experiment.state].includes(to)) {
      throw conflict(`experiment ${JSON.stringify(id)} is ${experiment.state}: it cannot be moved to ${to}`, { state: experiment.state.toUpperCase() });
    }
    if (to === 'running') {
      // One running experiment per surface: a shopper's list has one variant to record.
      const running = (await readRunningIn(tx)).filter((other) => other.id !== id);
      const clash = running.find((other) => other.surfaces.some((surface) => experiment.surfaces.includes(surface)));
      if (clash) throw conflict(`experiment ${JSON.stringify(clash.id)} is running on the same surfaces: stop or pause it first`, { experimentId: clash.id });
      checkRankerBudget(running, experiment);
    }
    await recordTransition(tx, { experimentId: id, from: experiment.state, to, at: now, editor: editor(principal) });
    const summary = { before: { state: experiment.state }, after: { state: to } };
    await recordAudit(tx, { editor: editor(principal), entityType: 'experiment', entityId: id, action: ACTION_OF[to], summary }, now);
  });
  // This process serves the new split from its next request on; others within EXPERIMENTS_TTL_MS.
  await ctx.experiments.refresh();
  return requireExperiment(ctx, id);
}

export const experimentMutations = {
  createExperiment: createExperimentField,
  startExperiment: (_: unknown, args: { id: string }, ctx: ApiContext) => moveExperiment('startExperiment', 'running', args, ctx),
  pauseExperiment: (_: unknown, args: { id: string }, ctx: ApiContext) => moveExperiment('pauseExperiment', 'paused', args, ctx),
  stopExperiment: (_: unknown, args: { id: string }, ctx: ApiContext) => moveExperiment('stopExperiment', 'stopped', args, ctx),
};

type ReportWithWindow = ExperimentReport & { experiment: ExperimentWithHistory; from: number; to: number; conversionDays: number };

export const experimentQueries = {
  async experiment(_: unknown, args: { id: string }, ctx: ApiContext): Promise<ExperimentWithHistory | null> {
    guardQuery(ctx, 'experiment');
    const experiment = await readExperiment(ctx.graph, validateId('id', args.id));
    return experiment ? ((await withHistory(ctx, [experiment]))[0] ?? null) : null;
  },

  async experiments(_: unknown, args: { state?: string | null; first: number }, ctx: ApiContext): Promise<ExperimentWithHistory[]> {
    guardQuery(ctx, 'experiments');
    const limit = checkFirst('first', args.first, MAX_LISTED_EXPERIMENTS);
    const state = args.state ? (args.state.toLowerCase() as ExperimentState) : undefined;
    return withHistory(ctx, await readExperiments(ctx.graph, { state: state && EXPERIMENT_STATES.includes(state) ? state : undefined, limit }));
  },

  async experimentResults(
    _: unknown,
    args: { id: string; from: number; to?: number | null; conversionDays: number },
    ctx: ApiContext,
  ): Promise<ReportWithWindow> {
    guardQuery(ctx, 'experimentResults');
    const window = validateResultsWindow({ from: args.from, to: args.to ?? Date.now(), conversionDays: args.conversionDays });
    const experiment = await requireExperiment(ctx, validateId('id', args.id));
    // This process's lists still waiting in the log's buffer are written first, so the figures include them.
    await ctx.servedLists.flush();
    const rows = await readExperimentUsers(ctx.graph, { experimentId: experiment.id, ...window });
    const report = experimentReport(experiment.variants, rows);
    ctx.experimentMetrics?.reported(experiment.id, report);
    return { ...report, experiment, from: window.from, to: window.to, conversionDays: args.conversionDays };
  },
};

/** An interval on the wire: ends that the data cannot bound yet (too few shoppers) are null. */
const interval = (value: Interval) => ({
  value: value.estimate,
  low: Number.isFinite(value.low) ? value.low : null,
  high: Number.isFinite(value.high) ? value.high : null,
});

export const experimentTypes = {
  Experiment: {
    state: (experiment: ExperimentData) => experiment.state.toUpperCase(),
    surfaces: (experiment: ExperimentData) => experiment.surfaces.map((surface) => (surface === 'similarProducts' ? 'SIMILAR_PRODUCTS' : surface.toUpperCase())),
  },
  ExperimentVariant: {
    strategy: (variant: { overrides: { strategy?: string } }) => variant.overrides.strategy?.toUpperCase().replace('-', '_') ?? null,
    diversity: (variant: { overrides: { diversity?: number } }) => variant.overrides.diversity ?? null,
    modelVersion: (variant: { overrides: VariantOverrides }) => variant.overrides.modelVersion ?? null,
    fusionWeights: (variant: { overrides: VariantOverrides }) => Object.entries(variant.overrides.fusionWeights ?? {}).map(([signal, weight]) => ({ signal, weight })),
    ruleSet: (variant: { overrides: VariantOverrides }) => variant.overrides.ruleSet ?? null,
  },
  ExperimentTransition: {
    from: (transition: ExperimentTransitionData) => transition.from?.toUpperCase() ?? null,
    to: (transition: ExperimentTransitionData) => transition.to.toUpperCase(),
  },
  VariantResults: {
    ctr: (variant: { ctr: Interval }) => interval(variant.ctr),
    addToCartRate: (variant: { addToCartRate: Interval }) => interval(variant.addToCartRate),
    conversionRate: (variant: { conversionRate: Interval }) => interval(variant.conversionRate),
    revenuePerUser: (variant: { revenuePerUser: Interval }) => interval(variant.revenuePerUser),
  },
  VariantComparison: {
    ctrDifference: (comparison: { ctrDifference: Interval }) => interval(comparison.ctrDifference),
  },
};
