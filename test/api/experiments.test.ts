import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExperimentAssigner } from '../../src/api/experimentAssigner.js';
import { writeServedLists, type ServedListRecord } from '../../src/graph/servedLists.js';
import { Random } from '../../src/math/random.js';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';
import type { ExperimentResultsAnswer } from '../../src/jobs/simulateShop.js';

/** Experiments through the API: definitions and their history, sticky assignment, and results that reconcile with the events. */

let h: Harness;

const SHOP = { products: 120, users: 60, events: 3000, seed: 11 };

const EXPERIMENT_FIELDS = 'id name state surfaces variants { name share strategy diversity } history { from to at editor }';
const CREATE = `mutation ($input: ExperimentInput!) { createExperiment(input: $input) { ${EXPERIMENT_FIELDS} } }`;
const move = (field: string) => `mutation ($id: ID!) { ${field}(id: $id) { ${EXPERIMENT_FIELDS} } }`;

interface Experiment {
  id: string;
  state: string;
  surfaces: string[];
  variants: Array<{ name: string; share: number; strategy: string | null }>;
  history: Array<{ from: string | null; to: string; editor: string }>;
}

const merchandiser = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => h.gql<T>(query, variables, TOKENS.merchandiser);

async function create(input: Record<string, unknown>): Promise<Experiment> {
  const response = await merchandiser<{ createExperiment: Experiment }>(CREATE, { input });
  expect(response.errors).toBeUndefined();
  return response.data?.createExperiment as Experiment;
}

async function transition(field: string, id: string): Promise<Experiment> {
  const response = await merchandiser<Record<string, Experiment>>(move(field), { id });
  expect(response.errors, field).toBeUndefined();
  return response.data?.[field] as Experiment;
}

const FUSED_VS_POPULARITY = {
  name: 'fused vs popularity',
  variants: [
    { name: 'popularity', share: 0.3, strategy: 'POPULARITY' },
    { name: 'fused', share: 0.7, strategy: 'FUSED' },
  ],
};

beforeAll(async () => {
  h = await startHarness({ shop: SHOP, api: { servedFlushMs: 20 } });
});

afterAll(async () => {
  await h?.stop();
});

describe('experiment definitions', () => {
  it('are created by merchandisers, audited, and refuse bad shares naming the field', async () => {
    const denied = await h.gql(CREATE, { input: FUSED_VS_POPULARITY }, TOKENS.frontend);
    expect(codeOf(denied)).toBe('FORBIDDEN');
    const bad = await merchandiser(CREATE, { input: { ...FUSED_VS_POPULARITY, variants: [{ name: 'a', share: 0.5 }, { name: 'b', share: 0.4 }] } });
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.field).toBe('input.variants');
    const repeated = await merchandiser(CREATE, { input: { ...FUSED_VS_POPULARITY, variants: [{ name: 'a', share: 0.5 }, { name: 'a', share: 0.5 }] } });
    expect(repeated.errors?.[0]?.extensions?.field).toBe('input.variants[1].name');

    const experiment = await create(FUSED_VS_POPULARITY);
    expect(experiment).toMatchObject({ state: 'DRAFT', surfaces: ['RECOMMEND'], history: [{ from: null, to: 'DRAFT' }] });
    expect(experiment.variants.map((variant) => variant.strategy)).toEqual(['POPULARITY', 'FUSED']);
    const audit = await merchandiser<{ auditLog: { nodes: Array<{ action: string; entityType: string }> } }>(
      'query ($id: ID) { auditLog(entityId: $id) { nodes { action entityType } } }',
      { id: experiment.id },
    );
    expect(audit.data?.auditLog.nodes).toEqual([{ action: 'create', entityType: 'experiment' }]);
  });

  it('start, pause and stop with their history kept; a stopped one stays stopped, and surfaces are not shared', async () => {
    const experiment = await create({ ...FUSED_VS_POPULARITY, name: 'lifecycle' });
    await transition('startExperiment', experiment.id);
    const other = await create({ ...FUSED_VS_POPULARITY, name: 'overlapping' });
    const clash = await merchandiser(move('startExperiment'), { id: other.id });
    expect(codeOf(clash)).toBe('CONFLICT');
    await transition('pauseExperiment', experiment.id);
    await transition('startExperiment', experiment.id);
    const stopped = await transition('stopExperiment', experiment.id);
    expect(stopped.history.map((step) => [step.from, step.to])).toEqual([
      [null, 'DRAFT'],
      ['DRAFT', 'RUNNING'],
      ['RUNNING', 'PAUSED'],
      ['PAUSED', 'RUNNING'],
      ['RUNNING', 'STOPPED'],
    ]);
    expect(new Set(stopped.history.map((step) => step.editor)).size).toBe(1);
    expect(codeOf(await merchandiser(move('startExperiment'), { id: experiment.id }))).toBe('CONFLICT');
    await transition('stopExperiment', other.id);
  });
});

