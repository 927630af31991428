import { promises as fsPromises, readdirSync, readFileSync, writeFileSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  activateModel,
  activeVersion,
  dataFingerprint,
  listModels,
  loadModel,
  removeEntities,
  removeModel,
  saveModel,
  versionName,
  type ModelToSave,
} from '../../src/kge/modelStore.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/kge/checkpoints.js';
import type { KgeDataset, LinkPredictionResult, TransEHyperparameters } from '../../src/kge/types.js';
import { tempDir as makeTempDir } from '../helpers.js';

const tempDir = (): string => makeTempDir('kgrec-models-');

const hyperparameters: TransEHyperparameters = {
  dimension: 3,
  distance: 'L1',
  loss: 'margin',
  margin: 1,
  adversarialTemperature: 1,
  negatives: 1,
  corruption: 'bernoulli',
  reflexiveNegatives: false,
  optimizer: 'adam',
  learningRate: 0.001,
  learningRateDecay: 1,
  batchSize: 128,
  epochs: 5,
  entityNormConstraint: true,
  regularization: 0,
  workers: 1,
  seed: 7,
};

/** Values chosen to catch any conversion: −0, subnormals, infinities, a NaN with a payload, extremes. */
function awkwardFloats(length: number): Float32Array {
  const values = Float32Array.from({ length }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
  const special = [-0, 1e-45, -1.4e-45, Infinity, -Infinity, 3.4028234663852886e38, Math.PI];
  special.forEach((value, i) => (values[i] = value));
  new Uint32Array(values.buffer)[special.length] = 0x7fc01234; // NaN with payload
  return values;
}

const bits = (values: Float32Array): Uint32Array => new Uint32Array(values.buffer, values.byteOffset, values.length);

const metrics: LinkPredictionResult = {
  mrr: 0.25,
  'hits@1': 0.125,
  'hits@3': 0.25,
  'hits@10': 0.5,
  count: 8,
  perRelation: { BOUGHT: { mrr: 0.25, 'hits@1': 0.125, 'hits@3': 0.25, 'hits@10': 0.5, count: 8 } },
};

const model = (overrides: Partial<ModelToSave> = {}): ModelToSave => ({
  hyperparameters,
  dataFingerprint: '0123456789abcdef',
  metrics: { test: metrics, valid: { mrr: 0.3, 'hits@1': 0.2, 'hits@3': 0.3, 'hits@10': 0.6, count: 4 } },
  backend: 'cpu',
  durationSeconds: 12.5,
  entities: ['p-1', 'p-2', 'u-1', 'u-2'],
  relations: ['BOUGHT', 'VIEWED'],
  embeddings: { dimension: 3, entity: awkwardFloats(12), relation: awkwardFloats(6).reverse() },
  createdAt: new Date('2026-11-22T17:45:01.500Z'),
  ...overrides,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('saveModel / loadModel', () => {
  it('round-trips every bit of the vectors and every manifest field', async () => {
    const dir = tempDir();
    const input = model();
    const version = await saveModel(dir, input);
    expect(version).toBe('20261122-174501-transe-d3');
    expect(readdirSync(path.join(dir, version)).sort()).toEqual(['entities.f32', 'entity-ids.json', 'manifest.json', 'relation-ids.json', 'relations.f32']);
    // little-endian on disk whatever the host: the first float is −0 → bytes 00 00 00 80
    expect([...readFileSync(path.join(dir, version, 'entities.f32')).subarray(0, 4)]).toEqual([0, 0, 0, 0x80]);

    const loaded = await loadModel(dir, version);
    expect(bits(loaded.embeddings.entity)).toEqual(bits(input.embeddings.entity));
    expect(bits(loaded.embeddings.relation)).toEqual(bits(input.embeddings.relation));
    expect(loaded.embeddings.dimension).toBe(3);
    expect(loaded.entities).toEqual(input.entities);
    expect(loaded.relations).toEqual(input.relations);
    expect(loaded.manifest).toMatchObject({
      format: 1,
      version,
      model: 'TransE',
      dimension: 3,
      distance: 'L1',
      hyperparameters,
      relations: ['BOUGHT', 'VIEWED'],
      entityCount: 4,
      relationCount: 2,
      dataFingerprint: '0123456789abcdef',
      metrics: input.metrics,
      backend: 'cpu',
      durationSeconds: 12.5,
      createdAt: '2026-11-22T17:45:01.500Z',
      files: { entities: 'entities.f32', relations: 'relations.f32', entityIds: 'entity-ids.json', relationIds: 'relation-ids.json' },
    });
  });

  it('names the file and the field of an invalid manifest', async () => {
    const dir = tempDir();
    const version = await saveModel(dir, model());
    const file = path.join(dir, version, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...manifest, hyperparameters: { ...hyperparameters, learningRate: 'fast' } }));
    await expect(loadModel(dir, version)).rejects.toThrow(`${file}: hyperparameters.learningRate: Invalid input: expected number, received string`);
    const { entityCount: _dropped, ...withoutCount } = manifest;
    writeFileSync(file, JSON.stringify(withoutCount));
    await expect(loadModel(dir, version)).rejects.toThrow(`${file}: entityCount:`);
  });

  it('loads manifests written before reflexiveNegatives and learningRateDecay existed, within the bounds training has', async () => {
    const dir = tempDir();
    const version = await saveModel(dir, model());
    const file = path.join(dir, version, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { hyperparameters: Record<string, unknown> };
    const { reflexiveNegatives: _reflexive, learningRateDecay: _decay, ...older } = { ...hyperparameters, reflexiveNegatives: true, learningRateDecay: 0.5 };
    writeFileSync(file, JSON.stringify({ ...manifest, hyperparameters: older }));
    // Runs from before the options existed drew no reflexive negatives and never cut the learning rate.
    expect((await loadModel(dir, version)).manifest.hyperparameters).toEqual({ ...older, reflexiveNegatives: false, learningRateDecay: 1 });

    // The bounds are those resolveHyperparameters checks before a run, so a file outside them was not written by one.
    for (const [field, value] of [['negatives', 0], ['learningRate', 11], ['seed', -1], ['margin', 0]] as const) {
      writeFileSync(file, JSON.stringify({ ...manifest, hyperparameters: { ...hyperparameters, [field]: value } }));
      await expect(loadModel(dir, version), field).rejects.toThrow(`${file}: hyperparameters.${field}:`);
    }
  });

  it('rejects inconsistent input before writing anything', async () => {
    const dir = tempDir();
    await expect(saveModel(dir, model({ distance: 'L2' }))).rejects.toThrow(/manifest\.json: hyperparameters\.distance: expected L2/);
    await expect(saveModel(dir, model({ entities: ['a', 'b', 'c'] }))).rejects.toThrow(/embeddings\.entity has 12 floats, expected 3 entities × 3/);
    await expect(saveModel(dir, model({ entities: ['a', 'b', 'a', 'c'] }))).rejects.toThrow(/entities: 2: duplicate id "a"/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names the file whose size is wrong', async () => {
    const dir = tempDir();
    const version = await saveModel(dir, model());
    const file = path.join(dir, version, 'entities.f32');
    truncateSync(file, 20);
    await expect(loadModel(dir, version)).rejects.toThrow(`${file}: expected 12 float32 values (4 entities × 3, 48 bytes), got 20 bytes`);
  });

  it('leaves no version behind when the save is interrupted before the final rename', async () => {
    const dir = tempDir();
    const seenBeforeRename: string[][] = [];
    vi.spyOn(fsPromises, 'rename').mockImplementation(async () => {
      seenBeforeRename.push(readdirSync(dir));
      throw new Error('simulated crash');
    });
    await expect(saveModel(dir, model())).rejects.toThrow('simulated crash');
    // until the rename, the files existed only in the temporary dot folder
    expect(seenBeforeRename).toHaveLength(1);
    expect(seenBeforeRename[0]).toEqual([expect.stringMatching(/^\.tmp-20261122-174501-transe-d3-/)]);
    expect(readdirSync(dir)).toEqual([]);
    expect(await listModels(dir)).toEqual([]);
  });
});

describe('versions', () => {
  it('are named by UTC time, model and dimension, and made unique', async () => {
    expect(versionName(new Date('2026-01-02T03:04:05Z'), 64)).toBe('20260102-030405-transe-d64');
    const dir = tempDir();
    const first = await saveModel(dir, model());
    const second = await saveModel(dir, model());
    expect([first, second]).toEqual(['20261122-174501-transe-d3', '20261122-174501-transe-d3-2']);
    expect((await loadModel(dir, second)).manifest.version).toBe(second);
  });

  it('are listed newest first, with the active one marked', async () => {
    const dir = tempDir();
    const at = (iso: string): Promise<string> => saveModel(dir, model({ createdAt: new Date(iso) }));
    const middle = await at('2026-05-01T00:00:00Z');
    const oldest = await at('2025-01-01T00:00:00Z');
    const newest = await at('2027-01-01T00:00:00Z');
    await activateModel(dir, middle);
    const listing = await listModels(dir);
    expect(listing.map((l) => [l.version, l.active])).toEqual([
      [newest, false],
      [middle, true],
      [oldest, false],
    ]);
    expect(listing[0]?.manifest?.createdAt).toBe('2027-01-01T00:00:00.000Z');
  });

  it('lists a broken version with its error instead of hiding it', async () => {
    const dir = tempDir();
    const version = await saveModel(dir, model());
    writeFileSync(path.join(dir, version, 'manifest.json'), '{');
    const [listing] = await listModels(dir);
    expect(listing?.manifest).toBeNull();
    expect(listing?.error).toMatch(/manifest\.json: not valid JSON/);
  });

  it('activate, read the active one, and refuse to remove it unless forced', async () => {
    const dir = tempDir();
    expect(await activeVersion(dir)).toBeNull();
    const a = await saveModel(dir, model({ createdAt: new Date('2026-01-01T00:00:00Z') }));
    const b = await saveModel(dir, model({ createdAt: new Date('2026-02-01T00:00:00Z') }));
    await activateModel(dir, a);
    expect(await activeVersion(dir)).toBe(a);
    expect(readdirSync(dir).filter((name) => name.startsWith('.'))).toEqual([]); // no temporary file left
    await expect(activateModel(dir, 'missing')).rejects.toThrow(/model missing: .*manifest\.json not found/);
    expect(await activeVersion(dir)).toBe(a);

    await expect(removeModel(dir, a)).rejects.toThrow(`model ${a} is the active model`);
    await removeModel(dir, b);
    expect((await listModels(dir)).map((l) => l.version)).toEqual([a]);
    await expect(removeModel(dir, b)).rejects.toThrow(/no such version/);
    await expect(removeModel(dir, '../escape')).rejects.toThrow(/expected a plain folder name/);

    await removeModel(dir, a, { force: true });
    expect(await activeVersion(dir)).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an empty or missing models folder lists nothing', async () => {
    expect(await listModels(path.join(tempDir(), 'absent'))).toEqual([]);
  });
});

describe('dataFingerprint', () => {
  const dataset = (): KgeDataset => ({
    entities: ['ab', 'c', 'd'],
    relations: ['R'],
    train: { heads: Int32Array.from([0, 1]), relations: Int32Array.from([0, 0]), tails: Int32Array.from([1, 2]) },
  });

  it('is stable, 16 hex digits, and changes with names or triples', () => {
    const base = dataFingerprint(dataset());
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(dataFingerprint(dataset())).toBe(base);
    expect(dataFingerprint({ ...dataset(), entities: ['a', 'bc', 'd'] })).not.toBe(base);
    const changed = dataset();
    changed.train.tails[1] = 0;
    expect(dataFingerprint(changed)).not.toBe(base);
    // held-out splits do not count
    const withTest: KgeDataset = { ...dataset(), test: changed.train };
    expect(dataFingerprint(withTest)).toBe(base);
  });
});

describe('checkpoints', () => {
  it('round-trip bit-exactly and replace the previous one', async () => {
    const dir = path.join(tempDir(), '.checkpoints', 'run-1');
    expect(await loadCheckpoint(dir)).toBeNull();
    const embeddings = { dimension: 3, entity: awkwardFloats(12), relation: awkwardFloats(6) };
    await saveCheckpoint(dir, { epoch: 1, embeddings, hyperparameters, dataFingerprint: 'abc' });
    const optimizerState = { entityM: awkwardFloats(12), step: Float32Array.from([2]) };
    await saveCheckpoint(dir, { epoch: 2, embeddings, optimizerState, hyperparameters, dataFingerprint: 'abc' });

    const loaded = await loadCheckpoint(dir);
    expect(loaded?.epoch).toBe(2);
    expect(loaded?.hyperparameters).toEqual(hyperparameters);
    expect(loaded?.dataFingerprint).toBe('abc');
    expect(bits(loaded!.embeddings.entity)).toEqual(bits(embeddings.entity));
    expect(bits(loaded!.embeddings.relation)).toEqual(bits(embeddings.relation));
    expect(Object.keys(loaded!.optimizerState ?? {}).sort()).toEqual(['entityM', 'step']);
    expect(bits(loaded!.optimizerState!.entityM!)).toEqual(bits(optimizerState.entityM));
    // one epoch folder and the pointer: the first checkpoint was removed once the second was in place
    expect(readdirSync(dir).sort()).toEqual(['current', expect.stringMatching(/^epoch-000002-/)]);
  });

  it("keep the run's schedule and its best epoch's vectors", async () => {
    const dir = path.join(tempDir(), '.checkpoints', 'run-2');
    const embeddings = { dimension: 3, entity: awkwardFloats(12), relation: awkwardFloats(6) };
    const bestVectors = { dimension: 3, entity: awkwardFloats(12).map((x) => x / 3), relation: awkwardFloats(6).map((x) => -x) };
    const schedule = { learningRate: 2.5e-4, sinceBest: 2, trainingSeconds: 12.5, trainedTriples: 4000 };
    await saveCheckpoint(dir, { epoch: 7, embeddings, hyperparameters, dataFingerprint: 'abc', schedule: { ...schedule, best: { mrr: 0.25, epoch: 5, embeddings: bestVectors } } });
    const loaded = await loadCheckpoint(dir);
    expect(loaded?.schedule).toMatchObject({ ...schedule, best: { mrr: 0.25, epoch: 5 } });
    expect(bits(loaded!.schedule!.best!.embeddings.entity)).toEqual(bits(bestVectors.entity));
    expect(bits(loaded!.schedule!.best!.embeddings.relation)).toEqual(bits(bestVectors.relation));

    // the best epoch is this one: its vectors are this epoch's, not written twice
    await saveCheckpoint(dir, { epoch: 8, embeddings, hyperparameters, dataFingerprint: 'abc', schedule: { ...schedule, sinceBest: 0, best: { mrr: 0.3, epoch: 8, embeddings } } });
    const again = await loadCheckpoint(dir);
    expect(again?.schedule?.best?.epoch).toBe(8);
    expect(bits(again!.schedule!.best!.embeddings.entity)).toEqual(bits(embeddings.entity));
    const folder = readdirSync(dir).find((name) => name.startsWith('epoch-'))!;
    expect(readdirSync(path.join(dir, folder)).some((name) => name.startsWith('best-'))).toBe(false);
  });

  it("write the best epoch's vectors once: later checkpoints keep its folder and point to it", async () => {
    const dir = path.join(tempDir(), '.checkpoints', 'run-3');
    const bestVectors = { dimension: 3, entity: awkwardFloats(12), relation: awkwardFloats(6) };
    const later = { dimension: 3, entity: awkwardFloats(12).map((x) => x * 2), relation: awkwardFloats(6).map((x) => x * 2) };
    const schedule = (epoch: number) => ({ learningRate: 1e-3, sinceBest: epoch - 5, trainingSeconds: epoch, trainedTriples: 100 * epoch, best: { mrr: 0.3, epoch: 5, embeddings: bestVectors } });
    await saveCheckpoint(dir, { epoch: 5, embeddings: bestVectors, hyperparameters, dataFingerprint: 'abc', schedule: schedule(5) });
    await saveCheckpoint(dir, { epoch: 6, embeddings: later, hyperparameters, dataFingerprint: 'abc', schedule: schedule(6) });
    await saveCheckpoint(dir, { epoch: 7, embeddings: later, hyperparameters, dataFingerprint: 'abc', schedule: schedule(7) });
    const folders = readdirSync(dir).filter((name) => name.startsWith('epoch-')).sort();
    expect(folders).toEqual([expect.stringMatching(/^epoch-000005-/), expect.stringMatching(/^epoch-000007-/)]);
    expect(readdirSync(path.join(dir, folders[1]!)).some((name) => name.startsWith('best-'))).toBe(false);
    const loaded = await loadCheckpoint(dir);
    expect(loaded?.epoch).toBe(7);
    expect(bits(loaded!.schedule!.best!.embeddings.entity)).toEqual(bits(bestVectors.entity));
    expect(bits(loaded!.embeddings.entity)).toEqual(bits(later.entity));
  });

  it('keeps the previous checkpoint when a save fails', async () => {
    const dir = path.join(tempDir(), 'run');
    const embeddings = { dimension: 3, entity: awkwardFloats(12), relation: awkwardFloats(6) };
    await saveCheckpoint(dir, { epoch: 1, embeddings, hyperparameters, dataFingerprint: 'abc' });
    vi.spyOn(fsPromises, 'rename').mockRejectedValue(new Error('simulated crash'));
    await expect(saveCheckpoint(dir, { epoch: 2, embeddings, hyperparameters, dataFingerprint: 'abc' })).rejects.toThrow('simulated crash');
    vi.restoreAllMocks();
    expect((await loadCheckpoint(dir))?.epoch).toBe(1);
    expect(readdirSync(dir).filter((name) => name.startsWith('epoch-'))).toHaveLength(1);
  });
});

describe('removeEntities', () => {
  it('takes rows and ids out of every version, keeping the rest bit for bit and the version loadable', async () => {
    const dir = tempDir();
    const input = model();
    const first = await saveModel(dir, input);
    const second = await saveModel(dir, model({ entities: ['p-1', 'u-2', 'p-3', 'p-4'], createdAt: new Date('2026-12-01T00:00:00Z') }));
    await activateModel(dir, first);

    const result = await removeEntities(dir, ['u-1', 'u-2', 'nobody']);
    expect(result.unreadable).toEqual([]);
    expect(result.versions.sort((a, b) => a.version.localeCompare(b.version))).toEqual([
      { version: first, removed: 2 },
      { version: second, removed: 1 },
    ]);

    const loaded = await loadModel(dir, first);
    expect(loaded.entities).toEqual(['p-1', 'p-2']);
    expect(loaded.manifest).toMatchObject({ entityCount: 2, erasedEntities: 2 });
    expect(bits(loaded.embeddings.entity)).toEqual(bits(input.embeddings.entity.subarray(0, 6)));
    expect(bits(loaded.embeddings.relation)).toEqual(bits(input.embeddings.relation));
    const other = await loadModel(dir, second);
    expect(other.entities).toEqual(['p-1', 'p-3', 'p-4']);
    expect(bits(other.embeddings.entity.subarray(3, 9))).toEqual(bits(input.embeddings.entity.subarray(6, 12)));
    // The old tables are gone; the version's files are the manifest's and nothing else.
    const files = readdirSync(path.join(dir, first)).sort();
    expect(files).toEqual(['manifest.json', 'relation-ids.json', 'relations.f32', loaded.manifest.files.entityIds, loaded.manifest.files.entities].sort());
    for (const file of files) expect(readFileSync(path.join(dir, first, file), 'latin1')).not.toContain('u-1');
    await activateModel(dir, second);
    expect(await activeVersion(dir)).toBe(second);

    // Again: nothing to remove, nothing rewritten.
    expect((await removeEntities(dir, ['u-1', 'u-2'])).versions).toEqual([]);
    expect(readdirSync(path.join(dir, first)).sort()).toEqual(files);
  });

  it('reports a version it cannot read instead of skipping it silently', async () => {
    const dir = tempDir();
    const version = await saveModel(dir, model());
    truncateSync(path.join(dir, version, 'entity-ids.json'), 3);
    const result = await removeEntities(dir, ['u-1']);
    expect(result.versions).toEqual([]);
    expect(result.unreadable).toEqual([{ version, error: expect.stringMatching(/entity-ids\.json: not valid JSON/) }]);
  });
});
