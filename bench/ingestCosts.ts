/**
 * What Neo4j itself spends on each part of writing events, and on other ways to model them: the server
 * process's CPU time per event (from /proc, so Linux only), with one transaction at a time so that nothing
 * else shares the figure. bench/ingest times the whole of `kgrec ingest`; this one says where its time goes
 * and what the alternatives would cost.
 *
 * Each variant gets an emptied database with kgrec's migrations, the demo shop's users and products, then
 * `runs` slices of `events` demo events in batches of `batch`, each slice new to the graph (it grows as a
 * shop's does). The first run meets a freshly started server, still compiling its Java code: the figure is
 * the median of the runs after it.
 *
 *   npx tsx bench/ingestCosts.ts [--events 200000] [--runs 4] [--batch 10000] [--variants kgrec,events,...]
 *
 * Variants:
 *   kgrec                the whole event write of `kgrec ingest` (writeEvents: repeat check, products, users,
 *                        event nodes, aggregates, the behaviour change feed)
 *   events               the event nodes alone: the repeat check and CREATE
 *   aggregates           the aggregates alone: one MERGE per (user, product, behaviour) of a batch
 *   aggregates-created   the same relationships CREATEd: what MERGE costs beyond creating is finding them
 *   keyed-aggregates     MERGE on a key property under a relationship uniqueness constraint, instead of
 *                        looking along the user's or product's relationships
 *   event-relationships  events as (:User)-[:EVENT {id, type, timestamp}]->(:Product) under a relationship
 *                        uniqueness constraint, instead of nodes
 */
import { parseArgs } from 'node:util';
import neo4j from 'neo4j-driver';
import { generateDemoShop } from '../src/demo/generate.js';
import type { Graph, Transaction } from '../src/graph/graph.js';
import {
  aggregateColumns,
  aggregateStatement,
  CREATE_EVENTS,
  eventColumns,
  existingIds,
  sumPerRelationship,
  writeEvents,
  type Aggregate,
  type EventRow,
} from '../src/graph/shopWrites.js';
import { AGGREGATE_RELATIONSHIPS, BEHAVIOUR_RELATIONSHIP, type EventType } from '../src/domain/behaviours.js';
import { machine, median, processCpuSeconds, startBenchGraph } from './benchServer.js';

const VARIANTS = ['kgrec', 'events', 'aggregates', 'aggregates-created', 'keyed-aggregates', 'event-relationships'] as const;
type Variant = (typeof VARIANTS)[number];

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '4' },
    batch: { type: 'string', default: '10000' },
    variants: { type: 'string', default: VARIANTS.join(',') },
  },
});
const eventsPerRun = Number(values.events);
const runs = Number(values.runs);
const batchSize = Number(values.batch);
const variants = values.variants.split(',').map((name) => {
  if (!(VARIANTS as readonly string[]).includes(name)) throw new Error(`--variants: unknown variant "${name}"; known: ${VARIANTS.join(', ')}`);
  return name as Variant;
});

const shop = generateDemoShop({ events: eventsPerRun * runs });
const events: EventRow[] = shop.events.map((e) => ({ ...e, timestamp: Date.parse(e.timestamp) }));
const relationshipOf = (type: string) => BEHAVIOUR_RELATIONSHIP[type as EventType];
const NOW = Date.now();

/** Element ids of the shop's users and products, looked up once: as writeEvents does per batch. */
interface Elements {
  users: Map<string, string>;
  products: Map<string, string>;
}

async function loadPeople(graph: Graph): Promise<Elements> {
  const elements = async (label: 'User' | 'Product', ids: string[]) => {
    const rows = await graph.write<{ id: string; element: string }>(
      `UNWIND $ids AS id CREATE (n:${label} {id: id, createdAt: $now}) RETURN id, elementId(n) AS element`,
      { ids, now: neo4j.int(NOW) },
    );
    return new Map(rows.map((row) => [row.id, row.element]));
  };
  return { users: await elements('User', shop.users.map((u) => u.id)), products: await elements('Product', shop.products.map((p) => p.id)) };
}

const SCHEMA: Partial<Record<Variant, string[]>> = {
  'keyed-aggregates': AGGREGATE_RELATIONSHIPS.map(
    (type) => `CREATE CONSTRAINT bench_${type.toLowerCase()}_key IF NOT EXISTS FOR ()-[r:${type}]-() REQUIRE r.key IS UNIQUE`,
  ),
  'event-relationships': ['CREATE CONSTRAINT bench_event_rel_id IF NOT EXISTS FOR ()-[r:EVENT]-() REQUIRE r.id IS UNIQUE'],
};

/** kgrec's aggregate MERGE, keyed: the same statement with the key property in the pattern. */
const keyedAggregateStatement = (relationship: string) => {
  const merge = `MERGE (u)-[r:${relationship}]->(p)`;
  const statement = aggregateStatement(relationship);
  if (!statement.includes(merge)) throw new Error(`aggregateStatement no longer holds "${merge}": update keyed-aggregates`);
  return statement.replace(merge, `MERGE (u)-[r:${relationship} {key: $keys[i]}]->(p)`);
};

const createdAggregateStatement = (relationship: string) => `
UNWIND range(0, size($users) - 1) AS i
MATCH (u) WHERE elementId(u) = $users[i]
MATCH (p) WHERE elementId(p) = $products[i]
CREATE (u)-[:${relationship} {count: $counts[i], quantity: $quantities[i], firstAt: $firstAts[i], lastAt: $lastAts[i]}]->(p)`;

