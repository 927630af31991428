import neo4j from 'neo4j-driver';
import type { Graph, Transaction } from './graph.js';

/**
 * Merchandising rules as `(:MerchRule)` nodes: pin a product to a position, boost its score or bury it,
 * for a category (and the categories below it) or for a normalised search query. A rule names its product
 * and category by id rather than by relationship, so a rule outlives neither silently: the ranker simply
 * finds no such product or category, and deleting a category removes its rules.
 */

export type RuleAction = 'pin' | 'boost' | 'bury';
export type RuleScope = 'category' | 'query';

export interface MerchRuleData {
  id: string;
  action: RuleAction;
  productId: string;
  /** 1-based position of a pin; null for other actions. */
  position: number | null;
  /** Score factor of a boost (> 1); null for other actions. */
  factor: number | null;
  scope: RuleScope;
  /** The category of a category rule. */
  categoryId: string | null;
  /** The normalised query text of a query rule. */
  query: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  createdBy: string;
  /** Epoch milliseconds; null for a rule that does not expire. */
  expiresAt: number | null;
  /** The named rule set it belongs to (src/domain/ruleSets.ts); null or absent for the shop's rules, which apply everywhere. */
  ruleSet?: string | null | undefined;
}

const RULE_FIELDS = `r.id AS id, r.action AS action, r.productId AS productId, r.position AS position, r.factor AS factor,
  r.scope AS scope, r.categoryId AS categoryId, r.query AS query, r.createdAt AS createdAt, r.createdBy AS createdBy,
  r.expiresAt AS expiresAt, r.ruleSet AS ruleSet`;

const int = (value: number | null) => (value === null ? null : neo4j.int(value));

// One rule per product, target and rule set: a new pin, boost or bury replaces whatever the product had there.
const REPLACE_RULE = `
OPTIONAL MATCH (old:MerchRule {productId: $productId, scope: $scope})
  WHERE ((old.scope = 'category' AND old.categoryId = $categoryId) OR (old.scope = 'query' AND old.query = $query))
    AND coalesce(old.ruleSet, '') = coalesce($ruleSet, '')
WITH collect(old) AS olds
WITH olds, [o IN olds | {id: o.id, action: o.action, position: o.position, factor: o.factor, expiresAt: o.expiresAt}] AS replaced
FOREACH (o IN olds | DELETE o)
CREATE (r:MerchRule {id: $id, action: $action, productId: $productId, position: $position, factor: $factor, scope: $scope,
                     categoryId: $categoryId, query: $query, createdAt: $createdAt, createdBy: $createdBy, expiresAt: $expiresAt,
                     ruleSet: $ruleSet})
RETURN replaced`;

export interface ReplacedRule {
  id: string;
  action: RuleAction;
  position: number | null;
  factor: number | null;
  expiresAt: number | null;
}

/** Stores a rule in the caller's transaction, replacing the product's rule for the same target; returns those replaced. */
export async function writeRule(tx: Transaction, rule: MerchRuleData): Promise<ReplacedRule[]> {
  const [row] = await tx.run<{ replaced: ReplacedRule[] }>(REPLACE_RULE, {
    ...rule,
    ruleSet: rule.ruleSet ?? null,
    position: int(rule.position),
    createdAt: neo4j.int(rule.createdAt),
    expiresAt: int(rule.expiresAt),
  });
  return row?.replaced ?? [];
}

const DELETE_RULE = `
MATCH (r:MerchRule {id: $id})
WITH r, {id: r.id, action: r.action, productId: r.productId, position: r.position, factor: r.factor, scope: r.scope,
         categoryId: r.categoryId, query: r.query, createdAt: r.createdAt, createdBy: r.createdBy, expiresAt: r.expiresAt,
         ruleSet: r.ruleSet} AS removed
DELETE r
RETURN removed`;

/** Deletes a rule; returns it, or null when there was none. */
export async function deleteRule(tx: Transaction, id: string): Promise<MerchRuleData | null> {
  const [row] = await tx.run<{ removed: MerchRuleData }>(DELETE_RULE, { id });
  return row?.removed ?? null;
}

const DELETE_CATEGORY_RULES = `
MATCH (r:MerchRule {scope: 'category', categoryId: $categoryId})
WITH collect(r) AS rules
FOREACH (r IN rules | DELETE r)
RETURN size(rules) AS deleted`;

/** Deletes every rule of a category (the category is being deleted); returns how many. */
export async function deleteCategoryRules(tx: Transaction, categoryId: string): Promise<number> {
  const [row] = await tx.run<{ deleted: number }>(DELETE_CATEGORY_RULES, { categoryId });
  return row?.deleted ?? 0;
}

// Expired rules are left out: the ranker has no use for them (it checks expiry again as time passes).
const READ_LIVE_RULES = `
MATCH (r:MerchRule) WHERE r.expiresAt IS NULL OR r.expiresAt > $now
RETURN ${RULE_FIELDS}
ORDER BY r.createdAt DESC, r.id`;

/** Every rule that has not expired: what the ranker caches (a shop has hundreds, not millions). */
export async function readLiveRules(graph: Graph, now: number = Date.now()): Promise<MerchRuleData[]> {
  return graph.read<MerchRuleData & Record<string, unknown>>(READ_LIVE_RULES, { now: neo4j.int(now) });
}

// The category's own rules and its ancestors' (all apply to it); the walk up ends at the root.
const READ_RULES_FOR = `
OPTIONAL MATCH (:Category {id: $categoryId})-[:SUBCATEGORY_OF*0..]->(a:Category)
WITH collect(a.id) AS categories
MATCH (r:MerchRule)
WHERE ($categoryId IS NULL AND $query IS NULL)
   OR (r.scope = 'category' AND r.categoryId IN categories)
   OR (r.scope = 'query' AND r.query = $query)
RETURN ${RULE_FIELDS}
ORDER BY r.scope, r.categoryId, r.query, r.createdAt DESC, r.id`;

/**
 * Rules, expired ones included: those that apply to a category (its own and its ancestors'), those of a
 * normalised query, both, or every rule when neither is given.
 */
export async function readRules(graph: Graph, target: { categoryId?: string | undefined; query?: string | undefined }): Promise<MerchRuleData[]> {
  return graph.read<MerchRuleData & Record<string, unknown>>(READ_RULES_FOR, { categoryId: target.categoryId ?? null, query: target.query ?? null });
}

const DELETE_PRODUCT_RULES = `
MATCH (r:MerchRule {productId: $productId})
WITH collect(r) AS rules
FOREACH (r IN rules | DELETE r)
RETURN size(rules) AS deleted`;

/** Deletes every rule of a product (the product is being deleted); returns how many. */
export async function deleteProductRules(tx: Transaction, productId: string): Promise<number> {
  const [row] = await tx.run<{ deleted: number }>(DELETE_PRODUCT_RULES, { productId });
  return row?.deleted ?? 0;
}
