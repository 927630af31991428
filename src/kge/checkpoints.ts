/**
 * Training checkpoints: a run's vectors, optimizer state and schedule after an epoch, in a folder of their
 * own (`<models>/.checkpoints/<run>/`), so that an interrupted run can resume where it stopped.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { savedHyperparameterSchema } from './hyperparameters.js';
import { float32LittleEndian, isCode, MODEL_FILES, parseWith, readFloat32, readJson, removeQuietly, replaceFile, SAFE_NAME, safeName, writeDurable } from './modelFiles.js';
import type { Embeddings, TransEHyperparameters } from './types.js';

const CHECKPOINT_FILE = 'checkpoint.json';
const CHECKPOINT_POINTER = 'current';

const OPTIMIZER_NAME = /^[A-Za-z0-9_-]+$/;

const checkpointSchema = z.object({
  format: z.literal(1),
  epoch: z.number().int().nonnegative(),
  dimension: z.number().int().positive(),
  entityCount: z.number().int().nonnegative(),
  relationCount: z.number().int().nonnegative(),
  hyperparameters: savedHyperparameterSchema,
  dataFingerprint: z.string().min(1),
  savedAt: z.iso.datetime(),
  files: z.object({
    entities: safeName,
    relations: safeName,
    /** Optimizer state name → its file and length in floats. */
    optimizer: z.record(z.string().regex(OPTIMIZER_NAME), z.object({ file: safeName, length: z.number().int().nonnegative() })),
    /**
     * The best epoch's vectors so far, when they are not this epoch's: in the checkpoint folder of that epoch
     * (kept while it is the best), or in this folder when that one is not on disk.
     */
    best: z.object({ folder: safeName, entities: safeName, relations: safeName }).optional(),
  }),
  schedule: z
    .object({
      learningRate: z.number().positive(),
      sinceBest: z.number().int().nonnegative(),
      trainingSeconds: z.number().nonnegative(),
      trainedTriples: z.number().nonnegative(),
      best: z.object({ mrr: z.number(), epoch: z.number().int().nonnegative() }).optional(),
    })
    .optional(),
});

/** Where a run's schedule stood at a checkpoint, so that a resumed run goes on with it instead of restarting it. */
export interface TrainingSchedule {
  /** The learning rate after the cuts made so far. */
  learningRate: number;
  /** Validations since the best one. */
  sinceBest: number;
  /** Training time and positives so far (for the run's figures and its time limit). */
  trainingSeconds: number;
  trainedTriples: number;
  /** The best validation so far and its vectors. */
  best?: { mrr: number; epoch: number; embeddings: Embeddings };
}

export interface Checkpoint {
  /** Epochs completed. */
  epoch: number;
  embeddings: Embeddings;
  /** Optimizer moments and the like, by name (e.g. `entityM`, `entityV`). */
  optimizerState?: Record<string, Float32Array>;
  hyperparameters: TransEHyperparameters;
  dataFingerprint: string;
  schedule?: TrainingSchedule;
}

const BEST_FILES = { entities: 'best-entities.f32', relations: 'best-relations.f32' } as const;

/**
 * Saves a training checkpoint in `dir` (e.g. `models/.checkpoints/<run>/`), replacing the previous one
 * atomically: the files go to a new subfolder and the `current` pointer file is renamed over the old
 * pointer; only then are older subfolders removed.
 */
