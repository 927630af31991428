/**
 * The times that behaviour decays from. Decay is measured from the newest behaviour, so that historic data
 * keeps its own scale, but never from later than the server's clock, and a time after the reference counts
 * as the reference: a future-dated behaviour (written around validation, by hand or by an older version)
 * would otherwise decay everything else to nothing, or weigh e^(age/τ) times its worth, without bound.
 * PRODUCT_POPULARITY (src/graph/shopReads.ts) applies the same rule in Cypher.
 */

/** The newest of `times`, but not later than `now`; 0 when there are none. */
export function decayReference(times: Iterable<number>, now: number): number {
  let newest = 0;
  for (const time of times) if (time > newest) newest = time;
  return Math.min(newest, now);
}

/** How long before `reference` a behaviour at `at` happened; none when it is later. */
export const ageAt = (reference: number, at: number): number => Math.max(0, reference - at);
