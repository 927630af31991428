import { hashString } from '../util/hash.js';

/**
 * Concurrent write transactions that do not wait on each other's node locks. A kind whose records touch shared
 * nodes (events: a user and a product, whose aggregate relationship they update) names those nodes as
 * conflict keys. Each key is hashed into one of `grid` buckets, so every record falls into a cell of a grid
 * (user bucket × product bucket); two cells that share no bucket touch disjoint users and products. Batches
 * of such cells run side by side; the others wait. Lanes keyed by user alone shared the popular products:
 * one transaction waited for the other's locks on them (MERGE holds both endpoints until commit, and commit
 * is half of a batch's work), and 2–6 batches of a 200,000-event load deadlocked and were written again.
 */

/** The cell of a record with these conflict keys, and the buckets ("dimension:bucket") that cell holds while it writes. */
export function cellOf(keys: readonly string[], grid: number): { index: number; buckets: string[] } {
  let index = 0;
  const buckets = keys.map((key, dimension) => {
    const bucket = hashString(key) % grid;
    index = index * grid + bucket;
    return `${dimension}:${bucket}`;
  });
  return { index, buckets };
}

/** Runs at most `concurrency` jobs at once, never two that hold the same bucket; waiting jobs start in order where they can. */
export class CellScheduler {
  private readonly busy = new Set<string>();
  private readonly waiting: { buckets: readonly string[]; start: () => void }[] = [];
  private running = 0;

  constructor(private readonly concurrency: number) {}

  run<T>(buckets: readonly string[], job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running += 1;
        buckets.forEach((bucket) => this.busy.add(bucket));
        void job()
          .then(resolve, reject)
          .finally(() => {
            this.running -= 1;
            buckets.forEach((bucket) => this.busy.delete(bucket));
            this.startWaiting();
          });
      };
      this.waiting.push({ buckets, start });
      this.startWaiting();
    });
  }

  private startWaiting(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.concurrency; ) {
      const next = this.waiting[i] as (typeof this.waiting)[number];
      if (next.buckets.some((bucket) => this.busy.has(bucket))) i += 1;
      else {
        this.waiting.splice(i, 1);
        next.start();
      }
    }
  }
}

/** Two lanes let Neo4j use both cores of a small machine while the next batches are prepared. */
export const DEFAULT_WRITE_LANES = 2;

/**
 * A grid with as many buckets per side as there are lanes leaves a lane that finishes first with no cell
 * disjoint from its partner's to start: 2 × 2 has only the diagonals, so the partner ran alone to its end.
 * One bucket more per side leaves it a choice, at the price of holding pending batches for 9 cells instead
 * of 4 (measured: docs/decisions/0005-event-write-grid.md).
 */
export const gridFor = (writeLanes: number): number => writeLanes + 1;

/**
 * Writes records held in memory in batches of `batchSize` per cell of the write grid, `lanes` transactions
 * at a time on disjoint cells. After a batch fails, the batches not yet started are skipped and the failure
 * is thrown once the running ones have ended; batches written before it stay.
 */
export async function writeThroughGrid<T>(
  records: readonly T[],
  options: { keysOf: (record: T) => readonly string[]; batchSize: number; lanes?: number },
  write: (batch: T[]) => Promise<void>,
): Promise<void> {
  const lanes = Math.max(1, options.lanes ?? DEFAULT_WRITE_LANES);
  const grid = gridFor(lanes);
  const cells = new Map<number, { buckets: string[]; records: T[] }>();
  for (const record of records) {
    const { index, buckets } = cellOf(options.keysOf(record), grid);
    let cell = cells.get(index);
    if (!cell) cells.set(index, (cell = { buckets, records: [] }));
    cell.records.push(record);
  }
  // Batches queue round-robin over the cells, so that every cell has one ready when a lane frees.
  const queues = [...cells.values()].map((cell) => ({ buckets: cell.buckets, batches: batchesOf(cell.records, options.batchSize) }));
  const scheduler = new CellScheduler(lanes);
  let failure: unknown = null;
  const jobs: Promise<void>[] = [];
  for (let round = 0; queues.some((queue) => round < queue.batches.length); round += 1) {
    for (const { buckets, batches } of queues) {
      const batch = batches[round];
      if (batch === undefined) continue;
      const job = scheduler.run(buckets, async () => {
        if (failure === null) await write(batch);
      });
      jobs.push(job.catch((error: unknown) => void (failure ??= error)));
    }
  }
  await Promise.all(jobs);
  if (failure !== null) throw failure;
}

function batchesOf<T>(records: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < records.length; start += size) batches.push(records.slice(start, start + size));
  return batches;
}
