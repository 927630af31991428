import neo4j from 'neo4j-driver';
import type { ExperimentState, ExperimentSurface, VariantDefinition } from '../domain/experiments.js';
import type { Graph, Transaction } from './graph.js';

/**
 * Experiments as `(:Experiment)` nodes, their variants stored as JSON text (they are read and written
 * whole), and each change of state as an `(:ExperimentTransition)` beside it: the history of who started,
 * paused and stopped it, and when. Nothing here is ever deleted, so past results stay explainable.
 */

export interface ExperimentData {
  id: string;
  name: string;
  description: string | null;
  state: ExperimentState;
  surfaces: ExperimentSurface[];
  variants: VariantDefinition[];
  /** Epoch milliseconds. */
  createdAt: number;
  createdBy: string;
  updatedAt: number;
}

export interface ExperimentTransitionData {
  experimentId: string;
  from: ExperimentState | null;
  to: ExperimentState;
  /** Epoch milliseconds. */
  at: number;
  editor: string;
}

const EXPERIMENT_FIELDS = `e.id AS id, e.name AS name, e.description AS description, e.state AS state, e.surfaces AS surfaces,
  e.variants AS variants, e.createdAt AS createdAt, e.createdBy AS createdBy, e.updatedAt AS updatedAt`;

type ExperimentRow = Omit<ExperimentData, 'variants'> & { variants: string };

const fromRow = (row: ExperimentRow): ExperimentData => ({ ...row, variants: JSON.parse(row.variants) as VariantDefinition[] });

const CREATE_EXPERIMENT = `
CREATE (e:Experiment {id: $id, name: $name, description: $description, state: 'draft', surfaces: $surfaces,
                      variants: $variants, createdAt: $at, createdBy: $editor, updatedAt: $at})
CREATE (:ExperimentTransition {experimentId: $id, from: null, to: 'draft', at: $at, editor: $editor})`;

/** Stores a new experiment, in state draft, in the caller's transaction. */
export async function createExperiment(
  tx: Transaction,
  experiment: { id: string; name: string; description: string | null; surfaces: readonly ExperimentSurface[]; variants: readonly VariantDefinition[] },
  editor: string,
  at: number,
): Promise<void> {
  await tx.run(CREATE_EXPERIMENT, { ...experiment, surfaces: [...experiment.surfaces], variants: JSON.stringify(experiment.variants), editor, at: neo4j.int(at) });
}

// Starts are serialised by this lock: two starts at once would both see no running experiment on a surface.
const LOCK_EXPERIMENTS = `
MERGE (lock:KgrecLock {id: 'experiments'})
SET lock.takenAt = timestamp()`;

/** Takes the experiments' write lock until `tx` ends; every change of state takes it before reading. */
export async function lockExperiments(tx: Transaction): Promise<void> {
  await tx.run(LOCK_EXPERIMENTS);
}

const READ_EXPERIMENT = `MATCH (e:Experiment {id: $id}) RETURN ${EXPERIMENT_FIELDS}`;

export async function readExperimentIn(tx: Transaction, id: string): Promise<ExperimentData | null> {
  const [row] = await tx.run<ExperimentRow>(READ_EXPERIMENT, { id });
  return row ? fromRow(row) : null;
}

export async function readExperiment(graph: Graph, id: string): Promise<ExperimentData | null> {
  const [row] = await graph.read<ExperimentRow>(READ_EXPERIMENT, { id });
  return row ? fromRow(row) : null;
}

const READ_EXPERIMENTS = `
MATCH (e:Experiment)
WHERE $state IS NULL OR e.state = $state
RETURN ${EXPERIMENT_FIELDS}
ORDER BY e.createdAt DESC, e.id
LIMIT $limit`;

/** Experiments newest first, all or those in one state. */
export async function readExperiments(graph: Graph, options: { state?: ExperimentState | undefined; limit: number }): Promise<ExperimentData[]> {
  const rows = await graph.read<ExperimentRow>(READ_EXPERIMENTS, { state: options.state ?? null, limit: neo4j.int(options.limit) });
  return rows.map(fromRow);
}

const RUNNING_IN_TX = `MATCH (e:Experiment {state: 'running'}) RETURN ${EXPERIMENT_FIELDS}`;

/** The running experiments, read in the caller's transaction (after lockExperiments). */
export async function readRunningIn(tx: Transaction): Promise<ExperimentData[]> {
  return (await tx.run<ExperimentRow>(RUNNING_IN_TX)).map(fromRow);
}

const TRANSITION = `
MATCH (e:Experiment {id: $id})
SET e.state = $to, e.updatedAt = $at
CREATE (:ExperimentTransition {experimentId: $id, from: $from, to: $to, at: $at, editor: $editor})`;

/** Moves an experiment to `to` and records the move; the caller has checked that the move is allowed. */
export async function recordTransition(tx: Transaction, transition: ExperimentTransitionData): Promise<void> {
  await tx.run(TRANSITION, { id: transition.experimentId, from: transition.from, to: transition.to, at: neo4j.int(transition.at), editor: transition.editor });
}

const READ_TRANSITIONS = `
MATCH (t:ExperimentTransition)
WHERE t.experimentId IN $ids
RETURN t.experimentId AS experimentId, t.from AS from, t.to AS to, t.at AS at, t.editor AS editor
ORDER BY t.at, elementId(t)`;

/** The state history of these experiments, oldest first. */
export async function readTransitions(graph: Graph, ids: readonly string[]): Promise<ExperimentTransitionData[]> {
  return graph.read<ExperimentTransitionData & Record<string, unknown>>(READ_TRANSITIONS, { ids: [...ids] });
}
