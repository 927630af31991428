import type { BatchResult, KindHandler, Located, WriteContext } from './kinds.js';
import { CellScheduler, cellOf } from './writeCells.js';

/** How far reading had got: a batch reports the point at which it was sent, once it has committed. */
export interface ReadProgress {
  bytesRead: number;
  records: number;
}

/** The records of one cell of the write grid (see writeCells.ts): its next batch and the one being written. */
interface Lane {
  batch: Located<unknown>[];
  pending: Promise<void>;
  /** Buckets this cell holds while it writes; empty for kinds written by a single lane. */
  buckets: string[];
}

export interface LaneWriterOptions {
  handler: KindHandler<unknown>;
  ctx: WriteContext;
  /** Validate only: batches are dropped, never written. */
  dryRun: boolean;
  batchSize: number;
  /** Concurrent write transactions (1 for kinds without conflict keys); cells of a `grid` × `grid` grid. */
  writeLanes: number;
  grid: number;
  /** Read, not copied, when a batch is sent. */
  progress: Readonly<ReadProgress>;
  onCommitted(batch: Located<unknown>[], result: BatchResult, reached: ReadProgress): void;
  /** Batches committed so far, to number the one that failed. */
  committedBatches(): number;
}

/**
 * Writes validated records in batches of `batchSize`, one transaction each, spread over the cells of the
 * write grid so that concurrent transactions never lock the same nodes. One batch per lane is in flight; a
 * failed batch in any lane stops the run.
 */
export class LaneWriter {
  private readonly lanes = new Map<number, Lane>();
  private readonly scheduler: CellScheduler;
  private failure: Error | null = null;

  constructor(private readonly options: LaneWriterOptions) {
    this.scheduler = new CellScheduler(options.writeLanes);
  }

  /** Adds a record to its lane's batch, and writes that batch once it is full. */
  async add(item: Located<unknown>): Promise<void> {
    const lane = this.laneOf(item.value);
    lane.batch.push(item);
    if (lane.batch.length >= this.options.batchSize) {
      const full = lane.batch;
      lane.batch = [];
      await this.write(lane, full);
    }
  }

  /** Writes records in this order, in batches of `batchSize`, through a single lane. */
  async addInOrder(items: readonly Located<unknown>[]): Promise<void> {
    const lane = this.laneOf(undefined);
    for (let start = 0; start < items.length; start += this.options.batchSize) {
      await this.write(lane, items.slice(start, start + this.options.batchSize));
    }
  }

  /** Writes every lane's last, partly filled batch and waits until every batch has committed. */
  async finish(): Promise<void> {
    for (const lane of this.lanes.values()) await this.write(lane, lane.batch);
    await Promise.all([...this.lanes.values()].map((lane) => lane.pending));
  }

  /** Waits for the batches in flight to end, whether they commit or fail (after a failure elsewhere). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.lanes.values()].map((lane) => lane.pending));
  }

  private laneOf(value: unknown): Lane {
    const { handler, writeLanes, grid } = this.options;
    const { index, buckets } = writeLanes > 1 && handler.conflictKeys ? cellOf(handler.conflictKeys(value), grid) : { index: 0, buckets: [] };
    let lane = this.lanes.get(index);
    if (!lane) this.lanes.set(index, (lane = { batch: [], pending: Promise.resolve(), buckets }));
    return lane;
  }

  private async write(lane: Lane, batch: Located<unknown>[]): Promise<void> {
    if (this.failure) throw this.failure; // a failed batch in any lane stops the run
    const { dryRun, handler, ctx } = this.options;
    if (dryRun || batch.length === 0) return;
    await lane.pending; // one batch in flight per lane: keeps memory flat and each lane's writes in order
    const reached = { ...this.options.progress };
    lane.pending = this.scheduler.run(lane.buckets, () => handler.writeBatch(batch, ctx)).then(
      (result: BatchResult) => this.options.onCommitted(batch, result, reached),
      (error: unknown) => {
        this.failure = batchFailure(this.options.committedBatches() + 1, batch, error);
        throw this.failure;
      },
    );
    // Marks the failure as handled until the next `await` of this lane rethrows it (else Node would exit on it).
    lane.pending.catch(() => undefined);
  }
}

function batchFailure(number: number, batch: Located<unknown>[], error: unknown): Error {
  const first = batch[0] as Located<unknown>;
  const last = batch[batch.length - 1] as Located<unknown>;
  const where = first.file === last.file ? `${first.file}:${first.line}-${last.line}` : `${first.file}:${first.line} to ${last.file}:${last.line}`;
  return new Error(`batch ${number} (${where}, ${batch.length} records) failed and was rolled back, nothing of it was written: ${(error as Error).message}`);
}
