/**
 * The load generator of bench/serve, run as a process of its own so that the clients' work does not share
 * the API's event loop: `clients` keep-alive connections, each sending its next request when the previous
 * one answered, until the time is up. Started by bench/serve with child_process.fork; it receives a
 * LoadJob and sends back a RunResult.
 *
 * Closed-loop runs can go through autocannon (`generator: 'autocannon'`), the load generator from npm.
 * Open-loop runs (a rate) always go through the few lines of node:http below: autocannon's rate limit lets
 * each connection send its share of a second back to back at the start of the second, so its latency at a
 * rate is that of bursts at full concurrency, while here each request is due at its own time.
 */
import http from 'node:http';
import autocannon from 'autocannon';

export interface LoadJob {
  port: number;
  clients: number;
  durationMs: number;
  /**
   * Request bodies, sent in turn (cycling). Left out, those of the previous job: a run starts without
   * the process parsing megabytes of bodies (and collecting them) in its first second.
   */
  bodies?: string[];
  /**
   * Open loop: request i is due at start + i / rate seconds, whenever the previous ones answer, and its
   * latency counts from when it was due (a request held back by busy connections waited too). Without a
   * rate, each connection sends its next request as soon as the previous one answered (closed loop).
   */
  rate?: number;
  /** Who sends a closed-loop run's requests (default `own`); open-loop runs are always `own`. */
  generator?: 'own' | 'autocannon';
}

export interface RunResult {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time the load generator itself used per request (ms). */
  clientCpuMsPerRequest: number;
  /** Wall-clock time (epoch ms) the run started at: to line its slow seconds up with the API's logs. */
  startedAt: number;
  /** The slowest request due in each second of the run (ms), in order: a stall shows as one bad second. */
  slowestPerSecond: number[];
}

export function post(agent: http.Agent, port: number, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

export async function runLoad(job: LoadJob & { bodies: string[] }): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const latencies: number[] = [];
  const slowestPerSecond: number[] = [];
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const startedAt = Date.now();
  const cpuBefore = process.cpuUsage();
  const deadline = started + job.durationMs;
  const interval = job.rate ? 1000 / job.rate : 0;
  await Promise.all(
    Array.from({ length: job.clients }, async () => {
      for (;;) {
        const i = counter;
        counter += 1;
        const due = job.rate ? started + i * interval : performance.now();
        if (due >= deadline) break;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // Latency counts from when the request was due, or from when it went out if that was earlier: a timer
        // counts from the event loop's cached clock and can fire up to a millisecond before its time.
        const from = Math.min(due, performance.now());
        // A failed request (a reset connection) counts as an error; its time still counts as latency.
        const response = await post(agent, job.port, job.bodies[i % job.bodies.length] as string).catch(() => null);
        const latency = performance.now() - from;
        latencies.push(latency);
        const second = Math.floor((due - started) / 1000);
        slowestPerSecond[second] = Math.max(slowestPerSecond[second] ?? 0, latency);
        if (response === null || response.status !== 200 || response.text.includes('"errors"')) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: latencies.length,
    errors,
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    clientCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length),
    startedAt,
    slowestPerSecond: Array.from(slowestPerSecond, (ms) => Math.round(ms ?? 0)),
  };
}

/**
 * A closed-loop run through autocannon (a job's rate is not used: see the module comment): the same
 * connections, bodies in the same order. Its latency is
 * recorded in whole milliseconds, and a response counts as an error when it is not a 2xx (autocannon does
 * not read bodies, so a GraphQL error inside a 200 is not seen: the bench's own runs check those).
 */
export async function runAutocannon(job: LoadJob & { bodies: string[] }): Promise<RunResult> {
  let counter = 0;
  const startedAt = Date.now();
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: `http://127.0.0.1:${job.port}/graphql`,
    connections: job.clients,
    duration: job.durationMs / 1000,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const body = job.bodies[counter % job.bodies.length] as string;
          counter += 1;
          return { ...request, body };
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const requests = result.requests.total;
  return {
    requests,
    errors: result.errors + result.non2xx,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    clientCpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, requests),
    startedAt,
    slowestPerSecond: [],
  };
}

// Forked by bench/serve: one job per message, the result sent back.
if (process.send) {
  let bodies: string[] = [];
  process.on('message', (job: LoadJob) => {
    bodies = job.bodies ?? bodies;
    const run = job.generator === 'autocannon' && !job.rate ? runAutocannon : runLoad;
    void run({ ...job, bodies }).then((result) => process.send?.(result));
  });
}