export async function saveCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  const { embeddings, epoch } = checkpoint;
  const dim = embeddings.dimension;
  if (!Number.isInteger(dim) || dim <= 0 || embeddings.entity.length % dim !== 0 || embeddings.relation.length % dim !== 0) {
    throw new Error(`saveCheckpoint: table lengths ${embeddings.entity.length} and ${embeddings.relation.length} do not fit dimension ${dim}`);
  }
  const { schedule } = checkpoint;
  await fs.mkdir(dir, { recursive: true });
  const folder = `${epochFolderPrefix(epoch)}${randomBytes(4).toString('hex')}`;
  // The best epoch's vectors are written once, with that epoch's checkpoint, whose folder later checkpoints
  // keep and point to; they are written again only when that folder is not on disk.
  let best: { folder: string; entities: string; relations: string } | undefined;
  let bestVectors: Embeddings | undefined;
  if (schedule?.best && schedule.best.epoch !== epoch) {
    const kept = (await fs.readdir(dir)).find((name) => name.startsWith(epochFolderPrefix(schedule.best!.epoch)));
    if (kept) {
      best = { folder: kept, entities: MODEL_FILES.entities, relations: MODEL_FILES.relations };
    } else {
      bestVectors = schedule.best.embeddings;
      if (bestVectors.entity.length !== embeddings.entity.length || bestVectors.relation.length !== embeddings.relation.length) {
        throw new Error('saveCheckpoint: schedule.best.embeddings: expected tables the size of the current ones');
      }
      best = { folder, ...BEST_FILES };
    }
  }
  const optimizer: Record<string, { file: string; length: number }> = {};
  for (const [name, values] of Object.entries(checkpoint.optimizerState ?? {})) {
    if (!OPTIMIZER_NAME.test(name)) throw new Error(`saveCheckpoint: optimizerState.${name}: expected a name of letters, digits, "_" or "-"`);
    optimizer[name] = { file: `optimizer-${name}.f32`, length: values.length };
  }
  const meta = parseWith(
    checkpointSchema,
    {
      format: 1,
      epoch,
      dimension: dim,
      entityCount: embeddings.entity.length / dim,
      relationCount: embeddings.relation.length / dim,
      hyperparameters: checkpoint.hyperparameters,
      dataFingerprint: checkpoint.dataFingerprint,
      savedAt: new Date().toISOString(),
      files: { entities: MODEL_FILES.entities, relations: MODEL_FILES.relations, optimizer, ...(best ? { best } : {}) },
      ...(schedule ? { schedule: { ...schedule, best: schedule.best ? { mrr: schedule.best.mrr, epoch: schedule.best.epoch } : undefined } } : {}),
    },
    `saveCheckpoint: ${CHECKPOINT_FILE}`,
  );

  const target = path.join(dir, folder);
  await fs.mkdir(target);
  try {
    await writeDurable(path.join(target, MODEL_FILES.entities), float32LittleEndian(embeddings.entity));
    await writeDurable(path.join(target, MODEL_FILES.relations), float32LittleEndian(embeddings.relation));
    for (const [name, values] of Object.entries(checkpoint.optimizerState ?? {})) {
      await writeDurable(path.join(target, optimizer[name]!.file), float32LittleEndian(values));
    }
    if (bestVectors) {
      await writeDurable(path.join(target, BEST_FILES.entities), float32LittleEndian(bestVectors.entity));
      await writeDurable(path.join(target, BEST_FILES.relations), float32LittleEndian(bestVectors.relation));
    }
    await writeDurable(path.join(target, CHECKPOINT_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    await replaceFile(path.join(dir, CHECKPOINT_POINTER), `${folder}\n`);
  } catch (error) {
    await removeQuietly(target);
    throw error;
  }
  // Older checkpoints (but the best epoch's), including any left by a run that crashed between the pointer
  // switch and this cleanup.
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith('epoch-') && name !== folder && name !== best?.folder) await removeQuietly(path.join(dir, name));
  }
}

function epochFolderPrefix(epoch: number): string {
  return `epoch-${String(epoch).padStart(6, '0')}-`;
}

async function currentCheckpointFolder(dir: string): Promise<string | null> {
  try {
    const name = (await fs.readFile(path.join(dir, CHECKPOINT_POINTER), 'utf8')).trim();
    if (!SAFE_NAME.test(name)) throw new Error(`${path.join(dir, CHECKPOINT_POINTER)}: expected a folder name, got ${JSON.stringify(name)}`);
    return name;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
}

/** The folder of every run's checkpoints, one subfolder per run. */
export const checkpointsRoot = (modelsDir: string): string => path.join(modelsDir, '.checkpoints');

/**
 * Removes every run's checkpoints and returns how many runs had some. They hold every entity's vector,
 * users' included, of runs that stopped before they saved a version (a crash, a kill): after a user's data
 * is deleted they would keep that user's vector, and they no longer match the graph to resume from. Call
 * it only while no training of this models folder runs.
 */
export async function removeAllCheckpoints(modelsDir: string): Promise<number> {
  const root = checkpointsRoot(modelsDir);
  let runs: string[];
  try {
    runs = await fs.readdir(root);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return 0;
    throw error;
  }
  await fs.rm(root, { recursive: true, force: true });
  return runs.length;
}

/** Loads the checkpoint in `dir`, or returns null when there is none yet. */
export async function loadCheckpoint(dir: string): Promise<Checkpoint | null> {
  const folder = await currentCheckpointFolder(dir);
  if (folder === null) return null;
  const target = path.join(dir, folder);
  const metaFile = path.join(target, CHECKPOINT_FILE);
  const meta = parseWith(checkpointSchema, await readJson(metaFile), metaFile);
  const { dimension, entityCount, relationCount, files } = meta;
  const entity = await readFloat32(path.join(target, files.entities), entityCount * dimension, `${entityCount} entities × ${dimension}`);
  const relation = await readFloat32(path.join(target, files.relations), relationCount * dimension, `${relationCount} relations × ${dimension}`);
  const optimizerState: Record<string, Float32Array> = {};
  for (const [name, { file, length }] of Object.entries(files.optimizer)) {
    optimizerState[name] = await readFloat32(path.join(target, file), length, `optimizer state ${name}`);
  }
  const embeddings: Embeddings = { dimension, entity, relation };
  let schedule: TrainingSchedule | undefined;
  if (meta.schedule) {
    const { best, ...rest } = meta.schedule;
    let bestEmbeddings = embeddings;
    if (best && files.best) {
      const bestFolder = path.join(dir, files.best.folder);
      bestEmbeddings = {
        dimension,
        entity: await readFloat32(path.join(bestFolder, files.best.entities), entityCount * dimension, `best: ${entityCount} entities × ${dimension}`),
        relation: await readFloat32(path.join(bestFolder, files.best.relations), relationCount * dimension, `best: ${relationCount} relations × ${dimension}`),
      };
    }
    schedule = { ...rest, ...(best ? { best: { ...best, embeddings: bestEmbeddings } } : {}) };
  }
  return {
    epoch: meta.epoch,
    embeddings,
    optimizerState,
    hyperparameters: meta.hyperparameters,
    dataFingerprint: meta.dataFingerprint,
    ...(schedule ? { schedule } : {}),
  };
}
