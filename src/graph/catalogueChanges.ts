import type { Graph, Transaction } from './graph.js';

/**
 * Tells processes that keep the catalogue in memory (the API's ranking snapshot and shared rows) that
 * another process changed it: every ingestion transaction that creates or changes categories, brands,
 * products or merchandiser relations bumps the version of one `(:CatalogueChange {id: 'catalogue'})` node,
 * and the API polls that version (one index seek). The API's own edits clear its memory directly.
 */

const BUMP = `
MERGE (c:CatalogueChange {id: 'catalogue'})
SET c.version = coalesce(c.version, 0) + 1, c.at = timestamp()`;

const READ = "OPTIONAL MATCH (c:CatalogueChange {id: 'catalogue'}) RETURN c.version AS version";

export async function recordCatalogueChange(tx: Transaction): Promise<void> {
  await tx.run(BUMP);
}

/** The catalogue's version: 0 before any recorded change. */
export async function catalogueVersion(graph: Graph): Promise<number> {
  const [row] = await graph.read<{ version: number | null }>(READ);
  return row?.version ?? 0;
}

/**
 * Polls the catalogue's version every `intervalMs` and calls `onChange` when it moved since the last look
 * (not for the first look). Returns a function that stops polling.
 */
export function watchCatalogue(graph: Graph, intervalMs: number, onChange: () => void, onError: (error: Error) => void): () => void {
  let last: number | null = null;
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow read is not stacked on
    running = true;
    catalogueVersion(graph)
      .then((version) => {
        if (last !== null && version !== last) onChange();
        last = version;
      }, onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
