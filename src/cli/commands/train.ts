import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { homePath, loadConfig, type Config } from '../../config.js';
import { openGraph } from '../../graph/connect.js';
import type { Graph } from '../../graph/graph.js';
import { PRESETS } from '../../kge/hyperparameters.js';
import { activeVersion, listModels, removeModel } from '../../kge/modelStore.js';
import type { LinkPredictionResult, TransEHyperparameters } from '../../kge/types.js';
import { activateAndWriteBack } from '../../jobs/activate.js';
import { runTrainingJob, type TrainJobOptions, type TrainJobResult, type TrainingSource } from '../../jobs/train.js';
import { nonNegativeNumber, numberAbove, oneOf, positiveInteger, wholeNumber } from '../flagParsers.js';
import { createOutput, formatCount, UserError, type Output } from '../output.js';
import { createProgress } from '../progress.js';

interface TrainFlags {
  triples?: string;
  preset?: string;
  config?: string;
  dimension?: number;
  distance?: 'L1' | 'L2';
  loss?: 'margin' | 'self-adversarial';
  margin?: number;
  adversarialTemperature?: number;
  negatives?: number;
  corruption?: 'uniform' | 'bernoulli';
  reflexiveNegatives?: boolean;
  optimizer?: 'adam' | 'adagrad';
  learningRate?: number;
  lrDecay?: number;
  batchSize?: number;
  epochs?: number;
  normConstraint?: boolean;
  regularization?: number;
  workers?: number;
  seed?: number;
  evalEvery: number;
  patience: number;
  timeLimit?: number;
  /** Default: the shop's models folder, or the benchmark one with --triples. */
  modelsDir?: string;
  activate: boolean;
  resume?: boolean;
  warmStart?: boolean;
  engine: 'auto' | 'cpu' | 'tfjs' | 'tfjs-gpu';
  minViews: number;
  behaviourWeights?: Record<string, number>;
  json?: boolean;
}

export function registerTrainCommands(program: Command): void {
  registerTrainCommand(program);
  registerModelsCommands(program);
}

function registerTrainCommand(program: Command): void {
  const train = program
    .command('train')
    .description('train TransE embeddings of the shop graph (or of benchmark triple files), evaluate them and save a model version');
  addTrainOptions(train).action(runTrainCommand);
}