const CREATE_EVENT_RELATIONSHIPS = `
UNWIND range(0, size($ids) - 1) AS i
MATCH (u) WHERE elementId(u) = $users[i]
MATCH (p) WHERE elementId(p) = $products[i]
CREATE (u)-[:EVENT {id: $ids[i], type: $types[i], timestamp: $timestamps[i], quantity: $quantities[i]}]->(p)`;
const EXISTING_EVENT_RELATIONSHIPS = 'UNWIND $ids AS id MATCH ()-[r:EVENT {id: id}]->() RETURN id';

/** One batch as the variant writes it, in one transaction. */
async function writeBatch(variant: Variant, tx: Transaction, batch: EventRow[], elements: Elements): Promise<void> {
  const aggregates = (statement: (relationship: string) => string, withKeys: boolean) =>
    Promise.all(
      [...sumPerRelationship(batch, relationshipOf)].map(([relationship, byPair]) => {
        const rows: Aggregate[] = [...byPair.values()];
        const columns = aggregateColumns(rows, elements.users, elements.products);
        return tx.run(statement(relationship), withKeys ? { ...columns, keys: rows.map((a) => `${a.userId}\u0001${a.productId}`) } : columns);
      }),
    );
  switch (variant) {
    case 'kgrec':
      await writeEvents(tx, batch, relationshipOf, NOW);
      return;
    case 'events': {
      const known = await existingIds(tx, 'Event', batch.map((e) => e.id));
      await tx.run(CREATE_EVENTS, eventColumns(batch.filter((e) => !known.has(e.id))));
      return;
    }
    case 'aggregates':
      await aggregates(aggregateStatement, false);
      return;
    case 'aggregates-created':
      await aggregates(createdAggregateStatement, false);
      return;
    case 'keyed-aggregates':
      await aggregates(keyedAggregateStatement, true);
      return;
    case 'event-relationships': {
      const known = new Set((await tx.run<{ id: string }>(EXISTING_EVENT_RELATIONSHIPS, { ids: batch.map((e) => e.id) })).map((row) => row.id));
      const fresh = batch.filter((e) => !known.has(e.id));
      const { ids, types, timestamps, quantities } = eventColumns(fresh);
      await tx.run(CREATE_EVENT_RELATIONSHIPS, {
        ids,
        types,
        timestamps,
        quantities,
        users: fresh.map((e) => elements.users.get(e.userId)),
        products: fresh.map((e) => elements.products.get(e.productId)),
      });
    }
  }
}

interface VariantResult {
  variant: Variant;
  /** Neo4j's CPU time per event, µs: median of the runs after the first. */
  serverMicrosPerEvent: number;
  eventsPerSecond: number;
  byRun: { eventsPerSecond: number; serverMicrosPerEvent: number; serverCores: number }[];
}

async function measure(variant: Variant): Promise<VariantResult> {
  const { graph, pid, stop } = await startBenchGraph('bench-costs', Number(process.env.KGREC_BENCH_COSTS_NEO4J_PORT ?? 7691));
  try {
    if (pid === null) throw new Error('the benchmark Neo4j has no process id');
    for (const statement of SCHEMA[variant] ?? []) await graph.write(statement);
    await graph.write('CALL db.awaitIndexes(300)');
    const elements = await loadPeople(graph);
    const byRun: VariantResult['byRun'] = [];
    for (let run = 0; run < runs; run += 1) {
      const slice = events.slice(run * eventsPerRun, (run + 1) * eventsPerRun);
      const cpuBefore = processCpuSeconds(pid);
      const started = performance.now();
      for (let start = 0; start < slice.length; start += batchSize) {
        await graph.transaction((tx) => writeBatch(variant, tx, slice.slice(start, start + batchSize), elements));
      }
      const seconds = (performance.now() - started) / 1000;
      const cpu = processCpuSeconds(pid) - cpuBefore;
      const result = { eventsPerSecond: Math.round(slice.length / seconds), serverMicrosPerEvent: Number(((cpu / slice.length) * 1e6).toFixed(1)), serverCores: Number((cpu / seconds).toFixed(2)) };
      byRun.push(result);
      console.log(`${variant} run ${run + 1}: ${result.eventsPerSecond} events/s, Neo4j ${result.serverMicrosPerEvent} µs of CPU an event (${result.serverCores} cores)`);
    }
    const warm = byRun.length > 1 ? byRun.slice(1) : byRun;
    return {
      variant,
      serverMicrosPerEvent: Number(median(warm.map((r) => r.serverMicrosPerEvent)).toFixed(1)),
      eventsPerSecond: Math.round(median(warm.map((r) => r.eventsPerSecond))),
      byRun,
    };
  } finally {
    await stop();
  }
}

const results: VariantResult[] = [];
for (const variant of variants) results.push(await measure(variant));
console.log(`\nNeo4j CPU per event, median of runs 2-${runs} (${eventsPerRun} demo events a run, batch ${batchSize}, one transaction at a time; ${machine()}):`);
for (const r of results) console.log(`  ${r.variant.padEnd(20)} ${String(r.serverMicrosPerEvent).padStart(6)} µs   ${r.eventsPerSecond} events/s`);
console.log(JSON.stringify({ machine: machine(), events: eventsPerRun, runs, batchSize, results }));
