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
