import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseGraphTriples } from '../../src/eval/graphTriplesChoice.js';
import { loadKgatKnowledgeGraph } from '../../src/eval/kgat.js';
import { kgatEvalData } from '../../src/jobs/evalData.js';
import { evaluateRecommenders, offlineState, profileRows, shopTriples } from '../../src/jobs/evaluateRecommenders.js';
import { recommendSignals } from '../../src/ranking/recommendSignals.js';
import { kgatFixtureDir } from '../eval/kgatFixture.js';
import { tempDir, writeFixture } from '../helpers.js';

const ARTIST = 'http://rdf.freebase.com/ns/music.recording.artist';
const TYPE = 'http://rdf.freebase.com/ns/common.topic.notable_types';

/**
 * A generated KGAT data set of 10 songs (entities 0..9) and 3 more entities: songs 0 and 1 share artist
 * 10, songs 2 and 3 artist 11, songs 0..8 the type 12; song 9 has no triple.
 */
function kgatDir(withKg = true): string {
  const dir = tempDir('kgrec-kg-eval-');
  writeFixture(dir, 'train.txt', ['0 0', '1 9 5 6', '2 9 7', '3 9 8 2', '4 1 3 5']);
  writeFixture(dir, 'test.txt', ['0 1', '1 3', '2 8', '3 3', '4 0']);
  writeFixture(dir, 'item_list.txt', ['org_id remap_id freebase_id', ...Array.from({ length: 10 }, (_, i) => `S${i} ${i} m.s${i}`)]);
  writeFixture(dir, 'relation_list.txt', ['org_id remap_id', `${TYPE} 0`, `${ARTIST} 1`]);
  if (withKg) writeFixture(dir, 'kg_final.txt', ['0 1 10', '1 1 10', '2 1 11', '3 1 11', ...Array.from({ length: 9 }, (_, i) => `${i} 0 12`)]);
  return dir;
}

