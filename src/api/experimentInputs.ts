import { z } from 'zod';
import {
  rankerKey,
  SHARE_TOLERANCE,
  VARIANT_STRATEGIES,
  type ExperimentSurface,
  type VariantDefinition,
  type VariantOverrides,
} from '../domain/experiments.js';
import { NO_RULES, RULE_SET_NAME, RULE_SET_NAME_RULE } from '../domain/ruleSets.js';
import { RECOMMEND_SIGNALS, type RecommendSignal } from '../ranking/fusionWeights.js';
import { badInput } from './errors.js';

/** The experiment inputs of the GraphQL API, checked with zod; a problem names its input field. */

/** More variants than this spread traffic too thin for any of them to reach a result. */
export const MAX_VARIANTS = 10;
const MAX_NAME_LENGTH = 200;
const MAX_DESCRIPTION_LENGTH = 2_000;
/** Variant names are labels of Prometheus series and chart legends: short words. */
const VARIANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
/** The longest results window: a year of served lists, beyond which a window is almost always a typo. */
export const MAX_WINDOW_DAYS = 366;
/** The longest conversion window after a click. */
export const MAX_CONVERSION_DAYS = 90;
/**
 * Rankers of their own (another model version, other fusion weights or rules, a popularity strategy) that the
 * running experiments may need at once: each holds a ranking state as large as the serving ranker's.
 */
