import { rankerKey, type RankerOverrides, type VariantOverrides } from '../domain/experiments.js';
import type { Ranker } from '../ranking/types.js';

/**
 * The rankers experiment variants rank with: the serving ranker for a variant that changes nothing but
 * diversity (a per-request option), and one ranker per distinct set of overrides otherwise (a popularity
 * strategy, another model version, other fusion weights, another rule set), built on first use so a server
 * without such an experiment never loads one. Each holds a ranking state as large as the serving ranker's,
 * so at most `max` are kept: experiments are refused at start beyond that (src/api/experiments.ts), and to
 * make room for another, one that no running experiment needs (`needed`), or else one not used for IDLE_MS,
 * is closed.
 */

/** A variant ranker unused this long belongs to a paused or stopped experiment (or another process's split). */
export const IDLE_MS = 60_000;

type BuildRanker = (overrides: RankerOverrides) => Ranker;

interface Built {
  ranker: Ranker;
  usedAt: number;
}

export class VariantRankersFullError extends Error {}

export class VariantRankers {
  private readonly built = new Map<string, Built>();

  constructor(
    private readonly serving: Ranker,
    private readonly build: BuildRanker,
    private readonly max: number,
    /** The ranker keys (rankerKey) of the running experiments' variants, as this process knows them. */
    private readonly needed: () => ReadonlySet<string>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The ranker of a variant's overrides. */
  for(overrides: VariantOverrides): Ranker {
    const key = rankerKey(overrides);
    if (key === null) return this.serving;
    const now = this.now();
    let entry = this.built.get(key);
    if (!entry) {
      this.makeRoom(now);
      const { strategy, modelVersion, fusionWeights, ruleSet } = overrides;
      entry = { ranker: this.build({ strategy, modelVersion, fusionWeights, ruleSet }), usedAt: now };
      this.built.set(key, entry);
    }
    entry.usedAt = now;
    return entry.ranker;
  }

  /** How many variant rankers are held now. */
  get size(): number {
    return this.built.size;
  }

  private makeRoom(now: number): void {
    if (this.built.size < this.max) return;
    const needed = this.needed();
    const spare = [...this.built].find(([key]) => !needed.has(key)) ?? [...this.built].find(([, entry]) => now - entry.usedAt >= IDLE_MS);
    if (!spare) throw new VariantRankersFullError(`at most ${this.max} variant rankers are kept, and all are in use: stop an experiment first`);
    const [key, entry] = spare;
    entry.ranker.close?.();
    this.built.delete(key);
  }

  /** After catalogue or rule edits, and a user's data deleted (`behaviour: true`), as the serving ranker is told. */
  invalidate(options: { behaviour?: boolean } = {}): void {
    for (const { ranker } of this.built.values()) {
      ranker.invalidate(options);
      ranker.invalidateRules?.();
    }
  }

  /** After a merchandising rule edit. */
  invalidateRules(): void {
    for (const { ranker } of this.built.values()) {
      if (ranker.invalidateRules) ranker.invalidateRules();
      else ranker.invalidate();
    }
  }

  /** A user's data was deleted: their vectors leave the variants' models too. */
  forgetUsers(userIds: readonly string[]): void {
    for (const { ranker } of this.built.values()) ranker.forgetUsers?.(userIds);
  }

  close(): void {
    for (const { ranker } of this.built.values()) ranker.close?.();
    this.built.clear();
  }
}
