import type { Graph } from '../graph/graph.js';
import { decayTau, readPopularity, type PopularityRow } from '../graph/shopReads.js';
import { CatalogueSnapshot, scoreProducts, servedPopularity } from './catalogueSnapshot.js';

/**
 * Keeps a snapshot's popularity current from the behaviour change feed, without aggregating every
 * behaviour relationship again. Reading all of them costs Neo4j a full scan per reload, seconds of a core
 * at a large shop, and on a small host the serving threads feel it (decision 0028). Between two reads a
 * product's decayed popularity only changes by the common factor e^(−ΔT/τ) as the reference time T
 * moves, unless its own behaviour changed: so only the products the feed names are read again, and the
 * rest are scaled. The result equals a full read (test/ranking/popularityRefresh.test.ts), short of
 * writes that bypass the feed, which the ranker's periodic full load catches.
 */

/**
 * The next snapshot: `changed` products read again, every other product's popularity scaled to the new
 * reference time. Null when `previous` has no reference time to scale from (built offline): load it whole.
 * Products the snapshot does not hold are left out; a new product is a catalogue change, which reloads all.
 * `keepPositions`: every product keeps its position in `previous` rather than moving to its new place in
 * the popularity order, so that arrays indexed by position (a ranking state's) stay valid as they are.
 */
export async function refreshPopularity(
  graph: Graph,
  previous: CatalogueSnapshot,
  changed: ReadonlySet<string>,
  now: number,
  { keepPositions = false }: { keepPositions?: boolean } = {},
): Promise<CatalogueSnapshot | null> {
  const previousReference = previous.popularityReference;
  if (previousReference === null) return null;
  const productIds = [...changed].filter((id) => previous.byId.has(id));
  const parameters = servedPopularity(now);
  const read = productIds.length > 0 ? await readPopularity(graph, parameters, { productIds, previousReference }) : { reference: previousReference, rows: [] };
  const shift = read.reference - previousReference;
  const factor = Math.exp(-shift / decayTau(parameters.halfLifeMs));
  const recentFactor = Math.exp(-shift / decayTau(parameters.recentHalfLifeMs));
  const fresh = new Map(read.rows.map((row) => [row.id, row]));
  const rows = previous.products.map((product): PopularityRow => {
    const row = fresh.get(product.id);
    if (row) return row;
    // Named fields rather than a spread: see scoreProducts.
    return {
      id: product.id,
      title: product.title,
      categoryId: product.categoryId,
      brandId: product.brandId,
      price: product.price,
      inStock: product.inStock,
      popularity: product.popularity * factor,
      recentPopularity: product.recentPopularity * recentFactor,
      purchases: product.purchases,
    };
  });
  return new CatalogueSnapshot(scoreProducts(rows), previous.categoryRows, previous.brandNames, now, read.reference, keepPositions ? 'as-given' : 'by-popularity');
}
