import { HIDDEN_RELATIONSHIP } from '../domain/behaviours.js';
import { rulesOfSet } from '../domain/ruleSets.js';
import type { Graph } from '../graph/graph.js';
import { readLiveRules } from '../graph/merchRules.js';
import { nearestProducts } from '../graph/shopReads.js';
import { FullTextReader, fullTextCacheFor, ProfileReader } from '../graph/batchedReads.js';
import type { ProfileCacheOptions } from '../graph/profileCache.js';
import { loadCatalogueSnapshot, SnapshotCache, type CatalogueProduct, type CatalogueSnapshot } from './catalogueSnapshot.js';
import { bestScored, keptProducts, productSelector } from './bestProducts.js';
import { score, toRankedItem, type ExplainContext, type Scored, type Weights } from './explain.js';
import { compileFilter } from './filter.js';
import { toLuceneQuery } from './lucene.js';
import { buildProfile, type UserProfile } from './profile.js';
import { applyRules, RuleCache, selectRules, type RuleLookup } from './rules.js';
import type { RankedList, Ranker, RankOptions, RecommendOptions, SearchOptions } from './types.js';
import {
  DEFAULT_SNAPSHOT_TTL_MS,
  RECOMMEND_WEIGHTS,
  SEARCH_CANDIDATES,
  SEARCH_WEIGHTS,
  SIMILAR_OVERFETCH,
  SIMILAR_WEIGHTS,
} from './weights.js';

export interface PopularityRankerOptions {
  graph: Graph;
  /** The active embedding model's version, reported with lists ranked by embeddings. */
  modelVersion?: () => Promise<string | null>;
  /** How long a catalogue snapshot serves before it is reloaded in the background. */
  snapshotTtlMs?: number;
  /** Failures of background reloads (the previous snapshot keeps serving). */
  onError?: (error: unknown) => void;
  /** Keeps users' behaviour in memory until it changes (src/graph/profileCache.ts); read per request without. */
  profileCache?: ProfileCacheOptions | undefined;
  /**
   * False: `recommend` gives every user the list an unknown visitor gets (the shop's popular products), the
   * plain baseline an experiment compares personalised rankings with; only the products the user hid stay
   * out, as the shopper was promised. Default true.
   */
  personalise?: boolean;
  /** The merchandising rules applied (src/domain/ruleSets.ts): absent, the shop's own. */
  ruleSet?: string | undefined;
}

/**
 * Time-decayed popularity from the behaviour aggregates, personalised by the user's interest in categories
 * and brands, without the products they already bought. Per request it costs one query for the user's
 * behaviour (plus one for the text or vector match in search and similarProducts); popularity, categories
 * and brands come from a shared in-memory snapshot.
 */
export class PopularityRanker implements Ranker {
  private readonly snapshots: SnapshotCache;
  /** Merchandising rules, cached beside the snapshot and applied by src/ranking/rules.ts. */
  private readonly rules: RuleCache;
  /** Each request's read of its user's behaviour, batched with the requests arriving beside it. */
  private readonly profiles: ProfileReader;
  private readonly fullText: FullTextReader;

  constructor(private readonly options: PopularityRankerOptions) {
    this.profiles = new ProfileReader(options.graph, { cache: options.profileCache });
    this.fullText = new FullTextReader(options.graph, { cache: fullTextCacheFor(options.snapshotTtlMs ?? DEFAULT_SNAPSHOT_TTL_MS) });
    this.snapshots = new SnapshotCache({
      ttlMs: options.snapshotTtlMs ?? DEFAULT_SNAPSHOT_TTL_MS,
      load: () => loadCatalogueSnapshot(options.graph),
      onError: options.onError,
    });
    this.rules = new RuleCache({
      ttlMs: options.snapshotTtlMs ?? DEFAULT_SNAPSHOT_TTL_MS,
      load: async () => rulesOfSet(await readLiveRules(options.graph), options.ruleSet),
      onError: options.onError,
    });
  }

  behaviourChanged(userIds: readonly string[]): void {
    this.profiles.invalidate(userIds);
  }

  /** Stops the profile cache's polling. */
  close(): void {
    this.profiles.close();
  }

  invalidate(): void {
    this.snapshots.invalidate();
    this.fullText.clear();
  }

  invalidateRules(): void {
    this.rules.invalidate();
  }

  async warmUp(): Promise<void> {
    await Promise.all([this.snapshots.get(), this.rules.get()]);
  }

