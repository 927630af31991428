/**
 * Versioned model files. A version is a folder `<modelsDir>/<version>/` holding `manifest.json`, the vectors as
 * little-endian float32 binaries and the id maps as JSON arrays; `<modelsDir>/active` names the version in use.
 * Every write goes to a temporary name first and is renamed into place, so a crash never leaves a
 * half-written version or a half-written `active`. Training checkpoints live in checkpoints.ts, the file
 * plumbing both share in modelFiles.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GRAPH_TRIPLES, type GraphTriples } from './graphTriples.js';
import { savedHyperparameterSchema } from './hyperparameters.js';
import { checkName, float32LittleEndian, idsSchema, isCode, MODEL_FILES, parseWith, readFloat32, readJson, removeQuietly, replaceFile, SAFE_NAME, safeName, writeDurable } from './modelFiles.js';
import type { Embeddings, KgeDataset, LinkPredictionResult, RankingMetrics, TransEHyperparameters } from './types.js';

/** What a model was trained on: the shop graph, or benchmark triple files (which can never serve a shop). */
export const TRAINING_DATA = ['shop', 'benchmark'] as const;
export type TrainingData = (typeof TRAINING_DATA)[number];

export const MANIFEST_FILE = 'manifest.json';
const ACTIVE_FILE = 'active';
const rankingMetricsSchema = z.object({
  mrr: z.number(),
  'hits@1': z.number(),
  'hits@3': z.number(),
  'hits@10': z.number(),
  count: z.number().int().nonnegative(),
});
const linkPredictionSchema = rankingMetricsSchema.extend({ perRelation: z.record(z.string(), rankingMetricsSchema) });
// Tried in order: a result with perRelation keeps it, plain metrics match the second.
const metricsSchema = z.union([linkPredictionSchema, rankingMetricsSchema]);

// A compile-time check that the schema describes the shared type (it fails when types.ts gains a field).
const _metricsMatch: z.ZodType<LinkPredictionResult | RankingMetrics> = metricsSchema;

export const manifestSchema = z
  .object({
    format: z.literal(1),
    version: safeName,
    model: z.literal('TransE'),
    dimension: z.number().int().positive(),
    distance: z.enum(['L1', 'L2']),
    hyperparameters: savedHyperparameterSchema,
    relations: z.array(z.string()),
    entityCount: z.number().int().nonnegative(),
    relationCount: z.number().int().nonnegative(),
    dataFingerprint: z.string().min(1),
    // Absent from manifests written before it was recorded: activation then judges by the model's entities.
    trainedOn: z.enum(TRAINING_DATA).optional(),
    /** A shop model's TransE triples (absent: written before it was recorded, or a benchmark model). */
    graphTriples: z.enum(GRAPH_TRIPLES).optional(),
    metrics: z.object({ valid: metricsSchema.optional(), test: metricsSchema.optional() }),
    backend: z.string().min(1),
    durationSeconds: z.number().nonnegative(),
    createdAt: z.iso.datetime(),
    files: z.object({ entities: safeName, relations: safeName, entityIds: safeName, relationIds: safeName }),
    /** Entities removed after training on data-deletion requests (removeEntities); absent when none were. */
    erasedEntities: z.number().int().positive().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.hyperparameters.dimension !== m.dimension) {
      ctx.addIssue({ code: 'custom', path: ['hyperparameters', 'dimension'], message: `expected ${m.dimension} (the model's dimension), got ${m.hyperparameters.dimension}` });
    }
    if (m.hyperparameters.distance !== m.distance) {
      ctx.addIssue({ code: 'custom', path: ['hyperparameters', 'distance'], message: `expected ${m.distance} (the model's distance), got ${m.hyperparameters.distance}` });
    }
    if (m.relations.length !== m.relationCount) {
      ctx.addIssue({ code: 'custom', path: ['relations'], message: `expected relationCount = ${m.relationCount} names, got ${m.relations.length}` });
    }
  });

export type ModelManifest = z.infer<typeof manifestSchema>;

/** A model as kept in memory: its manifest, id maps and vectors. */
export interface StoredModel {
  manifest: ModelManifest;
  entities: string[];
  relations: string[];
  embeddings: Embeddings;
}

/** What a training run hands to `saveModel`; counts, dimension and file names are derived. */
export interface ModelToSave {
  hyperparameters: TransEHyperparameters;
  /** Defaults to hyperparameters.distance; must agree with it. */
  distance?: TransEHyperparameters['distance'];
  dataFingerprint: string;
  trainedOn?: TrainingData;
  /** The triples a shop model was trained on: the next training keeps to them (src/jobs/train.ts). */
  graphTriples?: GraphTriples;
  metrics?: ModelManifest['metrics'];
  /** Which engine trained it, e.g. `cpu`, `cpu-workers-2`, `tfjs-wasm`. */
  backend: string;
  durationSeconds: number;
  entities: string[];
  relations: string[];
  embeddings: Embeddings;
  /** When the model was made (default: now); it also names the version. */
  createdAt?: Date;
}

