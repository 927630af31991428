import { assignmentPoint, variantFor, VARIANT_STRATEGIES, type VariantStrategy } from '../domain/experiments.js';
import { generateDemoWorld } from '../demo/generate.js';
import { respondToList } from '../demo/listResponse.js';
import type { DemoShopOptions, Product, Shopper } from '../demo/model.js';
import { Random } from '../math/random.js';
import { GraphQLClient } from './graphqlClient.js';

/**
 * The shop simulator: the demo shop's own shoppers, with the tastes its generator gave them, visit the
 * running API. Each simulated day every simulated shopper asks for recommendations once, sees the list
 * (an impression per item, with servedId and position), clicks, carts and buys as their tastes say, and
 * the events go back through recordEvents. Days are compressed: a day is one pass over the shoppers, and
 * every event is stamped with the real time it was sent, so none is ever dated in the future.
 */

export interface SimulationOptions {
  url: string;
  /** A Bearer token of role merchandiser or admin: the simulator creates, starts and stops its experiment. */
  token: string;
  /** One variant per strategy, equal shares; the first is the control. */
  variants: readonly VariantStrategy[];
  /** Shoppers simulated: the demo shop's first `users`. */
  users: number;
  days: number;
  /** The demo shop the API serves (the same options it was generated with). */
  shop: DemoShopOptions;
  /** Seeds the shoppers' answers. */
  seed: number;
  /** Items per list. */
  first: number;
  /** Shoppers whose visits are in flight at once. */
  concurrency: number;
  conversionDays: number;
  onProgress?: (done: number, total: number) => void;
}

/** What the simulator itself sent, per variant: the figures experimentResults must reproduce. */
export interface SentTally {
  users: number;
  lists: number;
  impressions: number;
  clicks: number;
  addToCarts: number;
  purchases: number;
}

export interface SimulationResult {
  experimentId: string;
  startedAt: number;
  sent: Record<string, SentTally>;
  results: ExperimentResultsAnswer;
}

export interface EstimateAnswer {
  value: number;
  low: number | null;
  high: number | null;
}

export interface ExperimentResultsAnswer {
  winner: string | null;
  pValue: number | null;
  variants: Array<{
    name: string;
    users: number;
    servedLists: number;
    impressions: number;
    clicks: number;
    addToCarts: number;
    conversions: number;
    revenue: number;
    ctr: EstimateAnswer;
    addToCartRate: EstimateAnswer;
    conversionRate: EstimateAnswer;
    revenuePerUser: EstimateAnswer;
    versusControl: { pValue: number; ctrDifference: EstimateAnswer } | null;
  }>;
}

/** Events sent per recordEvents call: well under the API's default limit of 1,000. */
const EVENT_BATCH = 500;

const CREATE = `mutation ($input: ExperimentInput!) { createExperiment(input: $input) { id variants { name share } } }`;
const START = 'mutation ($id: ID!) { startExperiment(id: $id) { state } }';
const STOP = 'mutation ($id: ID!) { stopExperiment(id: $id) { state } }';
const RECOMMEND = 'query ($userId: ID!, $first: Int) { recommend(userId: $userId, first: $first) { servedId items { position product { id } } } }';
const RECORD = 'mutation ($events: [EventInput!]!) { recordEvents(events: $events) { created conflicts } }';
const ESTIMATE = 'value low high';
const RESULTS = `query ($id: ID!, $from: DateTime!, $days: Int) { experimentResults(id: $id, from: $from, conversionDays: $days) {
  winner pValue variants { name users servedLists impressions clicks addToCarts conversions revenue
    ctr { ${ESTIMATE} } addToCartRate { ${ESTIMATE} } conversionRate { ${ESTIMATE} } revenuePerUser { ${ESTIMATE} }
    versusControl { pValue ctrDifference { ${ESTIMATE} } } } } }`;

interface EventInput {
  id: string;
  userId: string;
  productId: string;
  type: 'IMPRESSION' | 'CLICK' | 'ADD_TO_CART' | 'PURCHASE';
  timestamp: string;
  servedId: string;
  position: number;
  quantity?: number;
}

export function parseVariants(text: string): VariantStrategy[] {
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.find((name) => !(VARIANT_STRATEGIES as readonly string[]).includes(name));
  if (unknown !== undefined) throw new RangeError(`--variants: unknown strategy ${JSON.stringify(unknown)}; expected some of ${VARIANT_STRATEGIES.join(', ')}`);
  if (names.length < 2 || new Set(names).size !== names.length) throw new RangeError(`--variants: expected two or more different strategies, got ${JSON.stringify(text)}`);
  return names as VariantStrategy[];
}