  async recommend(userId: string, options: RecommendOptions): Promise<RankedList> {
    const [snapshot, history, ruleSet] = await Promise.all([this.snapshots.get(), this.profiles.read(userId), this.rules.get()]);
    const rows = this.options.personalise === false ? history.filter((row) => row.relationship === HIDDEN_RELATIONSHIP) : history;
    const profile = buildProfile(rows, snapshot);
    // Reasons describe the user's behaviour only to callers allowed to see it (the ranking is the same).
    const told = options.revealHistory === false ? null : profile;
    const accept = compileFilter(options.filter, snapshot);
    const unseenOnly = options.unseenOnly ?? false;
    const excluded = new Set(options.exclude);
    const leftOut = (id: string): boolean => profile.excludes(id, unseenOnly) || excluded.has(id);
    const weights = RECOMMEND_WEIGHTS;
    const rules = selectRules(ruleSet, { categoryPath: snapshot.ancestry(options.filter?.categoryId ?? null), now: Date.now() });
    const wanted = options.first + rules.overfetch;
    // Products come most popular first: once even the largest personal lift cannot bring the next one above
    // the page's worst item, none after it can either. The score is plain arithmetic over arrays indexed by
    // category and brand; the filter and the purchases are checked only for products that would make the
    // page; only the page's items get their signals and reasons.
    const lift = weights.categoryAffinity * profile.maxCategoryInterest + weights.brandAffinity * profile.maxBrandInterest;
    const categoryInterest = profile.categoryInterestByIndex(snapshot);
    const brandInterest = profile.brandInterestByIndex(snapshot);
    const best = productSelector(wanted);
    for (let position = 0; best !== null && position < snapshot.products.length; position += 1) {
      const product = snapshot.products[position] as CatalogueProduct;
      const popularity = weights.popularity * product.popularityScore;
      const threshold = best.threshold;
      if (popularity + lift < threshold && snapshot.popularityOrdered) break;
      const total =
        popularity +
        weights.categoryAffinity * (categoryInterest[product.categoryIndex] ?? 0) +
        weights.brandAffinity * (brandInterest[product.brandIndex] ?? 0);
      if (total < threshold || !accept(product) || leftOut(product.id)) continue;
      best.consider(total, position);
    }
    const rank = (product: CatalogueProduct) =>
      toRankedItem(personalScore(product, { popularity: product.popularityScore }, weights, snapshot, profile), weights, { snapshot, profile: told }, Boolean(options.explain));
    const scored = keptProducts(best, snapshot.products).map((product) => personalScore(product, { popularity: product.popularityScore }, weights, snapshot, profile));
    const candidates = bestScored(scored, wanted).map((item) => toRankedItem(item, weights, { snapshot, profile: told }, Boolean(options.explain)));
    // Pinned and boosted products from outside the page qualify like any other: in the filter, not bought.
    const lookup: RuleLookup = (id) => {
      const product = snapshot.byId.get(id);
      return product && accept(product) && !leftOut(id) ? rank(product) : null;
    };
    return {
      items: applyRules(candidates, rules, { first: options.first, lookup }),
      strategy: profile.isEmpty ? 'popularity' : 'personalised-popularity',
      modelVersion: null,
    };
  }

  async search(text: string, options: SearchOptions): Promise<RankedList> {
    const lucene = toLuceneQuery(text);
    if (lucene === null) return { items: [], strategy: 'fulltext+popularity', modelVersion: null };
    const [snapshot, matches, rows, ruleSet] = await Promise.all([
      this.snapshots.get(),
      this.fullText.search(lucene, SEARCH_CANDIDATES),
      options.userId === undefined ? Promise.resolve([]) : this.profiles.read(options.userId),
      this.rules.get(),
    ]);
    const profile = options.userId === undefined ? null : buildProfile(rows, snapshot);
    const accept = compileFilter(options.filter, snapshot);
    // BM25 scores are unbounded and depend on the query; relative to the best match they compare across queries.
    const best = matches.reduce((max, match) => Math.max(max, match.score), 0);
    const scored: Scored[] = [];
    for (const match of matches) {
      const product = snapshot.byId.get(match.id);
      if (!product || !accept(product)) continue;
      const values = { textMatch: best > 0 ? match.score / best : 0, popularity: product.popularityScore };
      scored.push(personalScore(product, values, SEARCH_WEIGHTS, snapshot, profile));
    }
    const context: ExplainContext = { snapshot, profile: options.revealHistory === false ? null : profile, query: text.trim() };
    const explain = Boolean(options.explain);
    const rules = selectRules(ruleSet, { categoryPath: snapshot.ancestry(options.filter?.categoryId ?? null), query: text, now: Date.now() });
    const candidates = bestScored(scored, options.first + rules.overfetch).map((item) => toRankedItem(item, SEARCH_WEIGHTS, context, explain));
    // A boost only lifts a product that matches the text; a pin places its product even when it does not.
    const matched = new Map(scored.map((item) => [item.product.id, item]));
    const lookup: RuleLookup = (id, action) => {
      const match = matched.get(id);
      if (match) return toRankedItem(match, SEARCH_WEIGHTS, context, explain);
      const product = action === 'pin' ? snapshot.byId.get(id) : undefined;
      if (!product || !accept(product)) return null;
      return toRankedItem(personalScore(product, { textMatch: 0, popularity: product.popularityScore }, SEARCH_WEIGHTS, snapshot, profile), SEARCH_WEIGHTS, context, explain);
    };
    return {
      items: applyRules(candidates, rules, { first: options.first, lookup }),
      strategy: 'fulltext+popularity',
      modelVersion: null,
    };
  }