function addTrainOptions(command: Command): Command {
  return command
    .option(
      '--triples <dir>',
      `train on benchmark files train.txt / valid.txt / test.txt (tab-separated head, relation, tail) instead of the graph; the model is saved apart (default <KGREC_HOME>/benchmark-models) and never activated`,
    )
    .option('--preset <name>', `tuned hyperparameters: ${Object.keys(PRESETS).join(', ')}`, oneOf('--preset', Object.keys(PRESETS)))
    .option('--config <file>', 'JSON file of hyperparameters (keys as in the README); flags override it')
    .option('--dimension <n>', 'embedding dimension', positiveInteger('--dimension'))
    .option('--distance <L1|L2>', 'distance of the TransE score', oneOf('--distance', ['L1', 'L2']))
    .option('--loss <kind>', 'margin or self-adversarial', oneOf('--loss', ['margin', 'self-adversarial']))
    .option('--margin <γ>', 'margin of the loss', numberAbove('--margin', 0))
    .option('--adversarial-temperature <α>', 'temperature of the self-adversarial weights', nonNegativeNumber('--adversarial-temperature'))
    .option('--negatives <k>', 'negatives per positive triple', positiveInteger('--negatives'))
    .option('--corruption <kind>', 'uniform or bernoulli corruption of heads and tails', oneOf('--corruption', ['uniform', 'bernoulli']))
    .option('--reflexive-negatives', 'make one negative of each positive (h, r, t) the reflexive (h, r, h): a query must not rank its own anchor first')
    .option('--no-reflexive-negatives', 'draw every negative by corruption')
    .option('--optimizer <name>', 'adam or adagrad', oneOf('--optimizer', ['adam', 'adagrad']))
    .option('--learning-rate <lr>', 'learning rate', numberAbove('--learning-rate', 0, 10))
    .option('--lr-decay <factor>', 'multiply the learning rate by this at each validation without a better MRR (1: off)', numberAbove('--lr-decay', 0, 1))
    .option('--batch-size <n>', 'positive triples per mini-batch', positiveInteger('--batch-size'))
    .option('--epochs <n>', 'epochs (at most; early stopping may end sooner)', positiveInteger('--epochs'))
    .option('--norm-constraint', 'rescale entity vectors to unit length after each step')
    .option('--regularization <w>', 'L2 regularisation weight', nonNegativeNumber('--regularization'))
    .option('--workers <n>', 'CPU worker threads', positiveInteger('--workers'))
    .option('--seed <n>', 'random seed; the same seed repeats a run', wholeNumber('--seed'))
    .option('--eval-every <n>', 'validate every n epochs (0: only at the end)', wholeNumber('--eval-every'), 5)
    .option('--patience <n>', 'stop after n validations without a better MRR', wholeNumber('--patience'), 3)
    .option('--time-limit <minutes>', 'end the run after the last epoch that fits in this much training time (evaluation excluded)', nonNegativeNumber('--time-limit'))
    .option('--models-dir <dir>', 'where model versions are kept (default KGREC_MODELS_DIR, else <KGREC_HOME>/models; with --triples <KGREC_HOME>/benchmark-models)')
    .option('--engine <name>', 'auto (TensorFlow.js on a CUDA GPU, else the CPU engine), cpu, tfjs or tfjs-gpu', oneOf('--engine', ['auto', 'cpu', 'tfjs', 'tfjs-gpu']), 'auto')
    .option('--min-views <n>', 'leave out VIEWED aggregates with fewer views (weak signals)', wholeNumber('--min-views'), 1)
    .option('--behaviour-weights <list>', 'repeat behaviour triples per epoch, e.g. PURCHASED=3,ADDED_TO_CART=2 (whole numbers ≥ 1)', parseBehaviourWeights)
    .option('--resume', 'continue an interrupted run (same data and hyperparameters) from its last epoch checkpoint')
    .option('--warm-start', 'start from the active model; new entities start from the mean of their neighbours (daily retraining: a few epochs)')
    .option('--no-activate', 'keep the current active model (default: activate the new one and write its vectors to the graph; never with --triples)')
    .option('--json', 'print the result as JSON on the last line');
}

async function runTrainCommand(flags: TrainFlags): Promise<void> {
  const out = createOutput(Boolean(flags.json));
  const layers = [flags.preset ? (PRESETS[flags.preset] ?? {}) : {}, readHyperparameterFile(flags.config), flagHyperparameters(flags)];
  const config = configWithModelsDir(flags.modelsDir);
  // A benchmark run never touches the shop's models: a WordNet model once became the shop's active one.
  const benchmark = flags.triples !== undefined;
  const modelsDir = flags.modelsDir ?? (benchmark ? homePath(config.home, 'benchmarkModels') : config.modelsDir);
  const { source, graph } = await openTrainingSource(flags, config, out);
  try {
    const progress = trainingProgress();
    const result = await runTrainingJob({
      source,
      hyperparameters: layers,
      modelsDir,
      evalEvery: flags.evalEvery,
      patience: flags.patience,
      ...(flags.timeLimit !== undefined ? { timeLimitSeconds: flags.timeLimit * 60 } : {}),
      onInfo: out.info,
      resume: flags.resume,
      engine: flags.engine,
      minBehaviourCount: { VIEWED: flags.minViews },
      ...(flags.behaviourWeights ? { behaviourWeights: flags.behaviourWeights } : {}),
      warmStart: flags.warmStart,
      onBatch: progress.onBatch,
      onEpoch: (epoch, loss, rate, validMrr) =>
        out.info(`epoch ${epoch}: loss ${loss.toFixed(4)}, ${formatCount(rate)} triples/s${validMrr !== undefined ? `, validation MRR ${validMrr.toFixed(4)}` : ''}`),
      onEval: progress.onEval,
    });
    progress.stop();
    let activated = false;
    if (flags.activate && !benchmark) {
      await activateAndWriteBack(modelsDir, result.version, graph);
      activated = true;
    }
    out.result({ ...result, activated, modelsDir }, () => printTrainResult(out, result, { activated, benchmark, wroteVectors: graph !== null, modelsDir }));
  } finally {
    await graph?.close();
  }
}