/** Creates and starts the experiment, runs the shoppers through it, reads its results and stops it. */
export async function simulateShop(options: SimulationOptions): Promise<SimulationResult> {
  const client = new GraphQLClient(options.url, options.token);
  // The whole shop is drawn again (its history included) for the catalogue and the shoppers' tastes it was drawn from.
  const { catalogue, shoppers } = generateDemoWorld(options.shop);
  if (options.users > shoppers.length) throw new RangeError(`--users: the demo shop has ${shoppers.length} shoppers, asked for ${options.users}`);
  const share = 1 / options.variants.length;
  const input = {
    name: `simulated ${options.variants.join(' vs ')}`,
    description: `kgrec simulate: ${options.users} demo shoppers over ${options.days} days`,
    variants: options.variants.map((strategy) => ({ name: strategy, share, strategy: strategy.toUpperCase().replace('-', '_') })),
  };
  const created = await client.request<{ createExperiment: { id: string; variants: Array<{ name: string; share: number }> } }>(CREATE, { input });
  const experiment = created.createExperiment;
  const startedAt = Date.now();
  await client.request(START, { id: experiment.id });
  try {
    const products = new Map(catalogue.products.map((product) => [product.record.id, product]));
    const visitors = shoppers.slice(0, options.users);
    const sent = await runDays({ client, options, products, visitors, variantOf: (userId) => variantFor(experiment.variants, assignmentPoint(experiment.id, userId)).name });
    const answer = await client.request<{ experimentResults: ExperimentResultsAnswer }>(RESULTS, {
      id: experiment.id,
      from: new Date(startedAt).toISOString(),
      days: options.conversionDays,
    });
    return { experimentId: experiment.id, startedAt, sent, results: answer.experimentResults };
  } finally {
    // The shop goes back to its default ranking whatever happened.
    await client.request(STOP, { id: experiment.id });
  }
}

interface DayRun {
  client: GraphQLClient;
  options: SimulationOptions;
  products: ReadonlyMap<string, Product>;
  visitors: readonly Shopper[];
  variantOf: (userId: string) => string;
}

async function runDays(run: DayRun): Promise<Record<string, SentTally>> {
  const { client, options, visitors } = run;
  const sent: Record<string, SentTally> = {};
  const seen = new Set<string>();
  const pending: EventInput[] = [];
  const flush = async (all: boolean): Promise<void> => {
    while (pending.length >= (all ? 1 : EVENT_BATCH)) await client.request(RECORD, { events: pending.splice(0, EVENT_BATCH) });
  };
  const total = options.days * visitors.length;
  let done = 0;
  for (let day = 0; day < options.days; day += 1) {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < visitors.length) {
        const shopper = visitors[next++] as Shopper;
        const events = await visit(run, shopper, day);
        const tally = (sent[run.variantOf(shopper.record.id)] ??= { users: 0, lists: 0, impressions: 0, clicks: 0, addToCarts: 0, purchases: 0 });
        if (!seen.has(shopper.record.id)) tally.users += 1;
        seen.add(shopper.record.id);
        tally.lists += 1;
        for (const event of events) countEvent(tally, event);
        pending.push(...events);
        await flush(false);
        options.onProgress?.((done += 1), total);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  }
  await flush(true);
  return sent;
}

function countEvent(tally: SentTally, event: EventInput): void {
  if (event.type === 'IMPRESSION') tally.impressions += 1;
  else if (event.type === 'CLICK') tally.clicks += 1;
  else if (event.type === 'ADD_TO_CART') tally.addToCarts += 1;
  else tally.purchases += 1;
}

/** One shopper's visit: a list asked for, and their answer to it as events. */
async function visit(run: DayRun, shopper: Shopper, day: number): Promise<EventInput[]> {
  const userId = shopper.record.id;
  const answer = await run.client.request<{ recommend: { servedId: string; items: Array<{ position: number; product: { id: string } }> } }>(RECOMMEND, {
    userId,
    first: run.options.first,
  });
  const { servedId, items } = answer.recommend;
  // Each shopper-day has its own stream, so the answers do not depend on the order requests finish in.
  const random = Random.forStream(run.options.seed, `simulate:${userId}:${day}`);
  // The shopper's tastes as they stood at the end of the demo's history.
  const responses = respondToList(random, shopper, items.map((item) => item.product.id), run.products, Number.POSITIVE_INFINITY);
  const events: EventInput[] = [];
  const emit = (type: EventInput['type'], productId: string, position: number, quantity?: number): void => {
    events.push({ id: `${servedId}:${position}:${type}`, userId, productId, type, timestamp: new Date().toISOString(), servedId, position, ...(quantity ? { quantity } : {}) });
  };
  for (const response of responses) emit('IMPRESSION', response.productId, response.position);
  for (const response of responses) {
    if (response.clicked) emit('CLICK', response.productId, response.position);
    if (response.carted) emit('ADD_TO_CART', response.productId, response.position);
    if (response.purchased) emit('PURCHASE', response.productId, response.position, response.quantity);
  }
  return events;
}
