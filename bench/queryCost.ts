/**
 * What pricing an operation (src/api/queryCost.ts: aliases and cost, before graphql validates it) adds to
 * a request, and how soon the documents of a flood are refused. Each figure is the median of many runs:
 * - a representative `recommend` and `product` query, as sent again and again (the text parsed before)
 *   and as seen the first time (parse included);
 * - refusing 5,000 aliased `brands` (about 129 KB; past the token limit, and with the limit lifted, parsed
 *   whole and refused for its aliases) and 500 aliased `recommend` fields, each text new.
 *
 *   npx tsx bench/queryCost.ts [--iterations 2000]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { apiConfigSchema } from '../src/api/config.js';
import { queryPricer, type OperationRequest } from '../src/api/queryCost.js';
import { resolvers } from '../src/api/resolvers.js';
import { loadTypeDefs } from '../src/api/schema.js';
import { loadConfig } from '../src/config.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000' } } });
const iterations = Number(values.iterations);
const FLOOD_ITERATIONS = 50;

const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(loadConfig().relationTypes), resolvers });
const api = apiConfigSchema.parse({ modelsDir: loadConfig().modelsDir });

const RECOMMEND = `query Recommend($userId: ID!, $first: Int, $filter: ProductFilter) {
  recommend(userId: $userId, first: $first, filter: $filter, explain: true) {
    strategy modelVersion
    items { score reasons { kind text } breakdown { name value weight contribution }
      product { id title price currency inStock category { id name } brand { id name } } }
  }
}`;
const PRODUCT = `query Product($id: ID!) { product(id: $id) { id title description price currency inStock category { id name path { id name } } brand { id name } } }`;

const median = (samples: number[]): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Median milliseconds of pricing over `runs` calls, each with the request `requestOf(i)`. */
function time(runs: number, requestOf: (i: number) => OperationRequest, expected: string, limits = api): { medianMs: number; cost: number | undefined } {
  const pricer = queryPricer(schema, limits);
  const samples: number[] = [];
  let cost: number | undefined;
  for (let i = 0; i < runs; i += 1) {
    const request = requestOf(i);
    const started = performance.now();
    const verdict = pricer.priceText(request);
    samples.push(performance.now() - started);
    if (verdict.kind !== expected) throw new Error(`expected ${expected}, got ${verdict.kind}`);
    cost = verdict.kind === 'unpriced' ? undefined : verdict.cost?.requested;
  }
  return { medianMs: median(samples), cost };
}

const recommendVariables = { userId: 'u-0001', first: 10, filter: { categoryId: 'c-01' } };
// A comment keeps the operation and makes each text new, so that it is parsed again.
const fresh = (query: string) => (i: number) => `# ${i}\n${query}`;
const brandsFlood = (i: number) => `# ${i}\n{ ${Array.from({ length: 5_000 }, (_, k) => `b${k}: brands { id name }`).join(' ')} }`;
const recommendFlood = (i: number) =>
  `# ${i}\n{ ${Array.from({ length: 500 }, (_, k) => `r${k}: recommend(userId: "u-${k}") { items { product { id title } } }`).join(' ')} }`;

const results = {
  recommendCached: time(iterations, () => ({ query: RECOMMEND, variables: recommendVariables }), 'priced'),
  productCached: time(iterations, () => ({ query: PRODUCT, variables: { id: 'p-00001' } }), 'priced'),
  recommendFirstSeen: time(iterations, (i) => ({ query: fresh(RECOMMEND)(i), variables: recommendVariables }), 'priced'),
  productFirstSeen: time(iterations, (i) => ({ query: fresh(PRODUCT)(i), variables: { id: 'p-00001' } }), 'priced'),
  brandsFloodRefused: time(FLOOD_ITERATIONS, (i) => ({ query: brandsFlood(i) }), 'refused'),
  brandsFloodParsedWhole: time(FLOOD_ITERATIONS, (i) => ({ query: brandsFlood(i) }), 'refused', { ...api, maxTokens: 1_000_000 }),
  recommendFloodRefused: time(FLOOD_ITERATIONS, (i) => ({ query: recommendFlood(i) }), 'refused'),
};

const machine = { cores: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version };
console.log(`pricing per request, median (${machine.cores} cores, ${machine.cpu}):`);
for (const [name, { medianMs, cost }] of Object.entries(results)) {
  console.log(`  ${name.padEnd(24)} ${(medianMs * 1000).toFixed(1).padStart(9)} µs${cost === undefined ? '' : `  cost ${cost}`}`);
}
console.log(`  (5,000 aliased brands: ${brandsFlood(0).length} characters)`);
console.log(JSON.stringify({ machine, iterations, floodIterations: FLOOD_ITERATIONS, results }));
