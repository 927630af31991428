import path from 'node:path';
import type { Command } from 'commander';
import { homePath, loadConfig, type Config } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import { demoEvalData, graphEvalData, kgatEvalData, type EvalData } from '../../jobs/evalData.js';
import { DEFAULT_TRANSE_BUDGET_SECONDS, evaluateRecommenders, type EvaluationReport } from '../../jobs/evaluateRecommenders.js';
import { activeVersion } from '../../kge/modelStore.js';
import { writeFusionWeights } from '../../ranking/fusionWeights.js';
import { writeItemItemLists } from '../../ranking/itemItemLists.js';
import { fittedWithModel } from '../../ranking/itemItemSignal.js';
import { positiveInteger, wholeNumber } from '../flagParsers.js';
import { createOutput, UserError, type Output } from '../output.js';
import { DEFAULT_SEARCH_SESSIONS, evaluateSearch, SEARCH_EVAL_K, type SearchEvaluation } from '../../jobs/evaluateSearch.js';
import type { DemoShopOptions } from '../../demo/model.js';
import { createProgress, type ProgressReporter } from '../progress.js';

interface EvalOptions {
  demo?: boolean;
  kgat?: string;
  seed: number;
  k?: number;
  search?: boolean;
  products?: number;
  users?: number;
  events?: number;
  sessions?: number;
  epochs?: number;
  dimension?: number;
  bprEpochs?: number;
  transeMinutes?: number;
  out?: string;
  saveWeights?: boolean;
  modelsDir?: string;
  json?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('offline evaluation: popularity, item-kNN, P3alpha, RP3beta, EASE, BPR-MF, TransE, text, the KG signal and the fused ranking (with and without the KG), all-item top-K')
    .option('--demo', 'on a freshly generated demo shop, split by time (default: the shop in Neo4j, split by time)')
    .option('--kgat <dir>', 'on KGAT-format data (train.txt, test.txt; kg_final.txt when present), with its test split')
    .option('--seed <n>', 'demo shop seed', wholeNumber('--seed'), 42)
    .option('--k <n>', `cut-off of the metrics (default ${RECOMMEND_K}; ${SEARCH_EVAL_K} with --search)`, positiveInteger('--k'))
    .option('--search', 'evaluate search instead (with --demo): BM25, fused and personalised search over sessions written from held-out purchases')
    .option('--products <n>', 'demo shop products (with --demo; default 5000)', positiveInteger('--products'))
    .option('--users <n>', 'demo shop users (with --demo; default 2000)', positiveInteger('--users'))
    .option('--events <n>', 'demo shop events (with --demo; default 200000)', wholeNumber('--events'))
    .option('--sessions <n>', `search sessions per split at most (with --search; default ${DEFAULT_SEARCH_SESSIONS})`, positiveInteger('--sessions'))
    .option('--epochs <n>', 'TransE epochs', positiveInteger('--epochs'))
    .option('--dimension <n>', 'TransE dimension', positiveInteger('--dimension'))
    .option('--bpr-epochs <n>', 'BPR-MF epochs', positiveInteger('--bpr-epochs'))
    .option('--transe-minutes <n>', `training minutes all TransE runs share; each stops after the last epoch that fits its share (default ${DEFAULT_TRANSE_BUDGET_SECONDS / 60})`, positiveInteger('--transe-minutes'))
    .option('--out <dir>', 'folder for the report, chart, JSON and the model trained here (default <KGREC_HOME>/eval/<dataset>)')
    .option('--save-weights', 'save the fitted fusion weights and the chosen item-item model with the active model, for the API to use')
    .option('--models-dir <dir>', 'models folder (for --save-weights; default KGREC_MODELS_DIR, else <KGREC_HOME>/models)')
    .option('--json', 'print the results as JSON on the last line')
    .action(async (options: EvalOptions) => {
      const out = createOutput(Boolean(options.json));
      const config = loadConfig(process.env, options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir });
      if (options.demo && options.kgat) throw new UserError('kgrec eval: give at most one of --demo or --kgat <dir>', 2);
      if (options.search) {
        await runSearchEval(options, config, out);
        return;
      }
      const k = options.k ?? RECOMMEND_K;
      const dataset = options.kgat ? path.basename(path.resolve(options.kgat)) : options.demo ? 'demo' : 'graph';
      out.info(`loading ${dataset}`);
      const data = options.kgat ? await kgatEvalData(options.kgat, dataset) : options.demo ? demoEvalData(demoOptions(options)) : await loadGraphData(config, out.info);
      const outDir = options.out ?? homePath(config.home, 'eval', dataset);
      const bars = new Map<string, ProgressReporter>();
      const hyperparameters = { ...(options.epochs ? { epochs: options.epochs } : {}), ...(options.dimension ? { dimension: options.dimension } : {}) };
      const report = await evaluateRecommenders(data, {
        k,
        outDir,
        hyperparameters,
        ...(options.bprEpochs ? { bpr: { epochs: options.bprEpochs } } : {}),
        ...(options.transeMinutes ? { transeBudgetSeconds: options.transeMinutes * 60 } : {}),
        onInfo: (message) => out.info(message),
        onProgress: (stage, done, total) => {
          if (total === 0) {
            out.info(stage);
            return;
          }
          let bar = bars.get(stage);
          if (!bar) bars.set(stage, (bar = createProgress(stage)));
          bar.update(done, total, { unit: 'users' });
          if (done >= total) bar.stop();
        },
      });
      if (options.saveWeights) {
        const version = await activeVersion(config.modelsDir);
        if (!version) throw new UserError('--save-weights: there is no active model to save the weights with');
        await writeFusionWeights(config.modelsDir, version, {
          weights: report.fusion.weights,
          metric: `mean(ndcg@${report.k},recall@${report.k})`,
          validation: report.fusion.validationObjective,
          fittedAt: new Date().toISOString(),
          dataset: report.dataset,
          itemItem: report.fusion.itemItem,
          // The shop's next training exports the TransE triples these weights were fitted with (src/jobs/train.ts).
          graphTriples: report.fusion.graphTriples,
        });
        // EASE's lists are not rebuilt by the API: they go with the weights (src/ranking/itemItemLists.ts).
        if (fittedWithModel(report.fusion.itemItem) && report.itemItemLists) await writeItemItemLists(config.modelsDir, version, report.itemItemLists);
        out.info(`saved the fusion weights with model ${version} (TransE triples: ${report.fusion.graphTriples})`);
      }
      out.result(jsonResult(report), () => {
        out.line(`${report.dataset}: ${report.users.toLocaleString('en-US')} test users, ${report.note}`);
        for (const [model, metrics] of Object.entries(report.results)) {
          out.line(`  ${model.padEnd(11)} recall@${report.k} ${(metrics[`recall@${report.k}`] ?? 0).toFixed(4)}  ndcg@${report.k} ${(metrics[`ndcg@${report.k}`] ?? 0).toFixed(4)}  ndcg_kgat@${report.k} ${(metrics[`ndcg_kgat@${report.k}`] ?? 0).toFixed(4)}`);
        }
        out.line(`report: ${report.files.markdown}, chart: ${report.files.png}`);
      });
    });
}

