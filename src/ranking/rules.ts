import { SnapshotCache } from './catalogueSnapshot.js';
import type { MerchRuleData } from '../graph/merchRules.js';
import type { RankedItem, Reason } from './types.js';

/**
 * Merchandising rules applied to a ranked list: pure functions over RankedItems and the rules data, so
 * every ranker applies them the same way (see PopularityRanker.recommend and .search):
 *
 *   const applicable = selectRules(ruleSet, { categoryPath, query, now });
 *   const candidates = rank(first + applicable.overfetch);   // the ranker's own list, best first
 *   const items = applyRules(candidates, applicable, { first, lookup });
 *
 * - A category rule applies to requests filtered by that category or by any category below it; a query
 *   rule to searches whose normalised text (lowercased, trimmed, spaces collapsed) equals its query.
 * - Per product only the most specific applicable rule counts: a query rule, then the rule of the nearest
 *   category (the filter's own, then its parent, ...), then the newest.
 * - Bury: the item moves below every unburied item (it stays in the list, so a page that only has buried
 *   products left still fills); with `overfetch` extra candidates it falls off a full page.
 * - Boost: the product's place among its peers (the unpinned, unburied items, in the ranker's order) is
 *   divided by the factor: factor 2 takes the 10th to the 5th place, a tie goes to the boosted product. Places,
 *   not scores, because fused scores are standardised sums that are often negative, and a negative score
 *   multiplied by a factor would fall. The other items keep the ranker's order (diversity included). A
 *   boosted product that was not among the candidates is looked up and enters one place below the last
 *   candidate. A boosted item keeps its own score, as a pinned one does.
 * - Pin: the item is moved to (or, when it was not a candidate, looked up and inserted at) its 1-based
 *   position; pins sharing a position keep their precedence and take the following places. A list shorter
 *   than the position gets the pinned item last. A pinned item keeps its own score, so scores need not
 *   descend past a pin.
 */

export type MerchRule = MerchRuleData;

