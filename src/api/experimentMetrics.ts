import { Counter, Gauge, type Registry } from 'prom-client';
import type { ExperimentReport } from '../eval/experimentReport.js';

/**
 * Experiments in Prometheus, per experiment and variant: lists served as they are served, and the figures of
 * experimentResults as of the last time anyone read them (the figures need a window and a query, which a
 * scrape should not start). Label values are experiment ids and variant names, both bounded by the
 * experiments merchandisers create.
 */
export interface ExperimentMetrics {
  served(experimentId: string, variant: string): void;
  reported(experimentId: string, report: ExperimentReport): void;
}

const FIGURES = {
  users: 'Shoppers served lists of the variant in the last results window read',
  impressions: 'Impressions of the variant\'s lists in the last results window read',
  clicks: 'Clicks on the variant\'s lists in the last results window read',
  ctr: 'Clicks per impression of the variant in the last results window read',
  ctr_low: 'Lower end of the 95 % confidence interval of the variant\'s CTR',
  ctr_high: 'Upper end of the 95 % confidence interval of the variant\'s CTR',
  add_to_cart_rate: 'Add-to-carts per impression of the variant',
  conversions: 'Purchases within the conversion window of a click on the variant\'s lists',
  revenue_per_user: 'Revenue of those purchases per shopper of the variant',
  p_value: 'Always-valid p-value of the variant\'s CTR against the control (1 for the control)',
} as const;

export function createExperimentMetrics(registry: Registry): ExperimentMetrics {
  const served = new Counter({
    name: 'kgrec_experiment_served_lists_total',
    help: 'Lists served by an experiment, by experiment and variant',
    labelNames: ['experiment', 'variant'],
    registers: [registry],
  });
  const gauges = Object.fromEntries(
    Object.entries(FIGURES).map(([name, help]) => [name, new Gauge({ name: `kgrec_experiment_${name}`, help, labelNames: ['experiment', 'variant'], registers: [registry] })]),
  ) as Record<keyof typeof FIGURES, Gauge>;
  return {
    served: (experiment, variant) => served.inc({ experiment, variant }),
    reported(experiment, report) {
      for (const variant of report.variants) {
        const labels = { experiment, variant: variant.name };
        const finite = (value: number): number => (Number.isFinite(value) ? value : Number.NaN);
        gauges.users.set(labels, variant.users);
        gauges.impressions.set(labels, variant.impressions);
        gauges.clicks.set(labels, variant.clicks);
        gauges.ctr.set(labels, variant.ctr.estimate);
        gauges.ctr_low.set(labels, finite(variant.ctr.low));
        gauges.ctr_high.set(labels, finite(variant.ctr.high));
        gauges.add_to_cart_rate.set(labels, variant.addToCartRate.estimate);
        gauges.conversions.set(labels, variant.conversions);
        gauges.revenue_per_user.set(labels, variant.revenuePerUser.estimate);
        gauges.p_value.set(labels, variant.versusControl?.pValue ?? 1);
      }
    },
  };
}
