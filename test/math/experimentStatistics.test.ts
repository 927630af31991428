import { describe, expect, it } from 'vitest';
import { sequentialCtrTest, variantFigures, type ShopperTotals } from '../../src/math/experimentStatistics.js';
import { Random } from '../../src/math/random.js';

/** Shoppers with a few impressions each, clicking each with the given chance. */
function shoppers(random: Random, count: number, ctr: number): ShopperTotals[] {
  return Array.from({ length: count }, () => {
    const impressions = random.integer(1, 20);
    let clicks = 0;
    for (let index = 0; index < impressions; index += 1) if (random.chance(ctr)) clicks += 1;
    return { impressions, clicks, addToCarts: 0, conversions: 0, revenue: 0 };
  });
}

describe('experiment statistics', () => {
  it('gives CTR as clicks over impressions with a delta-method interval that covers the true rate about 95 % of the time', () => {
    const random = new Random(5);
    let covered = 0;
    const runs = 400;
    for (let run = 0; run < runs; run += 1) {
      const figures = variantFigures(shoppers(random, 300, 0.1));
      expect(figures.ctr.estimate).toBeCloseTo(figures.clicks / figures.impressions, 12);
      if (figures.ctr.low <= 0.1 && 0.1 <= figures.ctr.high) covered += 1;
    }
    // Binomial spread of 400 runs at 95 %: about 11 runs either way.
    expect(covered / runs).toBeGreaterThan(0.91);
    expect(covered / runs).toBeLessThan(0.99);
  });

  it('keeps false winners below α when equal variants are looked at every day', () => {
    const random = new Random(9);
    const experiments = 120;
    let falseWinners = 0;
    for (let experiment = 0; experiment < experiments; experiment += 1) {
      const control: ShopperTotals[] = [];
      const treatment: ShopperTotals[] = [];
      // Fifteen daily looks at a growing sample; one p-value below 0.05 on any day is a false winner.
      for (let day = 0; day < 15; day += 1) {
        control.push(...shoppers(random, 50, 0.1));
        treatment.push(...shoppers(random, 50, 0.1));
        if (sequentialCtrTest(variantFigures(control), variantFigures(treatment)).pValue < 0.05) {
          falseWinners += 1;
          break;
        }
      }
    }
    expect(falseWinners / experiments).toBeLessThanOrEqual(0.05);
  });

  it('finds a real difference, with an always-valid interval around it', () => {
    const random = new Random(13);
    const control = variantFigures(shoppers(random, 2_000, 0.1));
    const treatment = variantFigures(shoppers(random, 2_000, 0.13));
    const test = sequentialCtrTest(control, treatment);
    expect(test.pValue).toBeLessThan(0.001);
    expect(test.ctrDifference.low).toBeGreaterThan(0);
    expect(test.ctrDifference.low).toBeLessThan(0.03);
    expect(test.ctrDifference.high).toBeGreaterThan(0.03);
  });

  it('bounds nothing from fewer than two shoppers', () => {
    const one = variantFigures([{ impressions: 5, clicks: 1, addToCarts: 0, conversions: 0, revenue: 0 }]);
    expect(one.ctr).toEqual({ estimate: 0.2, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY });
    expect(sequentialCtrTest(one, one).pValue).toBe(1);
  });
});