  async similar(productId: string, options: RankOptions): Promise<RankedList | null> {
    const [snapshot, nearest] = await Promise.all([
      this.snapshots.get(),
      nearestProducts(this.options.graph, productId, options.first * SIMILAR_OVERFETCH + 1),
    ]);
    if (nearest === null) return null;
    const accept = compileFilter(options.filter, snapshot);
    const explain = Boolean(options.explain);
    if (nearest.hasEmbedding && nearest.neighbours.length > 0) {
      const scored: Scored[] = [];
      for (const neighbour of nearest.neighbours) {
        const product = snapshot.byId.get(neighbour.id);
        if (!product || product.id === productId || !accept(product)) continue;
        // Neo4j reports cosine similarity as (1 + cos) / 2; back to the cosine, so unrelated products score near 0.
        const similarity = Math.max(0, 2 * neighbour.score - 1);
        scored.push(score(product, { similarity, popularity: product.popularityScore }, SIMILAR_WEIGHTS));
      }
      const context: ExplainContext = { snapshot, profile: null, sameCategory: nearest.categoryId };
      return {
        items: bestScored(scored, options.first).map((item) => toRankedItem(item, SIMILAR_WEIGHTS, context, explain)),
        strategy: 'embedding',
        modelVersion: (await this.options.modelVersion?.()) ?? null,
      };
    }
    return this.sameCategory(productId, nearest.categoryId, snapshot, options);
  }

  /**
   * Without an embedding: the most popular products of the same category, widened one level up the tree at
   * a time until the page can be filled.
   */
  private sameCategory(productId: string, categoryId: string | null, snapshot: CatalogueSnapshot, options: RankOptions): RankedList {
    const accept = compileFilter(options.filter, snapshot);
    const weights: Weights = { popularity: 1 };
    // The narrowest category (the product's own, then each ancestor) with enough other products to fill the page.
    let members: Set<string> | null = null;
    let scope: string | null = null;
    for (const level of snapshot.ancestry(categoryId)) {
      members = snapshot.subtree(level);
      scope = level;
      let count = 0;
      for (const p of snapshot.products) if (p.id !== productId && p.categoryId !== null && members.has(p.categoryId) && accept(p)) count += 1;
      if (count >= options.first) break;
    }
    const best = productSelector(options.first);
    for (let position = 0; best !== null && position < snapshot.products.length; position += 1) {
      const product = snapshot.products[position] as CatalogueProduct;
      // Most popular first, and popularity is the whole score here: the first products that qualify are the page.
      if (best.threshold > product.popularityScore && snapshot.popularityOrdered) break;
      const inScope = members === null || (product.categoryId !== null && members.has(product.categoryId));
      if (product.id !== productId && inScope && accept(product)) best.consider(product.popularityScore, position);
    }
    const scopeName = snapshot.categoryName(scope);
    const items = keptProducts(best, snapshot.products).map((product) => {
      const ranked = toRankedItem(score(product, { popularity: product.popularityScore }, weights), weights, { snapshot, profile: null }, Boolean(options.explain));
      if (scopeName) ranked.reasons.unshift({ kind: 'SAME_CATEGORY', text: `also in ${scopeName}` });
      return ranked;
    });
    return { items, strategy: scope === null ? 'popularity' : 'category-popularity', modelVersion: null };
  }
}

/** Adds the user's category and brand interest (when there is a profile) to a product's other signals. */
function personalScore(product: CatalogueProduct, values: Scored['values'], weights: Weights, snapshot: CatalogueSnapshot, profile: UserProfile | null): Scored {
  if (profile === null || profile.isEmpty) return score(product, values, weights);
  const category = profile.categoryInterest(product.categoryId, snapshot);
  const brand = profile.brandInterest(product.brandId);
  // Object.assign, not a spread followed by new keys: V8 would give each product's values a map of its own (decision 0017).
  const personal: Scored['values'] = Object.assign({}, values, { categoryAffinity: category?.score ?? 0, brandAffinity: brand?.score ?? 0 });
  return score(product, personal, weights, category, brand);
}
