/**
 * The load generator of bench/soak, in a process of its own (forked by bench/soak): an open loop of
 * `recommend` and `search` at a fixed rate with hostile requests mixed in, for a warm-up (not recorded)
 * and then `minutes` minutes, sending each minute's results to the parent as soon as every request due
 * in it has answered.
 *
 * Open loop as in bench/loadClient: request i is due at start + i / rate, sent by the first of `clients`
 * keep-alive connections that is free, and its latency counts from when it was due, so a request held back
 * by a stalled server counts its wait. Which kind each request is comes from a seeded PRNG: the same
 * sequence at every run.
 */
import http from 'node:http';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { Random } from '../src/math/random.js';
import { watchStalls } from '../src/util/stallWatch.js';
import type { TimelineEvent } from './soakTimeline.js';

export const LEGIT_KINDS = ['recommend', 'search'] as const;
export const HOSTILE_KINDS = ['alias-bomb', 'cost-bomb', 'invalid-id', 'malformed-json', 'huge-body', 'replayed-events'] as const;
/** Behaviour sent back as a shop frontend sends it: fresh events, counted apart from the reads' figures. */
export const WRITE_KINDS = ['record-events'] as const;
export const KINDS = [...LEGIT_KINDS, ...HOSTILE_KINDS, ...WRITE_KINDS] as const;
export type Kind = (typeof KINDS)[number];
/** ok: 200 without errors; refused: a 4xx or GraphQL errors; failed: a 5xx or no answer (reset, refused connection). */
export const OUTCOMES = ['ok', 'refused', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface SoakJob {
  port: number;
  rate: number;
  minutes: number;
  warmUpSeconds: number;
  hostileShare: number;
  clients: number;
  seed: number;
  userIds: string[];
  queries: string[];
  productIds: string[];
  /** Bearer token of the frontend role, for recordEvents. */
  frontendToken: string;
  /** Bytes of the oversized body: above the API's limit. */
  hugeBodyBytes: number;
  /** Share of the requests that record fresh events (`record-events`), as frontends send behaviour back. */
  eventShare: number;
  /** Events per `record-events` batch. */
  eventBatch: number;
  /** Every product of the shop: the events' products, the popular ones more often. */
  catalogueIds: string[];
  /** The hostile kinds to send (a subset of HOSTILE_KINDS). */
  hostileKinds: readonly HostileKind[];
  /**
   * A request unanswered this long after it was due counts as failed (`TIMEOUT`), and one that could not
   * even be sent by then is not sent (`BACKLOG`): an overloaded API makes the soak last its minutes, not hours.
   */
  timeoutMs: number;
}
export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** One request: when it was due (ms after the minute's start), what it was, how long it took, what came back. */
export type RawRow = [dueMs: number, kind: number, latencyMs: number, status: number, outcome: number];

export interface KindSummary {
  requests: number;
  ok: number;
  refused: number;
  failed: number;
  /** Error codes (extensions.code, else `HTTP <status>`, `NO_ANSWER`) and how often each came back. */
  codes: Record<string, number>;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface MinuteResult {
  type: 'minute';
  /** 1 for the first measured minute; 0 for the warm-up before it (reported apart, not counted). */
  minute: number;
  /** recommend and search together: the figures a shop sees. */
  legit: KindSummary;
  byKind: Partial<Record<Kind, KindSummary>>;
  /** The slowest legit request due in each second of the minute (ms). */
  slowestPerSecond: number[];
  /** When the minute began (epoch ms): the API's timeline of stalls and reloads is set beside it. */
  startedAtMs: number;
  rows: RawRow[];
}

const RECOMMEND = `query ($userId: ID!) { recommend(userId: $userId, first: 10) {
  items { score reasons { text } product { id title price category { name } brand { name } } } } }`;
const SEARCH = `query ($query: String!, $userId: ID) { search(query: $query, userId: $userId, first: 10) {
  items { score product { id title price category { name } brand { name } } } } }`;
/** Aliases per alias bomb: far more than any page needs. */
const BOMB_ALIASES = 200;

interface Request {
  body: Buffer;
  headers: Record<string, string>;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function requestBuilders(job: SoakJob): Record<Kind, (i: number) => Request> {
  const plain = { 'content-type': 'application/json' };
  const user = (i: number) => job.userIds[i % job.userIds.length] as string;
  const aliasBomb = json({
    query: `{ ${Array.from({ length: BOMB_ALIASES }, (_, a) => `a${a}: recommend(userId: "${job.userIds[a % job.userIds.length]}", first: 100) { items { product { id title } } }`).join(' ')} }`,
  });
  // Wide and deep: every product's relations' products' relations, and a full page of explained recommendations.
  const costBomb = json({
    query: `{ products(first: 1000) { nodes { id category { path { name children { name } } } relations { product { relations { product { relations { product { id title } } } } } } } }
              recommend(userId: "${job.userIds[0]}", first: 1000, explain: true) { items { product { relations { product { id } } } } } }`,
  });
  const hugeBody = Buffer.alloc(job.hugeBodyBytes, ' ');
  hugeBody.write('{"query": "{ products(first: 1) { nodes { id } } }", "padding": "', 0);
  // The same batch every time, ids included: a client retrying after a timeout. Only the first is written.
  const replayed = json({
    query: 'mutation ($events: [EventInput!]!) { recordEvents(events: $events) { received created duplicates } }',
    variables: {
      events: Array.from({ length: 20 }, (_, e) => ({
        id: `soak-retry-${e}`,
        userId: job.userIds[e % job.userIds.length],
        productId: job.productIds[e % job.productIds.length],
        type: 'VIEW',
        timestamp: '2024-01-01T00:00:00Z',
      })),
    },
  });
  const badIds = ['', ' ', 'x'.repeat(100_000), '../../etc/passwd', '\u0000', '💥'.repeat(1_000)];
  const recordEvents = (i: number): Request => ({
    body: json({ query: 'mutation ($events: [EventInput!]!) { recordEvents(events: $events) { received created } }', variables: { events: freshEvents(job, i) } }),
    headers: { ...plain, authorization: `Bearer ${job.frontendToken}` },
  });
  return {
    recommend: (i) => ({ body: json({ query: RECOMMEND, variables: { userId: user(i) } }), headers: plain }),
    search: (i) => ({ body: json({ query: SEARCH, variables: { query: job.queries[i % job.queries.length], userId: user(i) } }), headers: plain }),
    'alias-bomb': () => ({ body: aliasBomb, headers: plain }),
    'cost-bomb': () => ({ body: costBomb, headers: plain }),
    'invalid-id': (i) => ({ body: json({ query: RECOMMEND, variables: { userId: i % 2 === 0 ? badIds[i % badIds.length] : 42 } }), headers: plain }),
    'malformed-json': (i) => ({ body: Buffer.from(['{"query": "{ recommend(', '{"query": 12}', 'null', '{"query": "{ recommend(userId: \\"u-0001\\") { items { score } }", "variables": "nope"}'][i % 4] as string), headers: plain }),
    'huge-body': () => ({ body: hugeBody, headers: plain }),
    'replayed-events': () => ({ body: replayed, headers: { ...plain, authorization: `Bearer ${job.frontendToken}` } }),
    'record-events': recordEvents,
  };
}

const EVENT_TYPES = ['VIEW', 'VIEW', 'VIEW', 'VIEW', 'CLICK', 'CLICK', 'ADD_TO_CART', 'PURCHASE'] as const;

/**
 * Request i's batch of new events, dated now: a shopper's views, clicks, carts and purchases. Products are
 * drawn skewed (the square of a uniform draw over the catalogue's order), so a few are bought often.
 */
function freshEvents(job: SoakJob, i: number): Array<Record<string, string>> {
  const random = new Random(job.seed * 1_000_003 + i);
  const userId = job.userIds[random.nextInt(job.userIds.length)] as string;
  const timestamp = new Date().toISOString();
  return Array.from({ length: job.eventBatch }, (_, e) => ({
    id: `soak-${job.seed}-${i}-${e}`,
    userId,
    productId: job.catalogueIds[Math.floor(random.nextFloat() ** 2 * job.catalogueIds.length)] as string,
    type: EVENT_TYPES[random.nextInt(EVENT_TYPES.length)] as string,
    timestamp,
  }));
}

interface Answer {
  status: number;
  code: string | null;
}

/** Sends one request; resolves with its status and first error code (never rejects: no answer is status 0). */
function send(agent: http.Agent, port: number, request: Request, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: Answer) => {
      if (!settled) resolve(answer);
      settled = true;
    };
    const req = http.request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { ...request.headers, 'content-length': request.body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => finish({ status: res.statusCode ?? 0, code: errorCode(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')) }));
        res.on('error', () => finish({ status: res.statusCode ?? 0, code: 'NO_ANSWER' }));
      },
    );
    // A server that refuses an oversized body answers before it is sent whole, and the rest of the write fails.
    req.on('error', () => finish({ status: 0, code: 'NO_ANSWER' }));
    req.setTimeout(timeoutMs, () => {
      finish({ status: 0, code: 'TIMEOUT' });
      req.destroy();
    });
    req.end(request.body);
  });
}

function errorCode(status: number, text: string): string | null {
  if (status === 200 && !text.includes('"errors"')) return null;
  try {
    const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> };
    const code = body.errors?.[0]?.extensions?.code;
    if (code) return code;
  } catch {
    // not JSON: the status says it
  }
  return `HTTP ${status}`;
}

const outcomeOf = (answer: Answer): Outcome => (answer.status === 0 || answer.status >= 500 ? 'failed' : answer.code === null ? 'ok' : 'refused');

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round1 = (ms: number): number => Math.round(ms * 10) / 10;

function summarise(rows: RawRow[]): KindSummary {
  const latencies = rows.map((row) => row[2]).sort((a, b) => a - b);
  const summary: KindSummary = { requests: rows.length, ok: 0, refused: 0, failed: 0, codes: {}, p50Ms: percentile(latencies, 50), p90Ms: percentile(latencies, 90), p99Ms: percentile(latencies, 99), maxMs: latencies.at(-1) ?? 0 };
  for (const row of rows) summary[OUTCOMES[row[4]] as Outcome] += 1;
  return summary;
}

/** A bucket's figures: all requests, recommend and search together, each kind, the slowest legit request per second. */
function minuteResult(minute: number, startedAtMs: number, rows: RawRow[], codes: Map<string, Map<string, number>>): MinuteResult {
  const legitRows = rows.filter((row) => row[1] < LEGIT_KINDS.length);
  const byKind: Partial<Record<Kind, KindSummary>> = {};
  KINDS.forEach((kind, index) => {
    const kindRows = rows.filter((row) => row[1] === index);
    if (kindRows.length === 0) return;
    byKind[kind] = { ...summarise(kindRows), codes: Object.fromEntries(codes.get(kind) ?? []) };
  });
  const slowest: number[] = Array.from({ length: 60 }, () => 0);
  for (const row of legitRows) {
    const second = Math.min(59, Math.floor(row[0] / 1000));
    slowest[second] = Math.max(slowest[second] ?? 0, Math.round(row[2]));
  }
  const legitCodes: Record<string, number> = {};
  for (const kind of LEGIT_KINDS) for (const [code, count] of codes.get(kind) ?? []) legitCodes[code] = (legitCodes[code] ?? 0) + count;
  return { type: 'minute', minute, legit: { ...summarise(legitRows), codes: legitCodes }, byKind, slowestPerSecond: slowest, startedAtMs, rows };
}

export async function runSoak(job: SoakJob, onMinute: (result: MinuteResult) => void): Promise<void> {
  const builders = requestBuilders(job);
  const hostileIndexes = job.hostileKinds.map((kind) => KINDS.indexOf(kind));
  const random = new Random(job.seed);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const interval = 1000 / job.rate;
  const warmUpMs = job.warmUpSeconds * 1000;
  const started = performance.now();
  const epochOffsetMs = Date.now() - started;
  const measuredFrom = started + warmUpMs;
  const deadline = measuredFrom + job.minutes * 60_000;
  // Bucket 0 is the warm-up (reported apart, never in the minutes' figures); bucket b ≥ 1 is minute b.
  const bucketOf = (due: number) => (due < measuredFrom ? 0 : 1 + Math.floor((due - measuredFrom) / 60_000));
  const bucketStart = (bucket: number) => (bucket === 0 ? started : measuredFrom + (bucket - 1) * 60_000);
  const buckets = Array.from({ length: job.minutes + 1 }, () => ({ rows: [] as RawRow[], codes: new Map<string, Map<string, number>>(), inFlight: 0 }));
  let counter = 0;
  let nextBucket = job.warmUpSeconds > 0 ? 0 : 1;
  const flush = () => {
    // A bucket is complete once requests of the next are due and none of its own is in flight.
    while (nextBucket <= job.minutes && (buckets[nextBucket] as (typeof buckets)[number]).inFlight === 0 && started + counter * interval >= measuredFrom + nextBucket * 60_000) {
      const bucket = buckets[nextBucket] as (typeof buckets)[number];
      onMinute(minuteResult(nextBucket, Math.round(bucketStart(nextBucket) + epochOffsetMs), bucket.rows, bucket.codes));
      bucket.rows = [];
      nextBucket += 1;
    }
  };
  await Promise.all(
    Array.from({ length: job.clients }, async () => {
      for (;;) {
        const i = counter;
        const due = started + i * interval;
        if (due >= deadline) break;
        counter += 1;
        const hostile = random.nextFloat() < job.hostileShare;
        // Drawn only when events are sent: a soak without them draws what earlier soaks of its seed drew.
        const write = !hostile && job.eventShare > 0 && random.nextFloat() < job.eventShare;
        const kindIndex = write ? KINDS.indexOf('record-events')
          : hostile && hostileIndexes.length > 0 ? (hostileIndexes[random.nextInt(hostileIndexes.length)] as number) : random.nextInt(LEGIT_KINDS.length);
        const kind = KINDS[kindIndex] as Kind;
        const request = builders[kind](i);
        const bucketIndex = bucketOf(due);
        const bucket = buckets[bucketIndex];
        if (bucket) bucket.inFlight += 1;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const from = Math.min(due, performance.now());
        const left = job.timeoutMs - (performance.now() - due);
        const answer: Answer = left <= 0 ? { status: 0, code: 'BACKLOG' } : await send(agent, job.port, request, left);
        const latency = performance.now() - from;
        if (bucket) {
          const outcome = outcomeOf(answer);
          bucket.rows.push([Math.round(due - bucketStart(bucketIndex)), kindIndex, round1(latency), answer.status, OUTCOMES.indexOf(outcome)]);
          if (answer.code !== null) {
            const codes = bucket.codes.get(kind) ?? new Map<string, number>();
            codes.set(answer.code, (codes.get(answer.code) ?? 0) + 1);
            bucket.codes.set(kind, codes);
          }
          bucket.inFlight -= 1;
        }
        flush();
      }
    }),
  );
  counter = Number.MAX_SAFE_INTEGER / 2;
  flush();
  agent.destroy();
}

/** Stalls and GC pauses of the load generator itself, reported as the API's are (bench/soakApi.ts). */
const LOAD_STALL_MS = 20;
const LOAD_GC_MS = 10;

/**
 * Reports this process's own event-loop stalls and long GC pauses: latency counts from when a request was
 * due, so a generator that stalls makes the API look slow. With these on the timeline (thread `load`), a
 * slow second that only the generator explains is seen as such.
 */
function reportOwnStalls(report: (event: TimelineEvent) => void): void {
  watchStalls(({ endedAt, blockedMs }) => report({ at: endedAt, thread: 'load', what: 'blocked', ms: blockedMs }), LOAD_STALL_MS);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration < LOAD_GC_MS) continue;
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? constants.NODE_PERFORMANCE_GC_MINOR;
      report({ at: Math.round(performance.timeOrigin + entry.startTime + entry.duration), thread: 'load', what: 'gc', ms: Math.round(entry.duration * 10) / 10, details: { kind } });
    }
  }).observe({ entryTypes: ['gc'] });
}

// Forked by bench/soak: one job, a message per minute and one per stall of its own, then `done`.
if (process.send) {
  reportOwnStalls((event) => process.send?.({ type: 'timeline', event }));
  process.once('message', (job: SoakJob) => {
    void runSoak(job, (result) => process.send?.(result)).then(() => process.send?.({ type: 'done' }));
  });
}
