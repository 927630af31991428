import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Graph } from '../../src/graph/graph.js';
import { readProfile } from '../../src/graph/shopReads.js';
import { writeEvents, writeProducts, type ProductRow } from '../../src/graph/shopWrites.js';
import { BEHAVIOUR_RELATIONSHIP, type EventType } from '../../src/domain/behaviours.js';
import { FusedRanker } from '../../src/ranking/fusedRanker.js';
import { recommendSignals } from '../../src/ranking/recommendSignals.js';
import { freshGraph, tempDir } from '../helpers.js';
import { writeTinyEncoder } from '../text/tinyEncoder.js';

/**
 * The fused ranker with a sentence encoder configured, against a real Neo4j: a tiny encoder the test
 * writes (in which "sneaker" and "shoe" mean the same) and a handful of products. No TransE model is
 * active, so whatever is semantic here comes from the encoder.
 */

let graph: Graph;
let config: Config;
let ranker: FusedRanker;
let plain: FusedRanker;
const logs: Array<{ message: string; details: Record<string, unknown> }> = [];
const modelsDir = tempDir('kgrec-encoder-models-');

const product = (id: string, title: string, description: string | null): ProductRow => ({
  id,
  props: { title, ...(description === null ? {} : { description }), price: 10, inStock: true },
});

async function writeCatalogue(rows: ProductRow[]): Promise<void> {
  await graph.transaction((tx) => writeProducts(tx, rows, Date.now()));
}

beforeAll(async () => {
  ({ graph, config } = await freshGraph());
  await writeCatalogue([
    product('enc-shoe', 'Trail shoe', 'A red shoe for long runs'),
    product('enc-boot', 'Leather boot', 'A warm boot for winter'),
    product('enc-lamp', 'Desk lamp', 'A red lamp with a warm light'),
    product('enc-kettle', 'Kettle', 'Boils water fast'),
    product('enc-card', 'Gift card', null),
  ]);
  const common = { graph, modelsDir, relationTypes: config.relationTypes, watchModels: false, diversity: 0 };
  ranker = new FusedRanker({ ...common, textEncoderPath: writeTinyEncoder(), logger: { info: (details, message) => logs.push({ message, details }) } });
  plain = new FusedRanker(common);
  await Promise.all([ranker.warmUp(), plain.warmUp()]);
}, 120_000);

afterAll(async () => {
  ranker.close();
  plain.close();
  await graph.close();
});

describe('search with a text encoder', () => {
  it('finds a product whose text says "shoe" for the query "sneaker", and says the encoder found it', async () => {
    const [mentions] = await graph.read<{ n: number }>("MATCH (p:Product) WHERE toLower(p.title + ' ' + coalesce(p.description, '')) CONTAINS 'sneaker' RETURN count(p) AS n");
    expect(mentions?.n).toBe(0);
    const list = await ranker.search('sneaker', { first: 5 });
    const ids = list.items.map((item) => item.productId);
    expect(ids[0]).toBe('enc-shoe');
    // The boot is footwear too: nearer than the lamp and the kettle.
    expect(ids.indexOf('enc-boot')).toBe(1);
    expect(list.items[0]?.reasons[0]).toEqual({ kind: 'SEMANTIC_MATCH', text: expect.stringContaining('text encoder') as unknown });
    // Without the encoder (and without a TransE model), nothing in the catalogue matches the word.
    expect((await plain.search('sneaker', { first: 5 })).items).toEqual([]);
  });

  it('keeps full-text matches first', async () => {
    const list = await ranker.search('lamp', { first: 5 });
    expect(list.items[0]?.productId).toBe('enc-lamp');
    expect(list.items[0]?.reasons[0]?.kind).toBe('TEXT_MATCH');
  });

  it('logs the runtime and the model it loaded', () => {
    const loaded = logs.find((entry) => entry.message === 'text encoder loaded');
    expect(loaded?.details).toMatchObject({ dimension: 6, runtime: expect.stringMatching(/^onnxruntime-/) as unknown, model: expect.stringMatching(/^kgrec-encoder-/) as unknown });
  });
});

describe('recommend with a text encoder', () => {
  it('scores text likeness to what the user bought with the encoder', async () => {
    const now = Date.now();
    const type: EventType = 'purchase';
    await graph.transaction((tx) =>
      writeEvents(tx, [{ id: 'enc-event-1', userId: 'enc-user', productId: 'enc-boot', type, timestamp: now, quantity: 1 }], (name) => BEHAVIOUR_RELATIONSHIP[name as EventType], now),
    );
    const state = await ranker.state();
    expect(state.textSpace).toBe(state.textEncoder);
    const { signals } = recommendSignals(state, 'enc-user', await readProfile(graph, 'enc-user'));
    const text = signals.text;
    if (!text) throw new Error('no text signal');
    const at = (id: string): number => text[state.indexOf.get(id) ?? -1] ?? NaN;
    expect(at('enc-shoe')).toBeGreaterThan(at('enc-lamp'));
    expect(at('enc-shoe')).toBeGreaterThan(at('enc-kettle'));
    const list = await ranker.recommend('enc-user', { first: 3, explain: true });
    expect(list.items[0]?.breakdown.map((component) => component.name)).toContain('text');
  });
});

describe('encodings across reloads', () => {
  it('encodes only new and changed texts when the state reloads', async () => {
    ranker.invalidate();
    const again = await ranker.state();
    expect(again.textEncoder?.counts).toEqual({ encoded: 0, reused: 5 });

    await writeCatalogue([product('enc-kettle', 'Kettle', 'Boils water fast; fits beside a shoe rack'), product('enc-new', 'Red boot', null)]);
    ranker.invalidate();
    const changed = await ranker.state();
    expect(changed.textEncoder?.counts).toEqual({ encoded: 2, reused: 4 });
    // The changed text is the one served: the kettle now sits nearer "sneaker" than the lamp.
    const ids = (await ranker.search('sneaker', { first: 6 })).items.map((item) => item.productId);
    expect(ids.indexOf('enc-kettle')).toBeLessThan(ids.indexOf('enc-lamp'));
    expect(logs.filter((entry) => entry.message === 'product texts encoded').map((entry) => entry.details.encoded)).toEqual([5, 2]);
  });
});