const RECOMMEND_K = 20;

const demoOptions = (options: EvalOptions): DemoShopOptions & { seed: number } => ({ seed: options.seed, products: options.products, users: options.users, events: options.events });

/** `--search --demo`: the served search on a generated shop loaded into the configured (empty) Neo4j. */
async function runSearchEval(options: EvalOptions, config: Config, out: Output): Promise<void> {
  if (!options.demo || options.kgat) throw new UserError('kgrec eval --search: give --demo as well (search sessions are written from the demo shoppers)', 2);
  const { graph } = await openGraph(config, { startLocal: true, migrate: true, onInfo: out.info });
  let report: SearchEvaluation;
  try {
    report = await evaluateSearch({
      graph,
      config,
      demo: demoOptions(options),
      outDir: options.out ?? homePath(config.home, 'eval', 'demo-search'),
      k: options.k ?? SEARCH_EVAL_K,
      ...(options.sessions ? { maxSessions: options.sessions } : {}),
      hyperparameters: { ...(options.epochs ? { epochs: options.epochs } : {}), ...(options.dimension ? { dimension: options.dimension } : {}) },
      onInfo: (message) => out.info(message),
    });
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('kgrec eval --search')) throw new UserError(error.message);
    throw error;
  } finally {
    await graph.close();
  }
  out.result(searchJsonResult(report), () => {
    out.line(`${report.dataset}: ${report.sessions.test} test sessions (${report.sessions.validation} validation sessions fitted the weights)`);
    for (const [model, metrics] of Object.entries(report.results)) {
      out.line(`  ${model.padEnd(13)} ndcg@${report.k} ${(metrics[`ndcg@${report.k}`] ?? 0).toFixed(4)}  mrr ${(metrics.mrr ?? 0).toFixed(4)}`);
    }
    out.line(`report: ${report.files.markdown}, chart: ${report.files.png}`);
  });
}

/** The last line of `--search --json`. */
export function searchJsonResult(report: SearchEvaluation): Record<string, unknown> {
  return { dataset: report.dataset, k: report.k, results: report.results, sessions: report.sessions, titleShare: report.titleShare, weights: report.weights, seconds: report.seconds, files: report.files };
}

/** Without --demo or --kgat: the shop in Neo4j (the local one is started when NEO4J_URI is unset). */
async function loadGraphData(config: Config, onInfo: (message: string) => void): Promise<EvalData> {
  const { graph } = await openGraph(config, { startLocal: true, migrate: true, onInfo });
  try {
    return await graphEvalData(graph, config.relationTypes);
  } finally {
    await graph.close();
  }
}

function jsonResult(report: EvaluationReport): Record<string, unknown> {
  return { dataset: report.dataset, k: report.k, results: report.results, users: report.users, tuning: report.tuning, fusion: report.fusion, seconds: report.seconds, transe: report.transe, files: report.files };
}