/** One row of `listModels`: a broken folder is listed with its error rather than hidden. */
export type ModelListing =
  | { version: string; active: boolean; manifest: ModelManifest; error?: undefined }
  | { version: string; active: boolean; manifest: null; error: string };

/* ---------- versions ---------- */

/** `20261122-174501-transe-d64`: UTC time first, so names sort by age. */
export function versionName(createdAt: Date, dimension: number): string {
  const iso = createdAt.toISOString(); // 2026-11-22T17:45:01.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}-transe-d${dimension}`;
}

/** A name not taken in `modelsDir`: the base, else base-2, base-3, … */
function freeVersion(modelsDir: string, base: string): string {
  if (!existsSync(path.join(modelsDir, base))) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!existsSync(path.join(modelsDir, candidate))) return candidate;
  }
}

/**
 * Writes a new version and returns its name. Files go to a temporary folder `.tmp-…` that is renamed
 * into place last; on any error the temporary folder is removed and no version appears.
 */
export async function saveModel(modelsDir: string, model: ModelToSave): Promise<string> {
  const { embeddings, entities, relations } = model;
  const dim = embeddings.dimension;
  if (embeddings.entity.length !== entities.length * dim) {
    throw new Error(`saveModel: embeddings.entity has ${embeddings.entity.length} floats, expected ${entities.length} entities × ${dim}`);
  }
  if (embeddings.relation.length !== relations.length * dim) {
    throw new Error(`saveModel: embeddings.relation has ${embeddings.relation.length} floats, expected ${relations.length} relations × ${dim}`);
  }
  parseWith(idsSchema(entities.length), entities, 'saveModel: entities');
  parseWith(idsSchema(relations.length), relations, 'saveModel: relations');
  const createdAt = model.createdAt ?? new Date();
  const draft = {
    format: 1,
    version: versionName(createdAt, dim),
    model: 'TransE',
    dimension: dim,
    distance: model.distance ?? model.hyperparameters.distance,
    hyperparameters: model.hyperparameters,
    relations,
    entityCount: entities.length,
    relationCount: relations.length,
    dataFingerprint: model.dataFingerprint,
    ...(model.trainedOn ? { trainedOn: model.trainedOn } : {}),
    ...(model.graphTriples ? { graphTriples: model.graphTriples } : {}),
    metrics: model.metrics ?? {},
    backend: model.backend,
    durationSeconds: model.durationSeconds,
    createdAt: createdAt.toISOString(),
    files: MODEL_FILES,
  };
  const manifest = parseWith(manifestSchema, draft, `saveModel: ${MANIFEST_FILE}`);

  await fs.mkdir(modelsDir, { recursive: true });
  const base = manifest.version;
  const temp = await fs.mkdtemp(path.join(modelsDir, `.tmp-${base}-`));
  try {
    await writeDurable(path.join(temp, MODEL_FILES.entities), float32LittleEndian(embeddings.entity));
    await writeDurable(path.join(temp, MODEL_FILES.relations), float32LittleEndian(embeddings.relation));
    await writeDurable(path.join(temp, MODEL_FILES.entityIds), JSON.stringify(entities));
    await writeDurable(path.join(temp, MODEL_FILES.relationIds), JSON.stringify(relations));
    // Another save may take the same name between the check and the rename: then take the next one.
    for (let attempt = 0; ; attempt += 1) {
      const version = freeVersion(modelsDir, base);
      await writeDurable(path.join(temp, MANIFEST_FILE), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
      try {
        await fs.rename(temp, path.join(modelsDir, version));
        return version;
      } catch (error) {
        if (attempt >= 10 || !isCode(error, 'EEXIST', 'ENOTEMPTY')) throw error;
      }
    }
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
}

/** Reads and validates a version's manifest. */
export async function readManifest(modelsDir: string, version: string): Promise<ModelManifest> {
  checkName('version', version);
  const file = path.join(modelsDir, version, MANIFEST_FILE);
  if (!existsSync(file)) throw new Error(`model ${version}: ${file} not found`);
  const manifest = parseWith(manifestSchema, await readJson(file), file);
  if (manifest.version !== version) {
    throw new Error(`${file}: version: expected ${JSON.stringify(version)} (the folder's name), got ${JSON.stringify(manifest.version)}`);
  }
  return manifest;
}

/** Loads a version: manifest, id maps and vectors, exactly as saved. */
export async function loadModel(modelsDir: string, version: string): Promise<StoredModel> {
  const manifest = await readManifest(modelsDir, version);
  const dir = path.join(modelsDir, version);
  const { files, entityCount, relationCount, dimension } = manifest;
  const entityIdsFile = path.join(dir, files.entityIds);
  const relationIdsFile = path.join(dir, files.relationIds);
  const entities = parseWith(idsSchema(entityCount), await readJson(entityIdsFile), entityIdsFile);
  const relations = parseWith(idsSchema(relationCount), await readJson(relationIdsFile), relationIdsFile);
  if (relations.some((name, i) => name !== manifest.relations[i])) {
    throw new Error(`${relationIdsFile}: does not match the relations listed in ${MANIFEST_FILE}`);
  }
  const entity = await readFloat32(path.join(dir, files.entities), entityCount * dimension, `${entityCount} entities × ${dimension}`);
  const relation = await readFloat32(path.join(dir, files.relations), relationCount * dimension, `${relationCount} relations × ${dimension}`);
  return { manifest, entities, relations, embeddings: { dimension, entity, relation } };
}

/** The active version's name, or null when none is set. */
export async function activeVersion(modelsDir: string): Promise<string | null> {
  try {
    const name = (await fs.readFile(path.join(modelsDir, ACTIVE_FILE), 'utf8')).trim();
    return name === '' ? null : name;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
}

/** Every version with its manifest, newest first, marking the active one. */
export async function listModels(modelsDir: string): Promise<ModelListing[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(modelsDir, { withFileTypes: true });
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw error;
  }
  const active = await activeVersion(modelsDir);
  const listings: ModelListing[] = [];
  for (const entry of entries) {
    // Dot folders are in-progress saves, removals and checkpoints.
    if (!entry.isDirectory() || !SAFE_NAME.test(entry.name)) continue;
    const version = entry.name;
    try {
      listings.push({ version, active: version === active, manifest: await readManifest(modelsDir, version) });
    } catch (error) {
      listings.push({ version, active: version === active, manifest: null, error: (error as Error).message });
    }
  }
  const createdAt = (listing: ModelListing): string => listing.manifest?.createdAt ?? '';
  return listings.sort((a, b) => createdAt(b).localeCompare(createdAt(a)) || b.version.localeCompare(a.version));
}

/** A model that must not become a shop's active model (trained on benchmark triples, or on another graph). */
export class ForeignModelError extends Error {
  override name = 'ForeignModelError';
}

/**
 * Makes `version` the active model, after checking that it loads and was not trained on benchmark triples;
 * the pointer file is replaced atomically. (Whether its entities are the shop's is checked by
 * src/jobs/activate.ts, which has the graph.)
 */
export async function activateModel(modelsDir: string, version: string): Promise<void> {
  refuseBenchmarkModel((await loadModel(modelsDir, version)).manifest);
  await replaceFile(path.join(modelsDir, ACTIVE_FILE), `${version}\n`);
}

/** Throws ForeignModelError for a model trained on benchmark triples. */
export function refuseBenchmarkModel(manifest: ModelManifest): void {
  if (manifest.trainedOn === 'benchmark') {
    throw new ForeignModelError(`model ${manifest.version} was trained on benchmark triples, not on the shop graph: it cannot become the active model`);
  }
}

/**
 * Deletes a version. The active one is refused unless `force`, which also clears `active` so that it
 * never names a missing version.
 */
export async function removeModel(modelsDir: string, version: string, options: { force?: boolean } = {}): Promise<void> {
  checkName('version', version);
  const dir = path.join(modelsDir, version);
  if (!existsSync(dir)) throw new Error(`model ${version}: no such version in ${modelsDir}`);
  const isActive = (await activeVersion(modelsDir)) === version;
  if (isActive && !options.force) {
    throw new Error(`model ${version} is the active model: activate another version first, or force the removal`);
  }
  if (isActive) await fs.rm(path.join(modelsDir, ACTIVE_FILE), { force: true });
  // Renamed away first, so that a crash mid-delete leaves a dot folder that listings skip, not half a version.
  const doomed = path.join(modelsDir, `.removing-${version}-${randomBytes(6).toString('hex')}`);
  await fs.rename(dir, doomed);
  await fs.rm(doomed, { recursive: true, force: true });
}

/* ---------- erasure ---------- */

/** What removeEntities did to one version. */
export interface EntityErasure {
  version: string;
  /** Rows removed from this version. */
  removed: number;
}

export interface EntityErasureResult {
  versions: EntityErasure[];
  /** Versions whose manifest or files cannot be read: they cannot be activated, but may still hold the entities. */
  unreadable: Array<{ version: string; error: string }>;
}

/** Erasures of one process run one at a time: two rewriting the same manifest would lose one's removal. */
let erasureQueue: Promise<unknown> = Promise.resolve();

/**
 * Removes entities (keys such as `User:u-7`) from every saved version: their rows of the entity table and
 * their ids, so that activating any version can never serve them again. The rest of a version stays as
 * trained (other rows keep their values; lookups are by id, so the shifted row numbers do not matter).
 * The new tables are written under new names and the manifest, which names them, is replaced atomically,
 * so a reader sees the old version or the new one whole; the old files are deleted last.
 */
export function removeEntities(modelsDir: string, keys: readonly string[]): Promise<EntityErasureResult> {
  const run = erasureQueue.then(() => removeEntitiesNow(modelsDir, new Set(keys)));
  erasureQueue = run.catch(() => undefined);
  return run;
}

async function removeEntitiesNow(modelsDir: string, keys: ReadonlySet<string>): Promise<EntityErasureResult> {
  const result: EntityErasureResult = { versions: [], unreadable: [] };
  if (keys.size === 0) return result;
  for (const listing of await listModels(modelsDir)) {
    if (!listing.manifest) {
      result.unreadable.push({ version: listing.version, error: listing.error });
      continue;
    }
    try {
      const removed = await removeFromVersion(modelsDir, listing.manifest, keys);
      if (removed > 0) result.versions.push({ version: listing.version, removed });
    } catch (error) {
      result.unreadable.push({ version: listing.version, error: (error as Error).message });
    }
  }
  return result;
}

async function removeFromVersion(modelsDir: string, manifest: ModelManifest, keys: ReadonlySet<string>): Promise<number> {
  const dir = path.join(modelsDir, manifest.version);
  const { files, entityCount, dimension } = manifest;
  const idsFile = path.join(dir, files.entityIds);
  const entities = parseWith(idsSchema(entityCount), await readJson(idsFile), idsFile);
  const kept: number[] = [];
  entities.forEach((id, row) => {
    if (!keys.has(id)) kept.push(row);
  });
  const removed = entityCount - kept.length;
  if (removed === 0) return 0;
  const table = await readFloat32(path.join(dir, files.entities), entityCount * dimension, `${entityCount} entities × ${dimension}`);
  const remaining = new Float32Array(kept.length * dimension);
  kept.forEach((row, at) => remaining.set(table.subarray(row * dimension, (row + 1) * dimension), at * dimension));
  // New names: the manifest switches to them in one rename, and readers of the old manifest still find the old files.
  const suffix = randomBytes(4).toString('hex');
  const next = { ...files, entities: `entities-${suffix}.f32`, entityIds: `entity-ids-${suffix}.json` };
  try {
    await writeDurable(path.join(dir, next.entities), float32LittleEndian(remaining));
    await writeDurable(path.join(dir, next.entityIds), JSON.stringify(kept.map((row) => entities[row])));
    const updated = parseWith(
      manifestSchema,
      { ...manifest, entityCount: kept.length, files: next, erasedEntities: (manifest.erasedEntities ?? 0) + removed },
      `${manifest.version}: ${MANIFEST_FILE}`,
    );
    await replaceFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(updated, null, 2)}\n`);
  } catch (error) {
    await Promise.all([next.entities, next.entityIds].map((name) => fs.rm(path.join(dir, name), { force: true }).catch(() => undefined)));
    throw error;
  }
  await fs.rm(path.join(dir, files.entities), { force: true });
  await fs.rm(path.join(dir, files.entityIds), { force: true });
  return removed;
}

/* ---------- data fingerprint ---------- */

/**
 * A stable fingerprint of the training data (sha256, first 16 hex digits) over the entity ids, relation
 * names and training triples: a model is only meaningful with the data whose indexes it was trained on.
 */
export function dataFingerprint(dataset: Pick<KgeDataset, 'entities' | 'relations' | 'train'>): string {
  const hash = createHash('sha256');
  // JSON keeps the id lists unambiguous (a name containing a separator cannot shift the boundaries).
  hash.update(`kgrec-data-v1\n${JSON.stringify(dataset.entities)}\n${JSON.stringify(dataset.relations)}\n`);
  const { heads, relations, tails } = dataset.train;
  // Triples as little-endian int32 (h, r, t), so the hash does not depend on the host's byte order.
  const chunk = new DataView(new ArrayBuffer(12 * 4096));
  for (let start = 0; start < heads.length; start += 4096) {
    const end = Math.min(heads.length, start + 4096);
    for (let i = start; i < end; i += 1) {
      const o = (i - start) * 12;
      chunk.setInt32(o, heads[i]!, true);
      chunk.setInt32(o + 4, relations[i]!, true);
      chunk.setInt32(o + 8, tails[i]!, true);
    }
    hash.update(new Uint8Array(chunk.buffer, 0, (end - start) * 12));
  }
  return hash.digest('hex').slice(0, 16);
}
