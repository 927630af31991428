import type { Command } from 'commander';
import { loadApiConfig } from '../../api/config.js';
import { homePath, loadConfig } from '../../config.js';
import { DEFAULT_DEMO_OPTIONS } from '../../demo/generate.js';
import { writeExperimentReport } from '../../jobs/experimentReportFiles.js';
import { parseVariants, simulateShop, type SimulationResult } from '../../jobs/simulateShop.js';
import { createOutput, formatCount, UserError } from '../output.js';
import { createProgress } from '../progress.js';
import { positiveInteger } from '../flagParsers.js';

interface SimulateFlags {
  variants: string;
  users: number;
  days: number;
  url?: string;
  seed: number;
  shopSeed: number;
  shopProducts: number;
  shopUsers: number;
  first: number;
  concurrency: number;
  conversionDays: number;
  json?: boolean;
}

/** Shoppers whose visits are in flight at once: enough to keep a local API busy without queueing at it. */
const DEFAULT_CONCURRENCY = 8;

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('replay the demo shop\'s shoppers against the running API in an A/B experiment of ranking strategies, and report it')
    .option('--variants <list>', 'strategies to compare, equal shares, the first the control: fused, popularity, personalised-popularity', 'fused,popularity')
    .option('--users <n>', 'shoppers to simulate (the demo shop\'s first n)', positiveInteger('--users'), 2_000)
    .option('--days <n>', 'simulated days: each shopper asks for one list a day', positiveInteger('--days'), 3)
    .option('--url <url>', 'the API\'s GraphQL URL (default KGREC_API_URL, else the local API)')
    .option('--seed <n>', 'seed of the shoppers\' answers', positiveInteger('--seed'), 1)
    .option('--shop-seed <n>', 'seed the demo shop was generated with', positiveInteger('--shop-seed'), DEFAULT_DEMO_OPTIONS.seed)
    .option('--shop-products <n>', 'products of the demo shop', positiveInteger('--shop-products'), DEFAULT_DEMO_OPTIONS.products)
    .option('--shop-users <n>', 'users of the demo shop', positiveInteger('--shop-users'), DEFAULT_DEMO_OPTIONS.users)
    .option('--first <n>', 'items per list', positiveInteger('--first'), 10)
    .option('--concurrency <n>', 'shoppers in flight at once', positiveInteger('--concurrency'), DEFAULT_CONCURRENCY)
    .option('--conversion-days <n>', 'a purchase within this many days of a click converts it', positiveInteger('--conversion-days'), 7)
    .option('--json', 'print the summary as JSON on the last line')
    .action(async (flags: SimulateFlags) => {
      const out = createOutput(Boolean(flags.json));
      const config = loadConfig();
      const token = process.env.KGREC_API_TOKEN;
      if (!token) throw new UserError('kgrec simulate: set KGREC_API_TOKEN to a token of role merchandiser or admin (the simulator creates its experiment)', 2);
      const url = flags.url ?? process.env.KGREC_API_URL ?? localApiUrl();
      let variants;
      try {
        variants = parseVariants(flags.variants);
      } catch (error) {
        throw new UserError((error as Error).message, 2);
      }
      out.info(`simulating ${formatCount(flags.users)} shoppers over ${flags.days} days against ${url}: ${variants.join(' vs ')}`);
      const progress = createProgress('shoppers');
      const started = performance.now();
      const result = await simulateShop({
        url,
        token,
        variants,
        users: flags.users,
        days: flags.days,
        shop: { seed: flags.shopSeed, products: flags.shopProducts, users: flags.shopUsers },
        seed: flags.seed,
        first: flags.first,
        concurrency: flags.concurrency,
        conversionDays: flags.conversionDays,
        onProgress: (done, total) => progress.update(done, total, { rate: done / ((performance.now() - started) / 1000), unit: 'visits', note: `day ${Math.min(flags.days, Math.floor(done / flags.users) + 1)}` }),
      });
      progress.stop();
      const files = await writeExperimentReport(homePath(config.home, 'reports', 'experiments'), result.experimentId, result.results);
      const summary = { ...simulationSummary(result), chart: files.png };
      out.result(summary, () => printSummary(out.line, summary));
    });
}

function localApiUrl(): string {
  const api = loadApiConfig(process.env, {}, loadConfig());
  const host = ['0.0.0.0', '::'].includes(api.host) ? '127.0.0.1' : api.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${api.port}/graphql`;
}

/** Whether the API's counts equal what the simulator sent, variant by variant. */
export function reconciles(result: SimulationResult): boolean {
  return result.results.variants.every((variant) => {
    const sent = result.sent[variant.name];
    return sent !== undefined && sent.users === variant.users && sent.lists === variant.servedLists && sent.impressions === variant.impressions && sent.clicks === variant.clicks && sent.addToCarts === variant.addToCarts;
  });
}

export function simulationSummary(result: SimulationResult) {
  return {
    experiment: result.experimentId,
    variants: Object.fromEntries(
      result.results.variants.map((variant) => [
        variant.name,
        {
          users: variant.users,
          impressions: variant.impressions,
          clicks: variant.clicks,
          ctr: variant.ctr.value,
          ctrLow: variant.ctr.low,
          ctrHigh: variant.ctr.high,
          conversions: variant.conversions,
          revenuePerUser: variant.revenuePerUser.value,
        },
      ]),
    ),
    winner: result.results.winner,
    pValue: result.results.pValue,
    reconciled: reconciles(result),
  };
}

function printSummary(line: (text: string) => void, summary: ReturnType<typeof simulationSummary> & { chart: string }): void {
  line(`experiment ${summary.experiment}`);
  for (const [name, variant] of Object.entries(summary.variants)) {
    const interval = variant.ctrLow === null || variant.ctrHigh === null ? '' : ` [${(variant.ctrLow * 100).toFixed(2)}, ${(variant.ctrHigh * 100).toFixed(2)}]`;
    line(
      `  ${name.padEnd(24)} ${formatCount(variant.users).padStart(6)} shoppers ${formatCount(variant.impressions).padStart(9)} impressions ` +
        `CTR ${(variant.ctr * 100).toFixed(2)} %${interval} conversions ${formatCount(variant.conversions)} revenue/shopper ${variant.revenuePerUser.toFixed(2)}`,
    );
  }
  line(`winner: ${summary.winner ?? 'none yet'} (always-valid p = ${summary.pValue === null ? 'n/a' : summary.pValue.toPrecision(3)})`);
  line(`counts reconcile with experimentResults: ${summary.reconciled ? 'yes' : 'NO'}`);
  line(`chart: ${summary.chart}`);
}
