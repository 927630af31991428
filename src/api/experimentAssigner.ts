import { assignmentPoint, rankerKey, variantFor, type Assignment, type ExperimentSurface } from '../domain/experiments.js';
import { readExperiments, type ExperimentData } from '../graph/experiments.js';
import type { Graph } from '../graph/graph.js';

/**
 * Which variant a caller's list comes from. The running experiments are held in memory and read again at
 * most every EXPERIMENTS_TTL_MS, when a request finds them older (the request is answered from the copy it
 * found, so `assign` never waits); this process reads them at once after its own starts, pauses and stops.
 */

/** How stale another process's start or stop may be seen: a few seconds of traffic in the old split. */
export const EXPERIMENTS_TTL_MS = 5_000;
/** Running experiments read at most; starts refuse overlapping surfaces, so there are at most three in practice. */
const MAX_RUNNING = 100;

export class ExperimentAssigner {
  private running: ExperimentData[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly graph: Graph,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly ttlMs = EXPERIMENTS_TTL_MS,
  ) {}

  /**
   * The caller's assignment for lists of `surface`: null for an anonymous caller (no user id to keep the
   * variant sticky by) and for a surface no running experiment covers; those callers get the default.
   */
  assign(userId: string | null, surface: ExperimentSurface): Assignment | null {
    if (Date.now() - this.loadedAt > this.ttlMs) void this.refresh().catch(this.onError);
    if (userId === null) return null;
    const experiment = this.running.find((candidate) => candidate.surfaces.includes(surface));
    if (!experiment) return null;
    const variant = variantFor(experiment.variants, assignmentPoint(experiment.id, userId));
    return { experimentId: experiment.id, variant: variant.name, overrides: variant.overrides };
  }

  /** The keys of the rankers the running experiments' variants need (src/api/variantRankers.ts). */
  rankerKeys(): Set<string> {
    return new Set(this.running.flatMap((experiment) => experiment.variants.flatMap((variant) => rankerKey(variant.overrides) ?? [])));
  }

  /** Reads the running experiments now (concurrent calls share one read). */
  refresh(): Promise<void> {
    this.loading ??= readExperiments(this.graph, { state: 'running', limit: MAX_RUNNING })
      .then((running) => {
        this.running = running;
        this.loadedAt = Date.now();
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
