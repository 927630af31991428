import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { activeGraphTriples } from '../../src/jobs/train.js';
import { activateModel } from '../../src/kge/modelStore.js';
import { DEFAULT_FUSION_WEIGHTS, FUSION_FILE, readFusionWeights, writeFusionWeights, type FusionFile } from '../../src/ranking/fusionWeights.js';
import { saveFixtureModel, tempDir } from '../helpers.js';

const FIT: FusionFile = { weights: DEFAULT_FUSION_WEIGHTS, metric: 'ndcg@20', validation: 0.2042, fittedAt: '2026-12-06T22:00:00.000Z', dataset: 'demo' };

describe('the fusion file and the TransE triples its weights were fitted with', () => {
  it('round-trips the choice', async () => {
    const modelsDir = tempDir('kgrec-fusion-');
    mkdirSync(path.join(modelsDir, 'v1'));
    await writeFusionWeights(modelsDir, 'v1', { ...FIT, graphTriples: 'without-kg' });
    expect((await readFusionWeights(modelsDir, 'v1'))?.graphTriples).toBe('without-kg');
    await writeFusionWeights(modelsDir, 'v1', { ...FIT, graphTriples: 'with-kg' });
    expect((await readFusionWeights(modelsDir, 'v1'))?.graphTriples).toBe('with-kg');
  });

  it('reads a file saved before the choice existed as with-kg, and rejects an unknown choice', async () => {
    const modelsDir = tempDir('kgrec-fusion-');
    const version = await saveFixtureModel(modelsDir);
    await activateModel(modelsDir, version);
    expect(await activeGraphTriples(modelsDir)).toBe('with-kg');
    // The fields of an older fusion.json, written as it was: no graphTriples, no itemItem.
    writeFileSync(path.join(modelsDir, version, FUSION_FILE), JSON.stringify({ weights: { graph: 0.5, popularity: 0.5 }, metric: 'ndcg@20', validation: 0.19, fittedAt: FIT.fittedAt, dataset: 'demo' }));
    const old = await readFusionWeights(modelsDir, version);
    expect(old?.graphTriples).toBeUndefined();
    expect(old?.weights.graph).toBe(0.5);
    expect(await activeGraphTriples(modelsDir)).toBe('with-kg');
    await writeFusionWeights(modelsDir, version, { ...FIT, graphTriples: 'without-kg' });
    expect(await activeGraphTriples(modelsDir)).toBe('without-kg');
    writeFileSync(path.join(modelsDir, version, FUSION_FILE), JSON.stringify({ ...FIT, graphTriples: 'none' }));
    await expect(readFusionWeights(modelsDir, version)).rejects.toThrow(/graphTriples/);
  });
});
