import { mean, probit, sampleCovariance, sampleVariance, sum } from 'simple-statistics';

/**
 * Figures of an online experiment and a significance test that stays honest when results are looked at
 * every day. simple-statistics gives the moments and the normal quantile; what it lacks is written here:
 *
 * - Rates per impression (CTR) are ratios of two per-shopper sums. Shoppers, not impressions, were
 *   randomised, and one shopper's impressions are not independent, so the variance of a ratio comes from
 *   the delta method over shoppers (Deng et al. 2018, "Applying the delta method in metric analytics").
 * - The test is the mixture sequential probability ratio test (mSPRT) with a normal mixture over the
 *   difference of two CTRs (Johari et al. 2017, "Peeking at A/B tests"). Its p-value and confidence
 *   interval are "always valid": the chance that they ever cross α under the null stays below α however
 *   often and whenever they are read, which a fixed-horizon z-test read daily does not.
 */

/** One shopper's totals in one variant. */
export interface ShopperTotals {
  impressions: number;
  clicks: number;
  addToCarts: number;
  conversions: number;
  revenue: number;
}

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface VariantFigures {
  users: number;
  impressions: number;
  clicks: number;
  addToCarts: number;
  conversions: number;
  revenue: number;
  /** Clicks per impression, with its (1 − α) confidence interval. */
  ctr: Interval;
  /** Add-to-carts per impression. */
  addToCartRate: Interval;
  /** Share of shoppers with at least one conversion. */
  conversionRate: Interval;
  revenuePerUser: Interval;
  /** The delta-method variance of the CTR estimate (what the sequential test needs). */
  ctrVariance: number;
}

export interface SequentialComparison {
  /** CTR of the treatment minus CTR of the control, with its always-valid (1 − α) interval. */
  ctrDifference: Interval;
  /** Always-valid p-value of "the CTRs are equal". */
  pValue: number;
}

/** The confidence level of every interval reported: 95 %, the usual choice for product decisions. */
export const DEFAULT_ALPHA = 0.05;

/**
 * Standard deviation of the normal mixture over CTR differences: one CTR point, the size of effect shop
 * ranking changes typically have. The test is valid for any value; one near the true effect decides soonest.
 */
export const MSPRT_MIXTURE_SD = 0.01;

const ratio = (top: number, bottom: number): number => (bottom > 0 ? top / bottom : 0);

/**
 * A ratio of per-shopper sums, Σy/Σx, with the delta-method variance
 * (s²_y − 2R·s_xy + R²·s²_x) / (n · x̄²).
 */
export function ratioEstimate(y: Float64Array, x: Float64Array): { estimate: number; variance: number } {
  const n = y.length;
  const ys = Array.from(y);
  const xs = Array.from(x);
  const estimate = n === 0 ? 0 : ratio(sum(ys), sum(xs));
  if (n < 2) return { estimate, variance: Number.POSITIVE_INFINITY };
  const xMean = mean(xs);
  if (xMean === 0) return { estimate, variance: Number.POSITIVE_INFINITY };
  const spread = sampleVariance(ys) - 2 * estimate * sampleCovariance(ys, xs) + estimate * estimate * sampleVariance(xs);
  return { estimate, variance: Math.max(0, spread) / (n * xMean * xMean) };
}

function meanEstimate(values: Float64Array): { estimate: number; variance: number } {
  const n = values.length;
  if (n === 0) return { estimate: 0, variance: Number.POSITIVE_INFINITY };
  const list = Array.from(values);
  return { estimate: mean(list), variance: n < 2 ? Number.POSITIVE_INFINITY : sampleVariance(list) / n };
}

function normalInterval(estimate: number, variance: number, alpha: number): Interval {
  const half = probit(1 - alpha / 2) * Math.sqrt(variance);
  return { estimate, low: estimate - half, high: estimate + half };
}

/** The figures of one variant from its shoppers' totals. */
export function variantFigures(shoppers: readonly ShopperTotals[], alpha = DEFAULT_ALPHA): VariantFigures {
  const column = (pick: (row: ShopperTotals) => number): Float64Array => Float64Array.from(shoppers, pick);
  const impressions = column((row) => row.impressions);
  const clicks = column((row) => row.clicks);
  const addToCarts = column((row) => row.addToCarts);
  const ctr = ratioEstimate(clicks, impressions);
  const carts = ratioEstimate(addToCarts, impressions);
  const converted = meanEstimate(column((row) => (row.conversions > 0 ? 1 : 0)));
  const revenue = column((row) => row.revenue);
  const perUser = meanEstimate(revenue);
  const total = (values: Float64Array): number => values.reduce((acc, value) => acc + value, 0);
  return {
    users: shoppers.length,
    impressions: total(impressions),
    clicks: total(clicks),
    addToCarts: total(addToCarts),
    conversions: total(column((row) => row.conversions)),
    revenue: total(revenue),
    ctr: normalInterval(ctr.estimate, ctr.variance, alpha),
    addToCartRate: normalInterval(carts.estimate, carts.variance, alpha),
    conversionRate: normalInterval(converted.estimate, converted.variance, alpha),
    revenuePerUser: normalInterval(perUser.estimate, perUser.variance, alpha),
    ctrVariance: ctr.variance,
  };
}

/**
 * mSPRT of treatment against control on CTR. With θ̂ the observed difference, V its variance and τ the
 * mixture's standard deviation, the mixture likelihood ratio is
 *   Λ = √(V / (V + τ²)) · exp(θ̂² τ² / (2 V (V + τ²))),
 * the always-valid p-value min(1, 1/Λ) (read at any look, it is at least the running minimum the paper
 * defines, so it errs on the safe side), and the interval the set of θ not rejected at α:
 *   θ̂ ± √(V (V + τ²) / τ² · (ln((V + τ²) / V) + 2 ln(1/α))).
 */
export function sequentialCtrTest(control: VariantFigures, treatment: VariantFigures, alpha = DEFAULT_ALPHA, tau = MSPRT_MIXTURE_SD): SequentialComparison {
  const difference = treatment.ctr.estimate - control.ctr.estimate;
  const variance = control.ctrVariance + treatment.ctrVariance;
  if (!Number.isFinite(variance) || variance <= 0) {
    return { ctrDifference: { estimate: difference, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY }, pValue: 1 };
  }
  const tau2 = tau * tau;
  const logLambda = 0.5 * Math.log(variance / (variance + tau2)) + (difference * difference * tau2) / (2 * variance * (variance + tau2));
  const pValue = Math.min(1, Math.exp(-logLambda));
  const half = Math.sqrt(((variance * (variance + tau2)) / tau2) * (Math.log((variance + tau2) / variance) + 2 * Math.log(1 / alpha)));
  return { ctrDifference: { estimate: difference, low: difference - half, high: difference + half }, pValue };
}
