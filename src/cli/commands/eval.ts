import path from 'node:path';
import type { Command } from 'commander';
import { homePath, loadConfig, type Config } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import { demoEvalData, graphEvalData, kgatEvalData, type EvalData } from '../../jobs/evalData.js';
import { evaluateRecommenders, type EvaluationReport } from '../../jobs/evaluateRecommenders.js';
import { activeVersion } from '../../kge/modelStore.js';
import { writeFusionWeights } from '../../ranking/fusionWeights.js';
import { positiveInteger, wholeNumber } from '../flagParsers.js';
import { createOutput, UserError } from '../output.js';
import { createProgress, type ProgressReporter } from '../progress.js';

interface EvalOptions {
  demo?: boolean;
  kgat?: string;
  seed: number;
  k: number;
  epochs?: number;
  dimension?: number;
  bprEpochs?: number;
  out?: string;
  saveWeights?: boolean;
  modelsDir?: string;
  json?: boolean;
  fuseBaseline?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('offline evaluation: popularity, item-kNN, P3alpha, RP3beta, EASE, BPR-MF, TransE, text, the KG signal and the fused ranking (with and without the KG), all-item top-K')
    .option('--demo', 'on a freshly generated demo shop, split by time (default: the shop in Neo4j, split by time)')
    .option('--kgat <dir>', 'on KGAT-format data (train.txt, test.txt; kg_final.txt when present), with its test split')
    .option('--seed <n>', 'demo shop seed', wholeNumber('--seed'), 42)
    .option('--k <n>', 'cut-off of the metrics', positiveInteger('--k'), 20)
    .option('--epochs <n>', 'TransE epochs', positiveInteger('--epochs'))
    .option('--dimension <n>', 'TransE dimension', positiveInteger('--dimension'))
    .option('--bpr-epochs <n>', 'BPR-MF epochs', positiveInteger('--bpr-epochs'))
    .option('--out <dir>', 'folder for the report, chart, JSON and the model trained here (default <KGREC_HOME>/eval/<dataset>)')
    .option('--save-weights', 'save the fitted fusion weights with the active model, for the API to use')
    .option('--models-dir <dir>', 'models folder (for --save-weights; default KGREC_MODELS_DIR, else <KGREC_HOME>/models)')
    .option('--json', 'print the results as JSON on the last line')
    .option('--fuse-baseline', 'also evaluate the fusion with the best tuned baseline as one more signal (entry fused-baseline)')
    .action(async (options: EvalOptions) => {
      const out = createOutput(Boolean(options.json));
      const config = loadConfig(process.env, options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir });
      if (options.demo && options.kgat) throw new UserError('kgrec eval: give at most one of --demo or --kgat <dir>', 2);
      const dataset = options.kgat ? path.basename(path.resolve(options.kgat)) : options.demo ? 'demo' : 'graph';
      out.info(`loading ${dataset}`);
      const data = options.kgat ? await kgatEvalData(options.kgat, dataset) : options.demo ? demoEvalData({ seed: options.seed }) : await loadGraphData(config, out.info);
      const outDir = options.out ?? homePath(config.home, 'eval', dataset);
      const bars = new Map<string, ProgressReporter>();
      const hyperparameters = { ...(options.epochs ? { epochs: options.epochs } : {}), ...(options.dimension ? { dimension: options.dimension } : {}) };
      const report = await evaluateRecommenders(data, {
        k: options.k,
        outDir,
        hyperparameters,
        ...(options.bprEpochs ? { bpr: { epochs: options.bprEpochs } } : {}),
        ...(options.fuseBaseline ? { fuseBaseline: true } : {}),
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
          metric: `ndcg@${report.k}`,
          validation: report.fusion.validationNdcg,
          fittedAt: new Date().toISOString(),
          dataset: report.dataset,
        });
        out.info(`saved the fusion weights with model ${version}`);
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
  return { dataset: report.dataset, k: report.k, results: report.results, users: report.users, tuning: report.tuning, fusion: report.fusion, ...(report.baselineFusion ? { baselineFusion: report.baselineFusion } : {}), seconds: report.seconds, files: report.files };
}
