import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconciles, simulationSummary } from '../../src/cli/commands/simulate.js';
import { writeExperimentReport } from '../../src/jobs/experimentReportFiles.js';
import { parseVariants, simulateShop } from '../../src/jobs/simulateShop.js';
import { startHarness, TOKENS, type Harness } from '../api/harness.js';
import { tempDir } from '../helpers.js';

/**
 * The loop end to end: the demo shop's shoppers against the API in a 50/50 experiment of the fused ranking
 * and plain popularity, their events back through recordEvents, and experimentResults read from them.
 */

/** 2,000 shoppers, as the acceptance run has; a small catalogue keeps loading and training short. */
const SHOP = { products: 300, users: 2_000, events: 30_000, seed: 7 };

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ shop: SHOP });
}, 600_000);

afterAll(async () => {
  await h?.stop();
});

describe('kgrec simulate', () => {
  it('refuses unknown or repeated strategies', () => {
    expect(() => parseVariants('fused,bandit')).toThrow(/unknown strategy "bandit"/);
    expect(() => parseVariants('fused,fused')).toThrow(/two or more different/);
  });

  it('runs 2,000 demo shoppers through fused vs popularity: fused wins on CTR, and the counts reconcile', async () => {
    const result = await simulateShop({
      url: h.server.url,
      token: TOKENS.merchandiser,
      variants: ['fused', 'popularity'],
      users: 2_000,
      days: 1,
      shop: SHOP,
      seed: 1,
      first: 10,
      concurrency: 8,
      conversionDays: 7,
    });
    expect(reconciles(result)).toBe(true);
    const summary = simulationSummary(result);
    const fused = summary.variants.fused;
    const popularity = summary.variants.popularity;
    expect((fused?.users ?? 0) + (popularity?.users ?? 0)).toBe(2_000);
    expect(Math.abs((fused?.users ?? 0) - 1_000)).toBeLessThan(4 * Math.sqrt(500));
    expect(fused?.ctr).toBeGreaterThan(popularity?.ctr ?? 1);
    expect(summary.winner).toBe('fused');
    expect(summary.pValue).toBeLessThan(0.01);
    const state = await h.gql<{ experiment: { state: string } }>('query ($id: ID!) { experiment(id: $id) { state } }', { id: result.experimentId }, TOKENS.merchandiser);
    expect(state.data?.experiment.state).toBe('STOPPED');

    // KGREC_SIMULATE_REPORT_DIR keeps the chart and JSON (docs/benchmarks.md shows them); a temporary folder otherwise.
    const files = await writeExperimentReport(process.env.KGREC_SIMULATE_REPORT_DIR ?? tempDir('kgrec-experiment-'), result.experimentId, result.results);
    expect(readFileSync(files.svg, 'utf8')).toContain('<svg');
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(result.results);
  }, 600_000);
});
