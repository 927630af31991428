import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readTextIfPresent } from '../util/files.js';
import { itemItemSpecSchema } from './itemItemSignal.js';
import { GRAPH_TRIPLES } from '../kge/graphTriples.js';

/**
 * The signals `recommend` fuses, and their weights. Each signal is standardised over the catalogue for
 * the request (z-score) before weighting, so a weight says how much a signal counts, whatever its scale.
 * Weights are fitted offline on held-out behaviour by `kgrec eval` (coordinate ascent on NDCG) and saved
 * beside the model they were fitted for; configuration can override them.
 */

export const RECOMMEND_SIGNALS = ['graph', 'coBought', 'related', 'text', 'popularity', 'recency', 'category', 'brand', 'kg', 'kgInterest', 'itemItem'] as const;
export type RecommendSignal = (typeof RECOMMEND_SIGNALS)[number];
export type FusionWeights = Record<RecommendSignal, number>;

/**
 * Used until a fit exists: the trained graph leads, co-purchases and the user's categories refine it,
 * popularity breaks ties; entities shared through the knowledge graph (`kg`) and the user's interest in
 * the products' entities (`kgInterest`, src/ranking/kgInterest.ts) count as much as popularity (a shop
 * without KG triples has neither signal, so their weights then go unused); the tuned item × item
 * model (`itemItem`, src/ranking/itemItemSignal.ts) counts as much as co-behaviour. Reasoned starting points, not fitted (and one of the fit's starting points): on
 * the demo shop the fit gives graph 0.51, popularity 0.16, text 0.15, brand 0.10 and 0.03 for co-behaviour,
 * recency and category (`kgrec eval --demo --save-weights` stores such a fit).
 */
export const DEFAULT_FUSION_WEIGHTS: FusionWeights = { graph: 0.4, coBought: 0.2, related: 0.05, text: 0.05, popularity: 0.1, recency: 0.05, category: 0.15, brand: 0.05, kg: 0.1, kgInterest: 0.1, itemItem: 0.2 };

export const FUSION_FILE = 'fusion.json';

export { DEFAULT_GRAPH_TRIPLES, GRAPH_TRIPLES, type GraphTriples } from '../kge/graphTriples.js';

const fusionFileSchema = z.object({
  // A fit saved before a signal existed gives that signal no weight.
  weights: z.object(Object.fromEntries(RECOMMEND_SIGNALS.map((signal) => [signal, z.number().nonnegative().default(0)])) as Record<RecommendSignal, z.ZodDefault<z.ZodNumber>>),
  metric: z.string(),
  validation: z.number(),
  fittedAt: z.iso.datetime(),
  dataset: z.string(),
  /** The item × item model behind the `itemItem` signal, as chosen on validation (absent: the default). */
  itemItem: itemItemSpecSchema.optional(),
  /** The TransE triples the weights were fitted with, and the shop's training then exports (absent: DEFAULT_GRAPH_TRIPLES). */
  graphTriples: z.enum(GRAPH_TRIPLES).optional(),
});
export type FusionFile = z.infer<typeof fusionFileSchema>;

/** The fitted weights saved with a model version, or null when it has none. */
export async function readFusionWeights(modelsDir: string, version: string): Promise<FusionFile | null> {
  const file = path.join(modelsDir, version, FUSION_FILE);
  const text = await readTextIfPresent(file);
  if (text === null) return null;
  const parsed = fusionFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

export async function writeFusionWeights(modelsDir: string, version: string, fusion: FusionFile): Promise<void> {
  const file = path.join(modelsDir, version, FUSION_FILE);
  await fs.writeFile(`${file}.tmp`, `${JSON.stringify(fusion, null, 2)}\n`);
  await fs.rename(`${file}.tmp`, file);
}
