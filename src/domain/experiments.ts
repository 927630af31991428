import { createHash } from 'node:crypto';

/**
 * Online experiments in the shop's words: an experiment splits the shoppers of some surfaces between two or
 * more variants by fixed traffic shares, and each variant may change how their lists are ranked. A shopper
 * lands in a variant by a stable hash of the experiment id and their user id, so the same shopper sees the
 * same variant on every request and on every API process, with nothing stored per shopper.
 */

export const EXPERIMENT_STATES = ['draft', 'running', 'paused', 'stopped'] as const;
export type ExperimentState = (typeof EXPERIMENT_STATES)[number];

/** Moves an experiment may make; a stopped experiment stays stopped, so its results stay what they were. */
export const EXPERIMENT_TRANSITIONS: Readonly<Record<ExperimentState, readonly ExperimentState[]>> = {
  draft: ['running', 'stopped'],
  running: ['paused', 'stopped'],
  paused: ['running', 'stopped'],
  stopped: [],
};

/** The surfaces whose lists an experiment can change (the served-list surfaces). */
export const EXPERIMENT_SURFACES = ['recommend', 'search', 'similarProducts'] as const;
export type ExperimentSurface = (typeof EXPERIMENT_SURFACES)[number];

/**
 * How a variant ranks: `fused`, the serving ranker; `popularity`, the shop's popular products for everyone
 * (the list an unknown visitor gets); `personalised-popularity`, popularity lifted by the shopper's
 * category and brand interest.
 */
export const VARIANT_STRATEGIES = ['fused', 'popularity', 'personalised-popularity'] as const;
export type VariantStrategy = (typeof VARIANT_STRATEGIES)[number];

/** What a variant changes; an absent field keeps the default serving behaviour. */
export interface VariantOverrides {
  strategy?: VariantStrategy | undefined;
  /** MMR trade-off 0..1 (0 keeps the relevance order). */
  diversity?: number | undefined;
  /** A saved model version of the models folder to rank with instead of the active one (the fused strategy). */
  modelVersion?: string | undefined;
  /** Fusion weights by recommend signal instead of the model's fitted or default ones; signals left out keep theirs (the fused strategy). */
  fusionWeights?: Readonly<Record<string, number>> | undefined;
  /** The merchandising rules its lists get (src/domain/ruleSets.ts): a rule set's name, or NO_RULES; absent, the shop's. */
  ruleSet?: string | undefined;
}

/** The overrides a variant's ranker is built with (diversity is a per-request option, so it needs none of its own). */
export type RankerOverrides = Pick<VariantOverrides, 'strategy' | 'modelVersion' | 'fusionWeights' | 'ruleSet'>;

/**
 * One key per distinct ranker a variant needs; null when the serving ranker serves it as it is. Keys of
 * equal overrides are equal (fusion weights in a fixed order), so variants that ask for the same share one.
 */
export function rankerKey(overrides: VariantOverrides): string | null {
  const strategy = overrides.strategy ?? 'fused';
  const weights = overrides.fusionWeights && Object.entries(overrides.fusionWeights).sort(([a], [b]) => (a < b ? -1 : 1));
  if (strategy === 'fused' && overrides.modelVersion === undefined && weights === undefined && overrides.ruleSet === undefined) return null;
  return JSON.stringify([strategy, overrides.modelVersion ?? null, weights ?? null, overrides.ruleSet ?? null]);
}

export interface VariantDefinition {
  name: string;
  /** Share of the experiment's traffic, 0..1; the shares of an experiment add up to 1. */
  share: number;
  overrides: VariantOverrides;
}

/** A shopper's variant in a running experiment, as the API applies and records it. */
export interface Assignment {
  experimentId: string;
  variant: string;
  overrides: VariantOverrides;
}

/** Two shares summing to 1 within this are taken as 1: shares like 1/3 cannot be typed exactly. */
export const SHARE_TOLERANCE = 1e-6;

const UINT32_RANGE = 2 ** 32;

/**
 * The shopper's place in [0, 1) for an experiment: the first 32 bits of SHA-256 over the experiment id and
 * the user id. Salting with the experiment id makes the splits of two experiments independent of each
 * other; SHA-256 comes with Node and is the same on every process and release, unlike Math.random.
 */
export function assignmentPoint(experimentId: string, userId: string): number {
  const digest = createHash('sha256').update(`${experimentId}\u0000${userId}`, 'utf8').digest();
  return digest.readUInt32BE(0) / UINT32_RANGE;
}

/** The variant whose share covers the shopper's point; variants are laid out on [0, 1) in their order. */
export function variantFor<V extends { share: number }>(variants: readonly V[], point: number): V {
  let upper = 0;
  for (const variant of variants) {
    upper += variant.share;
    if (point < upper) return variant;
  }
  // Rounding can leave the shares a hair short of 1: the last variant takes the rest.
  const last = variants[variants.length - 1];
  if (last === undefined) throw new RangeError('variantFor: an experiment needs at least one variant');
  return last;
}
