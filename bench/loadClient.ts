/**
 * The load generator of bench/serve, run as a process of its own (as autocannon would be) so that the
 * clients' work does not share the API's event loop: `clients` keep-alive connections, each sending its
 * next request when the previous one answered, until the time is up. Started by bench/serve with
 * child_process.fork; it receives a LoadJob and sends back a RunResult.
 */
import http from 'node:http';

export interface LoadJob {
  port: number;
  clients: number;
  durationMs: number;
  /** Request bodies, sent in turn (cycling). */
  bodies: string[];
}

export interface RunResult {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
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

export async function runLoad(job: LoadJob): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.clients });
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + job.durationMs;
  await Promise.all(
    Array.from({ length: job.clients }, async () => {
      while (performance.now() < deadline) {
        const body = job.bodies[counter % job.bodies.length] as string;
        counter += 1;
        const sent = performance.now();
        const response = await post(agent, job.port, body);
        latencies.push(performance.now() - sent);
        if (response.status !== 200 || response.text.includes('"errors"')) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, requestsPerSecond: latencies.length / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

// Forked by bench/serve: one job per message, the result sent back.
if (process.send) {
  process.on('message', (job: LoadJob) => {
    void runLoad(job).then((result) => process.send?.(result));
  });
}
