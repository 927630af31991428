import type { Graph, Transaction } from './graph.js';

/**
 * Tells processes that keep the catalogue in memory (the API's ranking snapshot, rules and shared rows)
 * that another process changed it: every transaction that creates or changes categories, brands, products,
 * merchandiser relations or rules (ingestion and the API's mutations alike) bumps the version of one
 * `(:CatalogueChange {id: 'catalogue'})` node, and each API process polls that version (one index seek).
 * A process clears its own memory at once after its own edits, and its watcher skips the versions it
 * wrote itself, so several API processes behind a balancer see each other's edits within a poll.
 */

const BUMP = `
MERGE (c:CatalogueChange {id: 'catalogue'})
SET c.version = coalesce(c.version, 0) + 1, c.at = timestamp()
RETURN c.version AS version`;

const READ = "OPTIONAL MATCH (c:CatalogueChange {id: 'catalogue'}) RETURN c.version AS version";

/** Bumps the marker inside `tx`; returns the version it will have once `tx` commits. */
export async function recordCatalogueChange(tx: Transaction): Promise<number> {
  const [row] = await tx.run<{ version: number }>(BUMP);
  if (!row) throw new Error('the catalogue change marker was not written');
  return row.version;
}

/** The catalogue's version: 0 before any recorded change. */
export async function catalogueVersion(graph: Graph): Promise<number> {
  const [row] = await graph.read<{ version: number | null }>(READ);
  return row?.version ?? 0;
}

export interface CatalogueWatch {
  /** A version this process wrote (after its transaction committed): the watcher does not report it. */
  recordedHere(version: number): void;
  stop(): void;
}

/**
 * Polls the catalogue's version every `intervalMs` and calls `onChange` when it moved since the last look
 * (not for the first look) by a version some other process wrote. Versions grow by one per change, so
 * whether every version in between was this process's own is a count.
 */
export function watchCatalogue(graph: Graph, intervalMs: number, onChange: () => void, onError: (error: Error) => void): CatalogueWatch {
  let last: number | null = null;
  let running = false;
  /** After stop(): a read still under way reports nothing (its connection may be closing). */
  let stopped = false;
  const own = new Set<number>();
  const changedElsewhere = (from: number, to: number): boolean => {
    // Moved back: the database was emptied or restored.
    if (to < from) return true;
    for (let version = from + 1; version <= to; version += 1) if (!own.has(version)) return true;
    return false;
  };
  const poll = () => {
    if (running) return; // a slow read is not stacked on
    running = true;
    catalogueVersion(graph)
      .then(
        (version) => {
          if (stopped) return;
          if (last !== null && version !== last && changedElsewhere(last, version)) onChange();
          last = version;
          for (const seen of own) if (seen <= version) own.delete(seen);
        },
        (error: Error) => {
          if (!stopped) onError(error);
        },
      )
      .finally(() => {
        running = false;
      });
  };
  // The first read goes out at once, before the caller loads what the marker guards: an edit committed
  // after that load is then always a change. Read only after the first interval, the baseline could
  // already include an edit that the loaded snapshot missed, which would then serve until its TTL.
  poll();
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return {
    recordedHere: (version) => {
      // Already seen (the poll came first): nothing to skip.
      if (last === null || version > last) own.add(version);
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
