import { latestEvaluation as readLatestEvaluation, type SavedEvaluation } from '../jobs/evaluationReports.js';
import type { ApiContext } from './context.js';
import { guardQuery } from './guard.js';

/** The newest `kgrec eval` report under KGREC_HOME (role merchandiser); null when none was written. */
export async function latestEvaluation(_: unknown, __: unknown, ctx: ApiContext): Promise<SavedEvaluation | null> {
  guardQuery(ctx, 'latestEvaluation');
  return readLatestEvaluation(ctx.evaluationsDir, ({ file, problem }) => ctx.logger.warn({ file, problem }, 'an evaluation report cannot be read; showing an older one'));
}

export const evaluationReportType = {
  dataset: (saved: SavedEvaluation) => saved.report.dataset,
  note: (saved: SavedEvaluation) => saved.report.note ?? null,
  k: (saved: SavedEvaluation) => saved.report.k,
  evaluatedAt: (saved: SavedEvaluation) => saved.writtenAt,
  users: (saved: SavedEvaluation) => saved.report.users ?? saved.report.sessions?.test ?? null,
  modelVersion: (saved: SavedEvaluation) => saved.report.modelVersion ?? null,
  // Models and metrics in the file's order, which is the order `kgrec eval` ran and reported them.
  models: (saved: SavedEvaluation) =>
    Object.entries(saved.report.results).map(([model, metrics]) => ({
      model,
      metrics: Object.entries(metrics).map(([name, value]) => ({ name, value })),
    })),
  chart: (saved: SavedEvaluation) => saved.chart,
};
