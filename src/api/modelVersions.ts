import { listModels, type ModelListing } from '../kge/modelStore.js';
import { metricsOf } from './admin.js';
import type { ApiContext } from './context.js';
import { guardQuery } from './guard.js';
import { checkFirst } from './limits.js';

/**
 * The saved model versions of the models folder (role admin), newest first: every version, whether trained
 * by `kgrec train`, by a retraining job or by `kgrec eval`, with the metrics the trainer stored in its
 * manifest. A folder whose manifest cannot be read is listed with its error rather than hidden.
 */

export interface ModelVersionRow {
  version: string;
  active: boolean;
  listing: ModelListing;
}

export async function modelVersions(_: unknown, args: { first: number }, ctx: ApiContext): Promise<ModelVersionRow[]> {
  guardQuery(ctx, 'modelVersions');
  const first = checkFirst('first', args.first, ctx.config.maxFirst);
  const listings = await listModels(ctx.config.modelsDir);
  return listings.slice(0, first).map((listing) => ({ version: listing.version, active: listing.active, listing }));
}

export const modelVersionType = {
  createdAt: ({ listing }: ModelVersionRow) => (listing.manifest ? Date.parse(listing.manifest.createdAt) : null),
  trainedOn: ({ listing }: ModelVersionRow) => listing.manifest?.trainedOn ?? null,
  benchmark: ({ listing }: ModelVersionRow) => listing.manifest?.trainedOn === 'benchmark',
  entityCount: ({ listing }: ModelVersionRow) => listing.manifest?.entityCount ?? null,
  backend: ({ listing }: ModelVersionRow) => listing.manifest?.backend ?? null,
  durationSeconds: ({ listing }: ModelVersionRow) => listing.manifest?.durationSeconds ?? null,
  hyperparameters: ({ listing }: ModelVersionRow) => listing.manifest?.hyperparameters ?? null,
  metrics: ({ listing }: ModelVersionRow) => {
    const metrics = listing.manifest?.metrics;
    return metrics ? { valid: metricsOf(metrics.valid), test: metricsOf(metrics.test) } : null;
  },
  error: ({ listing }: ModelVersionRow) => listing.error ?? null,
};