export const MAX_VARIANT_RANKERS = 3;
/** Fitted weights lie between 0 and 1; a weight far above the others would only mean one signal. */
export const MAX_FUSION_WEIGHT = 10;
/** Model versions are folder names (src/kge/modelStore.ts versionName): letters, digits and a few marks. */
const MODEL_VERSION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const fusionWeightsSchema = z
  .object(
    Object.fromEntries(
      RECOMMEND_SIGNALS.map((signal) => [signal, z.number().min(0, `expected 0 to ${MAX_FUSION_WEIGHT}`).max(MAX_FUSION_WEIGHT, `expected 0 to ${MAX_FUSION_WEIGHT}`).nullish()]),
    ) as Record<RecommendSignal, z.ZodOptional<z.ZodNullable<z.ZodNumber>>>,
  )
  .strict()
  .transform((weights, ctx) => {
    const given = Object.fromEntries(Object.entries(weights).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
    if (Object.keys(given).length === 0) ctx.addIssue({ code: 'custom', message: `expected a weight for at least one of ${RECOMMEND_SIGNALS.join(', ')}` });
    return given;
  });

const variantSchema = z.object({
  name: z.string().regex(VARIANT_NAME, 'expected 1 to 40 letters, digits, "_", "." or "-", starting with a letter or digit'),
  share: z.number().gt(0, 'expected a share above 0').lte(1, 'expected a share of at most 1'),
  strategy: z
    .enum(['FUSED', 'POPULARITY', 'PERSONALISED_POPULARITY'])
    .nullish()
    .transform((value) => (value ? VARIANT_STRATEGIES[['FUSED', 'POPULARITY', 'PERSONALISED_POPULARITY'].indexOf(value)] : undefined)),
  diversity: z.number().min(0, 'expected 0 to 1').max(1, 'expected 0 to 1').nullish(),
  modelVersion: z.string().regex(MODEL_VERSION, 'expected a model version name (letters, digits, "_", "." or "-")').nullish(),
  fusionWeights: fusionWeightsSchema.nullish(),
  ruleSet: z
    .string()
    .refine((name) => name === NO_RULES || RULE_SET_NAME.test(name), `expected "${NO_RULES}" or a rule set name: ${RULE_SET_NAME_RULE}`)
    .nullish(),
});

const experimentSchema = z
  .object({
    name: z.string().trim().min(1, 'expected a name').max(MAX_NAME_LENGTH, `at most ${MAX_NAME_LENGTH} characters`),
    description: z.string().max(MAX_DESCRIPTION_LENGTH, `at most ${MAX_DESCRIPTION_LENGTH} characters`).nullish(),
    surfaces: z
      .array(z.enum(['RECOMMEND', 'SEARCH', 'SIMILAR_PRODUCTS']))
      .min(1, 'expected at least one surface')
      .nullish(),
    variants: z.array(variantSchema).min(2, 'expected at least two variants').max(MAX_VARIANTS, `at most ${MAX_VARIANTS} variants`),
  })
  .superRefine((input, ctx) => {
    const total = input.variants.reduce((acc, variant) => acc + variant.share, 0);
    if (Math.abs(total - 1) > SHARE_TOLERANCE) ctx.addIssue({ code: 'custom', path: ['variants'], message: `expected shares adding up to 1, got ${total}` });
    const seen = new Set<string>();
    input.variants.forEach((variant, index) => {
      if (seen.has(variant.name)) ctx.addIssue({ code: 'custom', path: ['variants', index, 'name'], message: `repeats the name ${JSON.stringify(variant.name)}` });
      seen.add(variant.name);
      // Popularity rankers have no model or fusion: the setting would be silently ignored.
      if (variant.strategy !== undefined && variant.strategy !== 'fused') {
        for (const field of ['modelVersion', 'fusionWeights'] as const) {
          if (variant[field] != null) ctx.addIssue({ code: 'custom', path: ['variants', index, field], message: 'applies to the FUSED strategy only' });
        }
      }
    });
    const rankers = new Set(input.variants.map((variant) => rankerKey(overridesOf(variant))).filter((key) => key !== null));
    if (rankers.size > MAX_VARIANT_RANKERS) {
      ctx.addIssue({ code: 'custom', path: ['variants'], message: `at most ${MAX_VARIANT_RANKERS} variants may need rankers of their own (a strategy, model version, fusion weights or rule set), got ${rankers.size}` });
    }
  });

export type ExperimentInput = z.input<typeof experimentSchema>;

/** A variant's settings as stored: only those given (an absent one keeps the default serving behaviour). */
function overridesOf(variant: z.output<typeof variantSchema>): VariantOverrides {
  return {
    ...(variant.strategy === undefined ? {} : { strategy: variant.strategy }),
    ...(variant.diversity == null ? {} : { diversity: variant.diversity }),
    ...(variant.modelVersion == null ? {} : { modelVersion: variant.modelVersion }),
    ...(variant.fusionWeights == null ? {} : { fusionWeights: variant.fusionWeights }),
    ...(variant.ruleSet == null ? {} : { ruleSet: variant.ruleSet }),
  };
}

export interface ValidatedExperiment {
  name: string;
  description: string | null;
  surfaces: ExperimentSurface[];
  variants: VariantDefinition[];
}

const SURFACE_OF: Record<'RECOMMEND' | 'SEARCH' | 'SIMILAR_PRODUCTS', ExperimentSurface> = {
  RECOMMEND: 'recommend',
  SEARCH: 'search',
  SIMILAR_PRODUCTS: 'similarProducts',
};

const fieldOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((field, key) => (typeof key === 'number' ? `${field}[${key}]` : `${field}.${String(key)}`), 'input');

/** Checks an experiment's definition; surfaces default to recommend. */
export function validateExperiment(input: ExperimentInput): ValidatedExperiment {
  const parsed = experimentSchema.safeParse(input);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw badInput(fieldOf(issue?.path ?? []), issue?.message ?? 'invalid experiment');
  }
  const { name, description, surfaces, variants } = parsed.data;
  return {
    name,
    description: description ?? null,
    surfaces: [...new Set((surfaces ?? ['RECOMMEND']).map((surface) => SURFACE_OF[surface]))],
    variants: variants.map((variant) => ({ name: variant.name, share: variant.share, overrides: overridesOf(variant) })),
  };
}

const DAY_MS = 86_400_000;

export interface ResultsWindow {
  from: number;
  to: number;
  conversionMs: number;
}

/** Checks the window of experimentResults: `from` before `to`, at most MAX_WINDOW_DAYS long. */
export function validateResultsWindow(args: { from: number; to: number; conversionDays: number }): ResultsWindow {
  if (!(args.from < args.to)) throw badInput('to', 'expected a time after `from`');
  if (args.to - args.from > MAX_WINDOW_DAYS * DAY_MS) throw badInput('from', `expected a window of at most ${MAX_WINDOW_DAYS} days`);
  if (!Number.isInteger(args.conversionDays) || args.conversionDays < 0 || args.conversionDays > MAX_CONVERSION_DAYS) {
    throw badInput('conversionDays', `expected a whole number of days from 0 to ${MAX_CONVERSION_DAYS}, got ${args.conversionDays}`);
  }
  return { from: args.from, to: args.to, conversionMs: args.conversionDays * DAY_MS };
}
