import type { Graph } from './graph.js';

/**
 * Bulk reads behind the ranker's in-memory state: each runs once per reload of that state, never per
 * request or per product.
 */

const READ_BASKET_PAIRS = `
MATCH (u:User)-[r]->(p:Product) WHERE type(r) IN $types
RETURN u.id AS userId, p.id AS productId`;

/** Each user's distinct products with any of the given behaviours: the material of "often bought together". */
export async function readBaskets(graph: Graph, types: readonly string[]): Promise<Map<string, Set<string>>> {
  const baskets = new Map<string, Set<string>>();
  for await (const [userId, productId] of graph.stream(READ_BASKET_PAIRS, { types: [...types] })) {
    const key = String(userId);
    const basket = baskets.get(key) ?? new Set<string>();
    basket.add(String(productId));
    baskets.set(key, basket);
  }
  return baskets;
}

export interface ProductLink {
  from: string;
  to: string;
  type: string;
  weight: number;
}

const READ_PRODUCT_LINKS = `
MATCH (a:Product)-[r]->(b:Product) WHERE type(r) IN $types
RETURN a.id AS from, b.id AS to, type(r) AS type, toFloat(coalesce(r.weight, 1.0)) AS weight`;

/** Every merchandiser relation of the given types. */
export async function readProductLinks(graph: Graph, types: readonly string[]): Promise<ProductLink[]> {
  if (types.length === 0) return [];
  return graph.read<ProductLink & Record<string, unknown>>(READ_PRODUCT_LINKS, { types: [...types] });
}

export interface ProductTextRow {
  id: string;
  title: string;
  description: string | null;
}

const READ_TEXTS = `
MATCH (p:Product) WHERE p.id IN $ids
RETURN p.id AS id, coalesce(p.title, '') AS title, p.description AS description`;

/** Titles and descriptions of the given products (e.g. those newer than the model, or those a reason names). */
export async function readProductTextsById(graph: Graph, ids: readonly string[]): Promise<ProductTextRow[]> {
  if (ids.length === 0) return [];
  return graph.read<ProductTextRow & Record<string, unknown>>(READ_TEXTS, { ids: [...new Set(ids)] });
}

const READ_ALL_TEXTS = `
MATCH (p:Product)
RETURN p.id AS id, coalesce(p.title, '') AS title, p.description AS description`;

/** Every product's title and description, streamed (what a sentence encoder reads). */
export async function readAllProductTexts(graph: Graph): Promise<Map<string, ProductTextRow>> {
  const texts = new Map<string, ProductTextRow>();
  for await (const [id, title, description] of graph.stream(READ_ALL_TEXTS)) {
    texts.set(String(id), { id: String(id), title: String(title), description: typeof description === 'string' ? description : null });
  }
  return texts;
}

const READ_PRODUCT_TERMS = `
MATCH (p:Product)-[:HAS_TERM]->(t:Term)
RETURN p.id AS productId, collect(t.id) AS terms`;

/** Every product's terms (as refreshed before training). */
export async function readAllProductTerms(graph: Graph): Promise<Map<string, string[]>> {
  const terms = new Map<string, string[]>();
  for await (const [productId, list] of graph.stream(READ_PRODUCT_TERMS)) terms.set(String(productId), (list as unknown[]).map(String));
  return terms;
}

/* ---------- offline evaluation reads ---------- */

export interface CatalogueProductRow {
  id: string;
  title: string;
  description: string | null;
  categoryId: string | null;
  brandId: string | null;
  price: number | null;
  inStock: boolean;
}

const READ_CATALOGUE_PRODUCTS = `
MATCH (p:Product)
RETURN p.id AS id, coalesce(p.title, '') AS title, p.description AS description,
  COLLECT { MATCH (p)-[:IN_CATEGORY]->(c:Category) RETURN c.id LIMIT 1 }[0] AS categoryId,
  COLLECT { MATCH (p)-[:HAS_BRAND]->(b:Brand) RETURN b.id LIMIT 1 }[0] AS brandId,
  p.price AS price, coalesce(p.inStock, true) AS inStock
ORDER BY p.id`;

/** Every product with its text, category, brand, price and stock, in id order. */
export async function readCatalogueProducts(graph: Graph): Promise<CatalogueProductRow[]> {
  const rows: CatalogueProductRow[] = [];
  for await (const [id, title, description, categoryId, brandId, price, inStock] of graph.stream(READ_CATALOGUE_PRODUCTS)) {
    rows.push({
      id: String(id),
      title: String(title),
      description: typeof description === 'string' ? description : null,
      categoryId: categoryId === null ? null : String(categoryId),
      brandId: brandId === null ? null : String(brandId),
      price: typeof price === 'number' ? price : null,
      inStock: inStock !== false,
    });
  }
  return rows;
}

export interface EventRowForEval {
  userId: string;
  productId: string;
  type: string;
  timestamp: number;
}

// Held-out benchmark events (split 'test', from `kgrec ingest-kgat`) stay out: a time split is made here.
const READ_EVENTS = `
MATCH (e:Event) WHERE e.productId IS NOT NULL AND coalesce(e.split, 'train') <> 'test'
RETURN e.userId AS userId, e.productId AS productId, e.type AS type, toFloat(e.timestamp) AS timestamp`;

/** The raw behaviour log, streamed. */
export async function* streamEvents(graph: Graph): AsyncGenerator<EventRowForEval> {
  for await (const [userId, productId, type, timestamp] of graph.stream(READ_EVENTS)) {
    yield { userId: String(userId), productId: String(productId), type: String(type), timestamp: Number(timestamp) };
  }
}

// Product attributes (HAS_ATTRIBUTE) are KG triples like any other, their key the relation (decision 0019).
const READ_KNOWLEDGE_GRAPH = `
MATCH (h)-[r:KG_RELATION]->(t)
WHERE (h:Product OR h:Entity) AND (t:Product OR t:Entity)
RETURN CASE WHEN h:Product THEN 'Product' ELSE 'Entity' END AS headLabel, h.id AS head, r.relation AS relation,
       CASE WHEN t:Product THEN 'Product' ELSE 'Entity' END AS tailLabel, t.id AS tail
UNION ALL
MATCH (h:Product)-[r:HAS_ATTRIBUTE]->(t:Attribute)
RETURN 'Product' AS headLabel, h.id AS head, r.key AS relation, 'Attribute' AS tailLabel, t.id AS tail`;

export type KnowledgeGraphLabel = 'Product' | 'Entity' | 'Attribute';

/** One knowledge-graph triple (KG_RELATION or HAS_ATTRIBUTE) with the label of each end. */
export interface KnowledgeGraphRow {
  headLabel: KnowledgeGraphLabel;
  head: string;
  relation: string;
  tailLabel: KnowledgeGraphLabel;
  tail: string;
}

const labelOf = (value: unknown): KnowledgeGraphLabel => (value === 'Product' || value === 'Attribute' ? value : 'Entity');

/** Streams every knowledge-graph triple (product attributes and the entities around products). */
export async function* streamKnowledgeGraph(graph: Graph): AsyncGenerator<KnowledgeGraphRow> {
  for await (const [headLabel, head, relation, tailLabel, tail] of graph.stream(READ_KNOWLEDGE_GRAPH)) {
    yield { headLabel: labelOf(headLabel), head: String(head), relation: String(relation), tailLabel: labelOf(tailLabel), tail: String(tail) };
  }
}