describe('offline evaluation with a knowledge graph', () => {
  it('reads kg_final.txt, says so in the note, and puts the KG triples in the TransE training export', async () => {
    const data = await kgatEvalData(kgatDir(), 'songs');
    expect(data.kg?.heads.length).toBe(13);
    expect(data.note).toMatch(/kg_final\.txt: 13 triples, 3 entities besides the items, 2 relations/);
    const withKg = shopTriples(data, data.fit);
    const kgRelations = withKg.relations.filter((relation) => relation.startsWith('KG:'));
    expect(kgRelations.sort()).toEqual([`KG:${TYPE}`, `KG:${ARTIST}`]);
    const artist = withKg.relations.indexOf(`KG:${ARTIST}`);
    const artistTriples = [...withKg.train.relations.keys()].filter((t) => withKg.train.relations[t] === artist).map((t) => `${withKg.entities[withKg.train.heads[t]!]} ${withKg.entities[withKg.train.tails[t]!]}`);
    expect(artistTriples).toEqual(['Product:0 Entity:e10', 'Product:1 Entity:e10', 'Product:2 Entity:e11', 'Product:3 Entity:e11']);
    const withoutKg = shopTriples(data, data.fit, { withKg: false });
    expect(withoutKg.relations.some((relation) => relation.startsWith('KG:'))).toBe(false);
    expect(withoutKg.train.heads.length).toBe(withKg.train.heads.length - 13);
  });

  it('says when there is no knowledge graph, and has none', async () => {
    const data = await kgatEvalData(kgatDir(false), 'songs');
    expect(data.kg).toBeNull();
    expect(data.note).toMatch(/interactions only/);
  });

  it('ranks, through the served signal, a song sharing an artist with the user above songs sharing none', async () => {
    const data = await kgatEvalData(kgatDir(), 'songs');
    const state = offlineState(data, null, data.fit);
    expect(state.kg).not.toBeNull();
    // User 0 played song 0: song 1 shares artist 10 with it, songs 2 and 6 only the type every song has.
    const rows = profileRows(data, [...data.fit, ...data.validBehaviour]);
    const { signals } = recommendSignals(state, '0', rows[0] ?? [], new Set(['kg']));
    const kg = signals.kg as Float32Array;
    const at = (item: number) => kg[state.indexOf.get(String(item)) ?? -1] as number;
    expect(at(1)).toBeGreaterThan(at(2));
    expect(at(1)).toBeGreaterThan(at(6));
    expect(at(9)).toBe(0);
    const withoutKg = offlineState(data, null, data.fit, null, { withKg: false });
    expect(withoutKg.kg).toBeNull();
    expect(recommendSignals(withoutKg, '0', rows[0] ?? [], new Set(['kg'])).signals.kg).toBeUndefined();
  });

  it('gives the kgInterest signal to songs by the artist the user played, and nothing for a type every song has', async () => {
    const data = await kgatEvalData(kgatDir(), 'songs');
    const state = offlineState(data, null, data.fit);
    const rows = profileRows(data, [...data.fit, ...data.validBehaviour]);
    const interest = recommendSignals(state, '0', rows[0] ?? [], new Set(['kgInterest'])).signals.kgInterest as Float32Array;
    const at = (item: number) => interest[state.indexOf.get(String(item)) ?? -1] as number;
    // Artist 10 (songs 0 and 1) against artist 11 (songs 2 and 3); type 12 is on every song with a type.
    expect(at(1)).toBeGreaterThan(0);
    expect(at(2)).toBeLessThan(0);
    expect(at(6)).toBeCloseTo(0, 6);
    expect(at(9)).toBe(0);
  });

  it('rejects a malformed kg_final.txt line, naming the file, line and field', async () => {
    const dir = kgatDir();
    writeFixture(dir, 'kg_final.txt', ['0 1 10', '1 x 10']);
    await expect(loadKgatKnowledgeGraph(dir, 10)).rejects.toThrow(/kg_final\.txt:2: relation id: expected a non-negative integer, got "x"/);
    writeFixture(dir, 'kg_final.txt', ['0 1']);
    await expect(loadKgatKnowledgeGraph(dir, 10)).rejects.toThrow(/kg_final\.txt:1: expected "head relation tail"/);
  });

  it('names relations by their id when relation_list.txt is absent', async () => {
    const dir = tempDir('kgrec-kg-eval-');
    writeFixture(dir, 'kg_final.txt', ['0 3 5', '1 3 5']);
    const kg = await loadKgatKnowledgeGraph(dir, 2);
    expect(kg?.relationNames).toEqual(['3']);
    expect(kg?.nodeKeys).toEqual(['Product:0', 'Product:1', 'Entity:e5']);
  });

  it('fits fused with the TransE of each triple set, keeps the better on validation and trains each TransE once', async () => {
    // The clustered fixture's 90 items with a KG: each item's cluster, and a relation that says nothing.
    const dir = kgatFixtureDir();
    writeFixture(dir, 'kg_final.txt', Array.from({ length: 90 }, (_, i) => [`${i} 0 ${90 + Math.floor(i / 30)}`, `${i} 1 ${93 + (i % 5)}`]).flat());
    const info: string[] = [];
    const progress: string[] = [];
    const report = await evaluateRecommenders(await kgatEvalData(dir, 'clusters'), {
      outDir: tempDir('kgrec-kg-choice-'),
      hyperparameters: { epochs: 3, dimension: 16 },
      bpr: { epochs: 5 },
      onInfo: (message) => info.push(message),
      onProgress: (stage) => progress.push(stage),
    });
    const trained = info.flatMap((message) => /^TransE \((.+)\): [\d,]+ triples/.exec(message)?.[1] ?? []);
    expect(trained.sort()).toEqual(['test', 'test no-kg', 'validation', 'validation no-kg']);
    const { fusion } = report;
    const validation = { 'with-kg': fusion.graphTriplesValidation['with-kg'] ?? NaN, 'without-kg': fusion.graphTriplesValidation['without-kg'] ?? NaN };
    expect(fusion.graphTriples).toBe(chooseGraphTriples(validation));
    expect(fusion.validationObjective).toBe(validation[fusion.graphTriples]);
    // Started from the no-kg weights as well, the fit with the same TransE cannot do worse on validation.
    const noKg = Number(/^fusion weights no-kg \(validation objective@20 ([\d.]+)\)/.exec(info.find((message) => message.startsWith('fusion weights no-kg')) ?? '')?.[1]);
    expect(validation['without-kg']).toBeGreaterThanOrEqual(noKg - 5e-5);
    // Its third start (after equal weights and the defaults) is the no-kg fit, scored on the same users.
    expect(progress).toContain(`fusion fit without-kg triples start 3 objective ${noKg.toFixed(4)}`);
    for (const model of ['transe', 'transe-no-kg', 'fused', 'fused-no-kg']) expect(report.results[model], model).toBeDefined();
    expect(readFileSync(report.files.markdown, 'utf8')).toContain(`TransE triples: ${fusion.graphTriples} (validation objective@20, the mean of NDCG and Recall, of the fusion fitted with each TransE: with-kg ${validation['with-kg'].toFixed(4)}, without-kg ${validation['without-kg'].toFixed(4)})`);
  });
});
