import type { VariantDefinition } from '../domain/experiments.js';
import type { ExperimentUserRow } from '../graph/experimentResults.js';
import { DEFAULT_ALPHA, sequentialCtrTest, variantFigures, type SequentialComparison, type VariantFigures } from '../math/experimentStatistics.js';

/**
 * An experiment's report from its per-shopper rows: each variant's figures, each treatment tested against
 * the control (the first variant) on CTR, and the winner, if the evidence names one.
 */

export interface VariantReport extends VariantFigures {
  name: string;
  share: number;
  servedLists: number;
  /** Against the control; null for the control itself. */
  versusControl: SequentialComparison | null;
}

export interface ExperimentReport {
  variants: VariantReport[];
  /**
   * The variant with the best CTR among those the test separates from the control; the control when every
   * treatment is significantly worse; null while the evidence is not there.
   */
  winner: string | null;
  /** The smallest p-value of the comparisons, Bonferroni-adjusted for their number (null with one variant). */
  pValue: number | null;
}

export function experimentReport(variants: readonly VariantDefinition[], rows: readonly ExperimentUserRow[], alpha = DEFAULT_ALPHA): ExperimentReport {
  const byVariant = new Map<string, ExperimentUserRow[]>(variants.map((variant) => [variant.name, []]));
  // Rows of a variant since removed from the definition cannot be placed: the definition is fixed once created.
  for (const row of rows) byVariant.get(row.variant)?.push(row);
  const figures = variants.map((variant) => {
    const shoppers = byVariant.get(variant.name) ?? [];
    return { variant, shoppers, figures: variantFigures(shoppers, alpha) };
  });
  const [control] = figures;
  if (!control) return { variants: [], winner: null, pValue: null };
  const comparisons = figures.length - 1;
  // Each treatment is tested at α / comparisons, so that the chance of any false winner stays below α.
  const perTest = alpha / Math.max(1, comparisons);
  const reports: VariantReport[] = figures.map(({ variant, shoppers, figures: own }, index) => ({
    name: variant.name,
    share: variant.share,
    servedLists: shoppers.reduce((acc, row) => acc + row.lists, 0),
    ...own,
    versusControl: index === 0 ? null : sequentialCtrTest(control.figures, own, perTest),
  }));
  const tested = reports.filter((report) => report.versusControl !== null);
  const better = tested.filter((report) => (report.versusControl?.pValue ?? 1) < perTest && (report.versusControl?.ctrDifference.estimate ?? 0) > 0);
  const allWorse = tested.length > 0 && tested.every((report) => (report.versusControl?.pValue ?? 1) < perTest && (report.versusControl?.ctrDifference.estimate ?? 0) < 0);
  const best = better.sort((a, b) => b.ctr.estimate - a.ctr.estimate)[0];
  const smallest = Math.min(...tested.map((report) => report.versusControl?.pValue ?? 1));
  return {
    variants: reports,
    winner: best ? best.name : allWorse ? control.variant.name : null,
    pValue: tested.length === 0 ? null : Math.min(1, smallest * comparisons),
  };
}