/** How a search text is compared with query rules: lowercased, trimmed, runs of whitespace collapsed. */
export function normaliseQuery(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

export const PINNED_REASON: Reason = { kind: 'PINNED', text: 'featured by the shop' };
export const BOOSTED_REASON: Reason = { kind: 'BOOSTED', text: 'promoted by the shop' };

/** Rules indexed by their target, built once per load and shared by every request. */
export class RuleSet {
  private readonly byCategory = new Map<string, MerchRule[]>();
  private readonly byQuery = new Map<string, MerchRule[]>();

  constructor(readonly rules: readonly MerchRule[]) {
    // Newest first within a target, so the first rule met for a product is the one that counts.
    const newestFirst = [...rules].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
    for (const rule of newestFirst) {
      const key = rule.scope === 'category' ? rule.categoryId : rule.query;
      if (key === null) continue;
      const index = rule.scope === 'category' ? this.byCategory : this.byQuery;
      const list = index.get(key) ?? [];
      list.push(rule);
      index.set(key, list);
    }
  }

  forCategory(categoryId: string): readonly MerchRule[] {
    return this.byCategory.get(categoryId) ?? [];
  }

  forQuery(normalisedQuery: string): readonly MerchRule[] {
    return this.byQuery.get(normalisedQuery) ?? [];
  }
}

export const EMPTY_RULES = new RuleSet([]);

export interface RuleContext {
  /** The request's category filter followed by its ancestors, nearest first; empty without a category filter. */
  categoryPath: readonly string[];
  /** The search text (normalised here); absent for recommendations. */
  query?: string | undefined;
  /** Rules that expired by this time are ignored. */
  now: number;
}

export interface ApplicableRules {
  /** Per product, the one rule that applies to it in this request. */
  readonly byProduct: ReadonlyMap<string, MerchRule>;
  /** Pins, in the order they take their places: position, then precedence. */
  readonly pins: readonly MerchRule[];
  /** Candidates a ranker should rank beyond `first`, so that buried products can leave a full page. */
  readonly overfetch: number;
}

export const NO_RULES: ApplicableRules = { byProduct: new Map(), pins: [], overfetch: 0 };

/** The rules that apply to one request, one per product, most specific first. */
export function selectRules(ruleSet: RuleSet, context: RuleContext): ApplicableRules {
  const byProduct = new Map<string, MerchRule>();
  const consider = (rules: readonly MerchRule[]) => {
    for (const rule of rules) {
      if (rule.expiresAt !== null && rule.expiresAt <= context.now) continue;
      if (!byProduct.has(rule.productId)) byProduct.set(rule.productId, rule);
    }
  };
  const query = context.query === undefined ? '' : normaliseQuery(context.query);
  if (query !== '') consider(ruleSet.forQuery(query));
  for (const categoryId of context.categoryPath) consider(ruleSet.forCategory(categoryId));
  if (byProduct.size === 0) return NO_RULES;
  const chosen = [...byProduct.values()];
  // A stable sort keeps precedence (the order rules were chosen in) among pins of the same position.
  const pins = chosen.filter((rule) => rule.action === 'pin').sort((a, b) => (a.position ?? 1) - (b.position ?? 1));
  const overfetch = chosen.filter((rule) => rule.action === 'bury').length;
  return { byProduct, pins, overfetch };
}

/**
 * Resolves a product the candidates did not include: a pinned one (it must pass the request's filter and
 * exclusions) or a boosted one (it must also be a legitimate candidate, e.g. match the search text). Null
 * when it cannot be shown. Rankers answer from memory: applying rules costs no query.
 */
export type RuleLookup = (productId: string, action: 'pin' | 'boost') => RankedItem | null;

export interface ApplyOptions {
  first: number;
  lookup: RuleLookup;
}

/** Applies the rules to candidates ranked best first; returns at most `first` items. */
export function applyRules(candidates: readonly RankedItem[], rules: ApplicableRules, options: ApplyOptions): RankedItem[] {
  if (rules.byProduct.size === 0) return candidates.slice(0, options.first);
  const present = new Map(candidates.map((item) => [item.productId, item]));
  const regular: RankedItem[] = [];
  const buried: RankedItem[] = [];
  for (const item of candidates) {
    const action = rules.byProduct.get(item.productId)?.action;
    if (action === 'pin') continue; // placed below
    if (action === 'bury') buried.push(item);
    else regular.push(item);
  }
  // Boosted products the ranker did not pick, best score first, enter below the last candidate.
  const lookedUp: RankedItem[] = [];
  for (const rule of rules.byProduct.values()) {
    if (rule.action !== 'boost' || present.has(rule.productId)) continue;
    const found = options.lookup(rule.productId, 'boost');
    if (found) lookedUp.push(found);
  }
  lookedUp.sort((a, b) => b.score - a.score);
  const ordered = [...boostPlaces([...regular, ...lookedUp], rules.byProduct), ...buried];
  let lastPinned = -1;
  for (const rule of rules.pins) {
    const item = present.get(rule.productId) ?? options.lookup(rule.productId, 'pin');
    if (!item) continue;
    const at = Math.min(ordered.length, Math.max((rule.position ?? 1) - 1, lastPinned + 1));
    ordered.splice(at, 0, { ...item, reasons: [PINNED_REASON, ...item.reasons.filter((reason) => reason.kind !== 'PINNED')] });
    lastPinned = at;
  }
  return ordered.slice(0, options.first);
}

/**
 * Reorders peers (best first) so that each boosted item's 1-based place is divided by its factor; the
 * others keep their places relative to each other. Whatever the sign of the scores, a boost only raises.
 */
function boostPlaces(peers: readonly RankedItem[], byProduct: ReadonlyMap<string, MerchRule>): RankedItem[] {
  const keyed = peers.map((item, index) => {
    const rule = byProduct.get(item.productId);
    const factor = rule?.action === 'boost' ? (rule.factor ?? 1) : 1;
    return { item: factor > 1 ? withBoostedReason(item) : item, place: (index + 1) / Math.max(1, factor), boosted: factor > 1, index };
  });
  keyed.sort((a, b) => a.place - b.place || Number(b.boosted) - Number(a.boosted) || a.index - b.index);
  return keyed.map((entry) => entry.item);
}

function withBoostedReason(item: RankedItem): RankedItem {
  return { ...item, reasons: [BOOSTED_REASON, ...item.reasons.filter((reason) => reason.kind !== 'BOOSTED')] };
}

export interface RuleCacheOptions {
  load: () => Promise<readonly MerchRule[]>;
  ttlMs: number;
  onError?: ((error: unknown) => void) | undefined;
  now?: () => number;
}

/**
 * Keeps the rules in memory with the catalogue snapshot's cache: an expired set serves while a fresh one
 * loads in the background; after `invalidate()` (a rule changed) requests wait for a set loaded after the
 * change. Concurrent requests share one load.
 */
export class RuleCache {
  private readonly cache: SnapshotCache<{ rules: RuleSet; loadedAt: number }>;

  constructor(options: RuleCacheOptions) {
    const now = options.now ?? Date.now;
    this.cache = new SnapshotCache({
      ttlMs: options.ttlMs,
      onError: options.onError,
      now,
      load: async () => {
        const loadedAt = now();
        return { rules: new RuleSet(await options.load()), loadedAt };
      },
    });
  }

  async get(): Promise<RuleSet> {
    return (await this.cache.get()).rules;
  }

  invalidate(): void {
    this.cache.invalidate();
  }
}