/** Benchmark files with --triples (checked to exist), else the shop graph, opened (and started when local). */
async function openTrainingSource(flags: TrainFlags, config: Config, out: Output): Promise<{ source: TrainingSource; graph: Graph | null }> {
  if (flags.triples) {
    if (!existsSync(flags.triples)) throw new UserError(`--triples: folder not found: ${flags.triples}`, 2);
    return { source: { kind: 'triples', dir: flags.triples }, graph: null };
  }
  const { graph } = await openGraph(config, { startLocal: true, migrate: true, onInfo: out.info });
  return { source: { kind: 'graph', graph, config }, graph };
}

/** Two bars on stderr: training (triples, with each epoch's own rate) and evaluation (queries). */
function trainingProgress(): Required<Pick<TrainJobOptions, 'onBatch' | 'onEval'>> & { stop(): void } {
  const progress = createProgress('train');
  const evalProgress = createProgress('eval ');
  const epochClock = { epoch: 0, started: performance.now() };
  return {
    onBatch: (done, total, epoch, epochs) => {
      if (epoch !== epochClock.epoch) Object.assign(epochClock, { epoch, started: performance.now() });
      const rate = done / Math.max(1e-3, (performance.now() - epochClock.started) / 1000);
      progress.update((epoch - 1) * total + done, epochs * total, { rate, unit: 'triples', note: `epoch ${epoch}/${epochs}` });
    },
    onEval: (stage, done, total) => evalProgress.update(done, total, { unit: 'queries', note: stage }),
    stop() {
      progress.stop();
      evalProgress.stop();
    },
  };
}

function printTrainResult(out: Output, result: TrainJobResult, outcome: { activated: boolean; benchmark: boolean; wroteVectors: boolean; modelsDir: string }): void {
  out.line(`model ${result.version}: ${result.epochs} epochs in ${result.seconds.toFixed(1)} s (${formatCount(result.triplesPerSecond)} triples/s, ${result.backend}), evaluation ${result.evalSeconds.toFixed(1)} s, peak memory ${result.peakRssMiB} MiB`);
  printMetrics(out, 'validation', result.valid);
  printMetrics(out, 'test', result.test);
  out.line(
    outcome.activated
      ? `activated ${result.version}${outcome.wroteVectors ? ' and wrote its vectors to the graph' : ''}`
      : outcome.benchmark
        ? `saved in ${outcome.modelsDir}; not activated (a benchmark model never serves a shop)`
        : 'not activated (--no-activate)',
  );
}

function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('list, activate and remove trained model versions');
  registerModelsList(models);
  registerModelsActivate(models);
  registerModelsRemove(models);
}