const RECOMMEND = 'query ($userId: ID!) { recommend(userId: $userId, first: 5) { servedId strategy items { position product { id } } } }';
type Served = { servedId: string; strategy: string; items: Array<{ position: number; product: { id: string } }> };

interface LoggedList {
  experimentId: string | null;
  variant: string | null;
  userId: string | null;
}

/** Polls the exposure log until the list is written (the API writes served lists in batches, after answering). */
async function servedList(servedId: string): Promise<LoggedList> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await h.graph.read<LoggedList & Record<string, unknown>>(
      'MATCH (s:ServedList {id: $servedId}) RETURN s.experimentId AS experimentId, s.variant AS variant, s.userId AS userId',
      { servedId },
    );
    if (row) return row;
    if (Date.now() > deadline) throw new Error(`served list ${servedId} was never written`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('assignment', () => {
  it('is sticky per shopper, near the configured shares over 10,000 ids, and recorded with each served list', async () => {
    const experiment = await create(FUSED_VS_POPULARITY);
    await transition('startExperiment', experiment.id);
    const assigner = new ExperimentAssigner(h.graph);
    await assigner.refresh();
    const counts = new Map<string, number>();
    for (let index = 0; index < 10_000; index += 1) {
      const userId = `shopper-${index}`;
      const first = assigner.assign(userId, 'recommend');
      expect(assigner.assign(userId, 'recommend')?.variant).toBe(first?.variant);
      counts.set(first?.variant ?? 'none', (counts.get(first?.variant ?? 'none') ?? 0) + 1);
    }
    // Four binomial standard deviations (√(10,000 · 0.3 · 0.7) ≈ 46) either side.
    expect(Math.abs((counts.get('popularity') ?? 0) - 3_000)).toBeLessThan(185);
    expect(Math.abs((counts.get('fused') ?? 0) - 7_000)).toBeLessThan(185);
    expect(assigner.assign(null, 'recommend')).toBeNull();
    expect(assigner.assign('shopper-1', 'search')).toBeNull();

    for (const userId of ['u-0001', 'u-0002', 'u-0003', 'u-0004', 'u-0005', 'u-0006']) {
      const expected = assigner.assign(userId, 'recommend')?.variant;
      for (let request = 0; request < 2; request += 1) {
        const response = await h.gql<{ recommend: Served }>(RECOMMEND, { userId }, TOKENS.frontend);
        const served = response.data?.recommend as Served;
        expect(served.items.map((item) => item.position)).toEqual([1, 2, 3, 4, 5]);
        expect(await servedList(served.servedId)).toEqual({ experimentId: experiment.id, variant: expected, userId });
        expect(served.strategy).toBe(expected === 'popularity' ? 'popularity' : 'fused');
      }
    }
    const served = await (await fetch(new URL('/metrics', h.server.url))).text();
    const listsOf = (variant: string): number => Number(new RegExp(`kgrec_experiment_served_lists_total\\{experiment="${experiment.id}",variant="${variant}"\\} (\\d+)`).exec(served)?.[1] ?? 0);
    expect(listsOf('popularity') + listsOf('fused')).toBe(12);
    // Without a shopper (similar products) the default ranking serves: logged, but in no experiment.
    const similar = await h.gql<{ similarProducts: { servedId: string } }>('{ similarProducts(productId: "p-00001") { servedId } }');
    expect(await servedList(similar.data?.similarProducts.servedId as string)).toEqual({ experimentId: null, variant: null, userId: null });

    await transition('pauseExperiment', experiment.id);
    const paused = await h.gql<{ recommend: Served }>(RECOMMEND, { userId: 'u-0001' }, TOKENS.frontend);
    expect(await servedList(paused.data?.recommend.servedId as string)).toEqual({ experimentId: null, variant: null, userId: 'u-0001' });
    await transition('stopExperiment', experiment.id);
  });
});

const RESULTS = `query ($id: ID!, $from: DateTime!, $to: DateTime, $days: Int) {
  experimentResults(id: $id, from: $from, to: $to, conversionDays: $days) {
    winner pValue
    variants { name users servedLists impressions clicks addToCarts conversions revenue
      ctr { value low high } revenuePerUser { value } versusControl { pValue ctrDifference { value low high } } }
  } }`;

/** One variant of the results, as the simulator reads them too. */
type VariantResult = ExperimentResultsAnswer['variants'][number];

const DAY_MS = 86_400_000;

interface FixtureEvent {
  userId: string;
  productId: string;
  type: 'IMPRESSION' | 'CLICK' | 'ADD_TO_CART' | 'PURCHASE';
  timestamp: string;
  servedId?: string;
  position?: number;
  quantity?: number;
}

/**
 * Served lists of two variants and what their shoppers did, drawn from a seeded generator: some lists fall
 * outside the window, some events come from another shopper, some purchases come too late to convert.
 */
function fixture(experimentId: string, products: string[], now: number) {
  const random = new Random(2024);
  const lists: ServedListRecord[] = [];
  const events: FixtureEvent[] = [];
  const windowStart = now - 20 * DAY_MS;
  for (let index = 0; index < 40; index += 1) {
    const userId = `u-${String(index + 1).padStart(4, '0')}`;
    const variant = index % 2 === 0 ? 'control' : 'treatment';
    for (let visit = 0; visit < 3; visit += 1) {
      const at = windowStart + random.integer(-2, 9) * DAY_MS + random.integer(0, DAY_MS - 1);
      const productIds = Array.from({ length: 4 }, () => random.pick(products));
      const servedId = `fixture-${index}-${visit}`;
      lists.push({ servedId, userId, surface: 'recommend', at, productIds, experimentId, variant });
      productIds.forEach((productId, place) => {
        const stamp = (offset: number) => new Date(at + offset).toISOString();
        events.push({ userId, productId, type: 'IMPRESSION', timestamp: stamp(1_000 + place), servedId, position: place + 1 });
        if (!random.chance(variant === 'control' ? 0.2 : 0.4)) return;
        const clicker = random.chance(0.1) ? 'u-0099' : userId; // another shopper's click does not count
        events.push({ userId: clicker, productId, type: 'CLICK', timestamp: stamp(60_000 + place), servedId, position: place + 1 });
        if (random.chance(0.5)) events.push({ userId: clicker, productId, type: 'ADD_TO_CART', timestamp: stamp(120_000 + place), servedId, position: place + 1 });
        if (random.chance(0.5)) {
          const late = random.chance(0.3);
          events.push({ userId: clicker, productId, type: 'PURCHASE', timestamp: stamp((late ? 8 : 2) * DAY_MS + place), quantity: random.integer(1, 3) });
        }
      });
    }
  }
  return { lists, events, from: windowStart, to: windowStart + 8 * DAY_MS };
}

/** The figures the fixture should give, counted from the records alone. */
function expectedCounts(data: ReturnType<typeof fixture>, prices: Map<string, number>, conversionMs: number) {
  const inWindow = data.lists.filter((list) => list.at >= data.from && list.at < data.to);
  const listById = new Map(inWindow.map((list) => [list.servedId, list]));
  const result = new Map<string, { users: Set<string>; lists: number; impressions: number; clicks: number; addToCarts: number; purchases: Set<string>; revenue: number }>();
  const of = (variant: string) => {
    if (!result.has(variant)) result.set(variant, { users: new Set(), lists: 0, impressions: 0, clicks: 0, addToCarts: 0, purchases: new Set(), revenue: 0 });
    return result.get(variant) as NonNullable<ReturnType<typeof result.get>>;
  };
  for (const list of inWindow) {
    of(list.variant as string).users.add(list.userId as string);
    of(list.variant as string).lists += 1;
  }
  const purchases = data.events.map((event, index) => ({ ...event, key: String(index) })).filter((event) => event.type === 'PURCHASE');
  for (const event of data.events) {
    const list = event.servedId === undefined ? undefined : listById.get(event.servedId);
    if (!list || list.userId !== event.userId) continue;
    const figures = of(list.variant as string);
    if (event.type === 'IMPRESSION') figures.impressions += 1;
    if (event.type === 'ADD_TO_CART') figures.addToCarts += 1;
    if (event.type !== 'CLICK') continue;
    figures.clicks += 1;
    const clickedAt = Date.parse(event.timestamp);
    for (const purchase of purchases) {
      const at = Date.parse(purchase.timestamp);
      if (purchase.userId !== event.userId || purchase.productId !== event.productId || at < clickedAt || at > clickedAt + conversionMs) continue;
      if (figures.purchases.has(purchase.key)) continue;
      figures.purchases.add(purchase.key);
      figures.revenue += (purchase.quantity ?? 1) * (prices.get(purchase.productId) ?? 0);
    }
  }
  return result;
}

describe('experimentResults', () => {
  it('equal the counts computed from the recorded lists and events, with intervals and a sequential test', async () => {
    const experiment = await create({ name: 'reconcile', variants: [{ name: 'control', share: 0.5 }, { name: 'treatment', share: 0.5 }] });
    const productRows = await h.graph.read<{ id: string; price: number | null }>('MATCH (p:Product) RETURN p.id AS id, p.price AS price ORDER BY p.id LIMIT 30');
    const now = Date.now();
    const data = fixture(experiment.id, productRows.map((row) => row.id), now);
    await writeServedLists(h.graph, data.lists);
    for (let start = 0; start < data.events.length; start += 500) {
      const response = await h.gql('mutation ($events: [EventInput!]!) { recordEvents(events: $events) { created } }', { events: data.events.slice(start, start + 500) }, TOKENS.frontend);
      expect(response.errors).toBeUndefined();
    }
    const response = await merchandiser<{ experimentResults: { winner: string | null; pValue: number; variants: VariantResult[] } }>(RESULTS, {
      id: experiment.id,
      from: new Date(data.from).toISOString(),
      to: new Date(data.to).toISOString(),
      days: 7,
    });
    expect(response.errors).toBeUndefined();
    const results = response.data?.experimentResults as { winner: string | null; pValue: number; variants: VariantResult[] };
    const expected = expectedCounts(data, new Map(productRows.map((row) => [row.id, row.price ?? 0])), 7 * DAY_MS);
    for (const variant of results.variants) {
      const want = expected.get(variant.name);
      expect(want, variant.name).toBeDefined();
      expect({ ...variant, ctr: undefined, revenue: undefined }).toMatchObject({
        users: want?.users.size,
        servedLists: want?.lists,
        impressions: want?.impressions,
        clicks: want?.clicks,
        addToCarts: want?.addToCarts,
        conversions: want?.purchases.size,
      });
      expect(variant.revenue).toBeCloseTo(want?.revenue ?? Number.NaN, 6);
      expect(variant.ctr.value).toBeCloseTo(variant.clicks / variant.impressions, 12);
      expect(variant.ctr.low).toBeLessThan(variant.ctr.value);
      expect(variant.ctr.high).toBeGreaterThan(variant.ctr.value);
    }
    expect(results.pValue).toBeGreaterThan(0);
    expect(results.pValue).toBeLessThanOrEqual(1);

    // The same figures on /metrics, per experiment and variant.
    const metrics = await (await fetch(new URL('/metrics', h.server.url))).text();
    for (const variant of results.variants) {
      const labels = `experiment="${experiment.id}",variant="${variant.name}"`;
      expect(metrics).toContain(`kgrec_experiment_clicks{${labels}} ${variant.clicks}`);
      expect(metrics).toContain(`kgrec_experiment_ctr{${labels}} ${variant.ctr.value}`);
    }

    const denied = await h.gql(RESULTS, { id: experiment.id, from: new Date(data.from).toISOString() }, TOKENS.frontend);
    expect(codeOf(denied)).toBe('FORBIDDEN');
    const backwards = await merchandiser(RESULTS, { id: experiment.id, from: new Date(data.to).toISOString(), to: new Date(data.from).toISOString() });
    expect(backwards.errors?.[0]?.extensions?.field).toBe('to');
  });
});

describe('erasing a shopper', () => {
  it('takes their exposures out of the results: experiments keep nothing else per shopper', async () => {
    const experiment = await create({ name: 'erasure', variants: [{ name: 'control', share: 0.5 }, { name: 'treatment', share: 0.5 }] });
    const now = Date.now();
    const lists: ServedListRecord[] = ['u-0010', 'u-0011'].map((userId, index) => ({
      servedId: `erasure-${index}`,
      userId,
      surface: 'recommend',
      at: now - 60_000,
      productIds: ['p-00001'],
      experimentId: experiment.id,
      variant: 'control',
    }));
    await writeServedLists(h.graph, lists);
    const read = async () =>
      (
        await merchandiser<{ experimentResults: { variants: VariantResult[] } }>(RESULTS, { id: experiment.id, from: new Date(now - DAY_MS).toISOString() })
      ).data?.experimentResults.variants.find((variant) => variant.name === 'control');
    expect((await read())?.users).toBe(2);
    const deleted = await h.gql<{ deleteUserData: { servedLists: number } }>('mutation { deleteUserData(userId: "u-0010") { servedLists } }', {}, TOKENS.admin);
    expect(deleted.data?.deleteUserData.servedLists).toBeGreaterThanOrEqual(1);
    expect(await read()).toMatchObject({ users: 1, servedLists: 1 });
    const left = await h.graph.read<{ n: number }>('MATCH (n) WHERE n.userId = $userId AND NOT n:AuditEntry RETURN count(n) AS n', { userId: 'u-0010' });
    expect(Number(left[0]?.n)).toBe(0);
  });
});
