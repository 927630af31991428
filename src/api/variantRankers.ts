import type { VariantStrategy } from '../domain/experiments.js';
import type { Graph } from '../graph/graph.js';
import { PopularityRanker } from '../ranking/popularityRanker.js';
import type { Ranker } from '../ranking/types.js';

/**
 * The rankers an experiment's variants may ask for by strategy. `fused` is the serving ranker itself; the
 * popularity rankers are built on first use, so a server without such an experiment never loads them.
 */
export class VariantRankers {
  private readonly built = new Map<VariantStrategy, Ranker>();

  constructor(
    private readonly serving: Ranker,
    private readonly graph: Graph,
    private readonly snapshotTtlMs: number,
  ) {}

  /** The ranker of a strategy; the serving ranker without one. */
  for(strategy: VariantStrategy | undefined): Ranker {
    if (strategy === undefined || strategy === 'fused') return this.serving;
    let ranker = this.built.get(strategy);
    if (!ranker) {
      ranker = new PopularityRanker({ graph: this.graph, snapshotTtlMs: this.snapshotTtlMs, personalise: strategy === 'personalised-popularity' });
      this.built.set(strategy, ranker);
    }
    return ranker;
  }

  /** After catalogue or rule edits, as the serving ranker is told. */
  invalidate(): void {
    for (const ranker of this.built.values()) {
      ranker.invalidate();
      ranker.invalidateRules?.();
    }
  }

  close(): void {
    for (const ranker of this.built.values()) ranker.close?.();
  }
}
