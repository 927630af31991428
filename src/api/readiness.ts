/**
 * Whether the API is ready for traffic: its ranker has loaded its state (catalogue, model vectors, neighbour
 * lists) and rules once. The API answers before then, but the first requests wait seconds for that load; a
 * load balancer that routes by `GET /ready` sends none until it is done. A failed warm-up (Neo4j out of
 * reach at start, say) is tried again by the next `/ready` probe, not by a timer of its own: the prober's
 * interval paces the retries, and a server stopping has none in flight.
 */
export class Readiness {
  private ready = false;
  private warming: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly warmUp: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts a warm-up unless one is under way or done. */
  start(): void {
    if (this.ready || this.warming || this.stopped) return;
    this.warming = this.warmUp().then(
      () => {
        this.ready = true;
      },
      (error: unknown) => this.onError(error),
    ).finally(() => {
      this.warming = null;
    });
  }

  /** Ready now; if not, and no warm-up is under way, one starts (the probe is the retry). */
  probe(): boolean {
    if (!this.ready) this.start();
    return this.ready;
  }

  stop(): void {
    this.stopped = true;
  }
}