function registerModelsList(models: Command): void {
  models
    .command('list')
    .description('model versions, newest first, with their metrics; * marks the active one')
    .option('--models-dir <dir>', 'where model versions are kept (default KGREC_MODELS_DIR, else <KGREC_HOME>/models)')
    .option('--json', 'print the list as JSON on the last line')
    .action(async (flags: { modelsDir?: string; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const { modelsDir } = configWithModelsDir(flags.modelsDir);
      const list = await listModels(modelsDir);
      out.result(list, () => {
        if (list.length === 0) out.line(`no models in ${modelsDir}; train one with: kgrec train`);
        for (const entry of list) {
          if (!entry.manifest) {
            out.line(`  ${entry.version}  unreadable: ${entry.error}`);
            continue;
          }
          const test = entry.manifest.metrics.test;
          out.line(
            `${entry.active ? '*' : ' '} ${entry.manifest.version}  dim ${entry.manifest.dimension}  ${entry.manifest.entityCount} entities` +
              (test ? `  test MRR ${test.mrr.toFixed(4)} Hits@10 ${test['hits@10'].toFixed(4)}` : ''),
          );
        }
      });
    });
}

function registerModelsActivate(models: Command): void {
  models
    .command('activate')
    .description('make a version the active model and write its vectors to the graph')
    .argument('<version>', 'model version')
    .option('--models-dir <dir>', 'where model versions are kept (default KGREC_MODELS_DIR, else <KGREC_HOME>/models)')
    .option('--no-graph', 'only switch models/active; do not write vectors to Neo4j')
    .option('--json', 'print the result as JSON on the last line')
    .action(async (version: string, flags: { modelsDir?: string; graph: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const config = configWithModelsDir(flags.modelsDir);
      const graph = flags.graph ? (await openGraph(config, { startLocal: true, migrate: true, onInfo: out.info })).graph : null;
      try {
        const result = await activateAndWriteBack(config.modelsDir, version, graph);
        out.result(result, () =>
          out.line(`active model: ${version}${graph ? `; vectors written: ${Object.entries(result.written).map(([label, n]) => `${formatCount(n)} ${label}`).join(', ')}` : ''}`),
        );
      } finally {
        await graph?.close();
      }
    });
}

function registerModelsRemove(models: Command): void {
  models
    .command('remove')
    .description('delete a model version (not the active one)')
    .argument('<version>', 'model version')
    .option('--models-dir <dir>', 'where model versions are kept (default KGREC_MODELS_DIR, else <KGREC_HOME>/models)')
    .action(async (version: string, flags: { modelsDir?: string }) => {
      const { modelsDir } = configWithModelsDir(flags.modelsDir);
      if ((await activeVersion(modelsDir)) === version) throw new UserError(`${version} is the active model; activate another one first`);
      await removeModel(modelsDir, version);
      process.stdout.write(`removed ${version}\n`);
    });
}

/** The configuration, with --models-dir (when given) over KGREC_MODELS_DIR and the home's models folder. */
function configWithModelsDir(modelsDir: string | undefined): Config {
  return loadConfig(process.env, modelsDir === undefined ? {} : { modelsDir });
}

function flagHyperparameters(flags: TrainFlags): Partial<TransEHyperparameters> {
  return {
    dimension: flags.dimension,
    distance: flags.distance,
    loss: flags.loss,
    margin: flags.margin,
    adversarialTemperature: flags.adversarialTemperature,
    negatives: flags.negatives,
    corruption: flags.corruption,
    reflexiveNegatives: flags.reflexiveNegatives,
    optimizer: flags.optimizer,
    learningRate: flags.learningRate,
    learningRateDecay: flags.lrDecay,
    batchSize: flags.batchSize,
    epochs: flags.epochs,
    entityNormConstraint: flags.normConstraint,
    regularization: flags.regularization,
    workers: flags.workers,
    seed: flags.seed,
  };
}

function readHyperparameterFile(file: string | undefined): Partial<TransEHyperparameters> {
  if (!file) return {};
  if (!existsSync(file)) throw new UserError(`--config: file not found: ${file}`, 2);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<TransEHyperparameters>;
  } catch (error) {
    throw new UserError(`--config: ${file}: ${(error as Error).message}`, 2);
  }
}

function printMetrics(out: Output, label: string, metrics: LinkPredictionResult | null): void {
  if (!metrics) return;
  out.line(
    `${label}: MRR ${metrics.mrr.toFixed(4)}, Hits@1 ${metrics['hits@1'].toFixed(4)}, Hits@3 ${metrics['hits@3'].toFixed(4)}, Hits@10 ${metrics['hits@10'].toFixed(4)} (${formatCount(metrics.count)} ranked queries)`,
  );
}

/** `PURCHASED=3,ADDED_TO_CART=2` → { PURCHASED: 3, ADDED_TO_CART: 2 }. */
export function parseBehaviourWeights(text: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const match = /^([A-Z_]+)=(\d+)$/.exec(part);
    const weight = match ? Number(match[2]) : NaN;
    if (!match || !(weight >= 1)) throw new InvalidArgumentError(`--behaviour-weights: expected RELATION=N with N a whole number ≥ 1, got ${JSON.stringify(part)}`);
    weights[match[1] as string] = weight;
  }
  return weights;
}
