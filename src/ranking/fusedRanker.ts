import { watch, type FSWatcher } from 'node:fs';
import type { Graph } from '../graph/graph.js';
import type { ProfileRow, ScoredId } from '../graph/shopReads.js';
import { FullTextReader, fullTextCacheFor, ProfileReader } from '../graph/batchedReads.js';
import { loggedProfileCache, type ProfileCacheOptions, type ProfileCacheSettings } from '../graph/profileCache.js';
import { SnapshotCache, type CatalogueProduct } from './catalogueSnapshot.js';
import { compileFilter } from './filter.js';
import { applyRules, RuleCache, selectRules, type RuleLookup, type RuleSet } from './rules.js';
import { readLiveRules } from '../graph/merchRules.js';
import { rulesOfSet } from '../domain/ruleSets.js';
import { scoreFromNeighbours, strongestSources } from './itemNeighbours.js';
import { relatedScores, userBasis, type Signals, type UserSignals } from './recommendSignals.js';
import { DEFAULT_SEARCH_WEIGHTS, RAW_SEARCH_SIGNALS, searchSignals, type SearchWeights } from './searchSignals.js';
import { standardised, standardisedGrouped } from './signalMoments.js';
import { toLuceneQuery } from './lucene.js';
import { mmrOrder } from './mmr.js';
import type { UserProfile } from './profile.js';
import { forgetUsersInModels, loadRankingState, modelFilesStamp, NEIGHBOURS_MAX_AGE_MS, refreshRankingState, type RankingState, type RankingStateOptions } from './rankingState.js';
import type { RankedItem, RankedList, Ranker, RankOptions, Reason, RecommendOptions, ScoreComponent, SearchOptions } from './types.js';
import type { HistoryItem } from './userVector.js';
import { DEFAULT_SNAPSHOT_TTL_MS, POPULAR_IN_CATEGORY_TOP, SEARCH_CANDIDATES } from './weights.js';
import { popularityText, sharedAttributeText, sharedEntityText } from './explain.js';
import { attributeOfNodeKey } from '../domain/attributes.js';
import { kgPaths, type KgPath, type RankingKg } from './kgIndex.js';
import { topIndices } from '../math/topK.js';
import { fuse, type FusedScores } from './fusionKernel.js';
import { DEFAULT_HIDE_PENALTY } from './hidePenalty.js';
import { fuseForUser } from './userFusion.js';
import { freshScores, ScoreArrayPool, type ScoreAllocator } from './scoreArrays.js';

/**
 * The production ranker. For `recommend` every product of the catalogue gets each signal — its TransE
 * score against the user's current point in the graph's space, "often bought together" with the user's
 * products, merchandiser relations from them, text likeness, popularity, and the user's category and
 * brand interest — each standardised over the catalogue and fused with weights fitted offline. Scoring
 * is a few dense passes over typed arrays held in memory; the user's behaviour is read from Neo4j, or
 * from the profile cache, which drops it as soon as it changes, so events recorded a moment ago count. Then the rules (bought products out,
 * filters), MMR diversity over the best candidates, and reasons that name the graph paths behind them.
 */

export interface FusedRankerOptions extends Omit<RankingStateOptions, 'graph'> {
  graph: Graph;
  /** How long the in-memory state serves before it reloads in the background. */
  ttlMs?: number;
  /**
   * Where in the reload cycle this ranker starts, from 0 to 1: its first state serves (1 − phase) × ttlMs.
   * Ranking threads take turns this way, so that one is never reloading while another is.
   */
  reloadPhase?: number;
  /** Default MMR trade-off when a request names none (0 = relevance order). */
  diversity?: number;
  /** Leave products the user already bought out of `recommend` (default true). */
  excludePurchased?: boolean;
  /** How much a hidden product lowers its co-behaviour neighbours (src/ranking/hidePenalty.ts); 0 turns it off. */
  hidePenalty?: number;
  /** Reload at once when `models/active` changes (default true). */
  watchModels?: boolean;
  onError?: (error: unknown) => void;
  /** Keeps users' behaviour in memory until it changes (src/graph/profileCache.ts); read per request without. */
  profileCache?: ProfileCacheOptions | undefined;
  /** Weights of the search signals (default DEFAULT_SEARCH_WEIGHTS). */
  searchWeights?: SearchWeights;
  /** The merchandising rules applied (src/domain/ruleSets.ts): absent, the shop's own. */
  ruleSet?: string | undefined;
}

/** Everything a search reads before it ranks in memory (FusedRanker.searchInputs). */
export interface SearchInputs {
  text: string;
  state: RankingState;
  matches: readonly ScoredId[];
  rows: readonly ProfileRow[];
  ruleSet: Awaited<ReturnType<RuleCache['get']>>;
}

/** Where a serving ranker logs: its state loads and background failures. */
export interface RankerLogger {
  info(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** The fused ranker as the API serves it (on its own thread or a ranking thread), with failures logged. */
export function loggedFusedRanker(
  options: Omit<FusedRankerOptions, 'logger' | 'onError' | 'profileCache'>,
  logger: RankerLogger,
  profileCache: ProfileCacheSettings | undefined,
): FusedRanker {
  return new FusedRanker({
    ...options,
    logger,
    onError: (error) => logger.error({ err: error }, 'reloading the ranking state failed; serving the previous one'),
    profileCache: loggedProfileCache(profileCache, logger),
  });
}

/**
 * Reloads between these read only the products the behaviour change feed names; a full read catches
 * writes that bypass the feed (Cypher by hand) within this long.
 */
export const FULL_CATALOGUE_LOAD_EVERY_MS = 60 * 60_000;

/** Candidates re-ranked by MMR per item on the page: enough room to swap near-duplicates for the next-best. */
const MMR_POOL_FACTOR = 4;
/** A default that diversifies a little: near-duplicates give way, relevance still leads. */
export const DEFAULT_DIVERSITY = 0.15;

/** Similar products: closeness in the graph's space and co-purchases; popularity breaks near-ties. */
const SIMILAR_WEIGHTS = { graph: 0.6, coBought: 0.3, related: 0.2, popularity: 0.05 } as const;


export class FusedRanker implements Ranker {
  private readonly states: SnapshotCache<RankingState>;
  /** Merchandising rules (pins, boosts, buries), cached like the state and applied by src/ranking/rules.ts. */
  private readonly rules: RuleCache;
  /** Each request's read of its user's behaviour, batched with the requests arriving beside it. */
  private readonly profiles: ProfileReader;
  private readonly fullText: FullTextReader;
  /** Each request's score arrays, reused from request to request (scoreArrays.ts). */
  private readonly scoreArrays = new ScoreArrayPool();
  private watcher: FSWatcher | null = null;
  /** Set by invalidate({ behaviour: true }): the next load rebuilds the co-behaviour neighbours. */
  private forgetBehaviour = false;
  /**
   * Products whose behaviour changed since the served state began to load, as the change feed names them:
   * a reload reads only their popularity again. Null when unknown (no feed, a failed poll, an invalidation):
   * the next load reads the whole catalogue.
   */
  private changedProducts: Set<string> | null = null;
  /** When the last load that read the whole catalogue began. */
  private fullLoadAt = 0;
  /** Behaviour or the catalogue changed since the neighbour lists were built (or whether it did is unknown). */
  private listInputsChanged = true;
  /** The model files the served state was loaded with (modelFilesStamp). */
  private loadedStamp: string | null = null;

  constructor(private readonly options: FusedRankerOptions) {
    const ttlMs = options.ttlMs ?? DEFAULT_SNAPSHOT_TTL_MS;
    this.states = new SnapshotCache<RankingState>({
      ttlMs,
      firstTtlMs: ttlMs * (1 - Math.min(1, Math.max(0, options.reloadPhase ?? 0))),
      load: (previous) => this.loadState(previous),
      onError: options.onError,
    });
    this.rules = new RuleCache({
      ttlMs: options.ttlMs ?? DEFAULT_SNAPSHOT_TTL_MS,
      load: async () => rulesOfSet(await readLiveRules(options.graph), options.ruleSet),
      onError: options.onError,
    });
    // A user's data deleted by another process: their vector may be in the served model, whose files were
    // rewritten without it, so the state reloads (the feed does not say whose, so the vector cannot be picked out).
    const profileCache = options.profileCache && {
      ...options.profileCache,
      onErasure: () => this.invalidate(),
      onProductsChanged: (productIds: readonly string[] | null) => this.productsChanged(productIds),
    };
    this.profiles = new ProfileReader(options.graph, { cache: profileCache });
    this.fullText = new FullTextReader(options.graph, { cache: fullTextCacheFor(options.ttlMs ?? DEFAULT_SNAPSHOT_TTL_MS) });
    // A ranker pinned to a model version has no use for the active one's changes.
    if (options.watchModels !== false && options.modelVersion === undefined) {
      try {
        // A model activated by another process (`kgrec models activate`) is served from the next request on.
        this.watcher = watch(options.modelsDir, (_event, file) => {
          if (file === 'active') this.invalidate();
        });
        this.watcher.unref();
      } catch {
        this.watcher = null; // no models folder yet: the TTL reload picks a first model up
      }
    }
  }

  /**
   * Reloads the state on the next request. `behaviour: true` also rebuilds the co-behaviour neighbours,
   * which reloads otherwise reuse for a while (a deleted user's baskets must leave them at once).
   */
  invalidate(options: { behaviour?: boolean } = {}): void {
    // Requests wait for the next state from here on: worth seeing beside the latencies.
    this.options.logger?.info({ behaviour: options.behaviour === true }, 'ranking state invalidated');
    if (options.behaviour) this.forgetBehaviour = true;
    this.changedProducts = null;
    this.listInputsChanged = true;
    this.states.invalidate();
    this.fullText.clear();
  }

  /**
   * Loads the next state: between full loads (FULL_CATALOGUE_LOAD_EVERY_MS), with the change feed
   * running, only the changed products' popularity is read again, and when nothing changed at all (no
   * product named, no catalogue edit, the same model files) the served state serves on.
   */
  private async loadState(previous: RankingState | null): Promise<RankingState> {
    const reuse = this.forgetBehaviour ? null : previous;
    this.forgetBehaviour = false;
    const now = Date.now();
    const changed = this.changedProducts;
    const listsChanged = this.listInputsChanged;
    // Changes from here on are the next load's; the feed's first poll looks back far enough to cover this load.
    const feed = this.profiles.watchFeed();
    this.changedProducts = feed ? new Set() : null;
    this.listInputsChanged = !feed;
    const refresh = reuse !== null && changed !== null && now - this.fullLoadAt < FULL_CATALOGUE_LOAD_EVERY_MS ? changed : null;
    try {
      const stamp = await modelFilesStamp(this.options);
      // A product the feed named also marked the lists' inputs changed (productsChanged): !listsChanged means none was.
      if (reuse !== null && refresh !== null && !listsChanged && stamp === this.loadedStamp) {
        // Nothing it is built from changed: the state serves on, as fresh as a reload would have made it.
        reuse.loadedAt = now;
        return reuse;
      }
      // Only popularity moved, and the neighbour lists are young enough to keep: nothing else is rebuilt.
      const popularityOnly = reuse !== null && refresh !== null && stamp === this.loadedStamp && now - reuse.neighboursBuiltAt < (this.options.neighboursMaxAgeMs ?? NEIGHBOURS_MAX_AGE_MS);
      const refreshed = popularityOnly ? await this.refreshPopularityOnly(reuse, refresh, now) : null;
      if (refreshed !== null) {
        this.listInputsChanged ||= listsChanged;
        return refreshed;
      }
      const state = await loadRankingState(this.options, now, reuse, { products: refresh, listsCurrent: !listsChanged });
      this.loadedStamp = stamp;
      if (refresh === null) this.fullLoadAt = now;
      // Lists reused for their age have not taken the changes in yet.
      if (reuse !== null && state.neighboursBuiltAt === reuse.neighboursBuiltAt) this.listInputsChanged ||= listsChanged;
      return state;
    } catch (error) {
      this.productsChanged(changed === null ? null : [...changed]);
      this.listInputsChanged ||= listsChanged;
      throw error;
    }
  }

  private async refreshPopularityOnly(previous: RankingState, changed: ReadonlySet<string>, now: number): Promise<RankingState | null> {
    const started = performance.now();
    const refreshed = await refreshRankingState(this.options.graph, previous, changed, now);
    if (refreshed !== null) {
      const loadMs = Math.round(performance.now() - started);
      this.options.logger?.info({ products: refreshed.snapshot.products.length, changed: changed.size, popularityOnly: true, loadMs, buildMs: 0 }, 'ranking state loaded');
    }
    return refreshed;
  }

  private productsChanged(productIds: readonly string[] | null): void {
    if (productIds === null || productIds.length > 0) this.listInputsChanged = true;
    if (productIds === null) this.changedProducts = null;
    else if (this.changedProducts) for (const id of productIds) this.changedProducts.add(id);
  }

  behaviourChanged(userIds: readonly string[]): void {
    this.profiles.invalidate(userIds);
  }

  forgetUsers(userIds: readonly string[]): void {
    forgetUsersInModels(userIds, this.states.peek()?.model ?? null);
    this.profiles.invalidate(userIds);
  }

  invalidateRules(): void {
    this.rules.invalidate();
  }

  async warmUp(): Promise<void> {
    await Promise.all([this.states.get(), this.rules.get()]);
  }

  /** Stops watching the models folder and the profile cache's polling. */
  close(): void {
    this.watcher?.close();
    this.profiles.close();
  }

  /** The state being served (for health checks and benchmarks). */
  state(): Promise<RankingState> {
    return this.states.get();
  }

  async recommend(userId: string, options: RecommendOptions): Promise<RankedList> {
    const [state, rows, ruleSet] = await Promise.all([this.states.get(), this.profiles.read(userId), this.rules.get()]);
    return this.withLentScores((scores) => this.recommendFrom(state, rows, ruleSet, userId, options, scores));
  }

  /**
   * Runs a ranking with score arrays lent for it, given back once its list is built: the list holds plain
   * values only, and nothing else keeps the arrays.
   */
  private async withLentScores<T>(rank: (scores: ScoreAllocator) => T | Promise<T>): Promise<T> {
    const lease = this.scoreArrays.lease();
    try {
      return await rank(lease.take);
    } finally {
      lease.giveBack();
    }
  }

  private recommendFrom(state: RankingState, rows: readonly ProfileRow[], ruleSet: RuleSet, userId: string, options: RecommendOptions, scores: ScoreAllocator): RankedList {
    const rules = selectRules(ruleSet, { categoryPath: state.snapshot.ancestry(options.filter?.categoryId ?? null), now: Date.now() });
    const { profile, history, placed, fused, page, accept } = this.rankForUser(state, userId, rows, { ...options, first: options.first + rules.overfetch }, scores);
    const excluded = new Set(options.exclude);
    const explain = Boolean(options.explain);
    const candidates = page.map((i) => this.item(state, i, fused, explain));
    if (options.revealHistory !== false) this.explainRecommendation(state, candidates, page, history, { coBought: fused.signals.coBought !== undefined, itemItem: fused.signals.itemItem !== undefined, kg: fused.signals.kg !== undefined || fused.signals.kgInterest !== undefined }, userId, profile);
    else withProductReasons(state, candidates);
    // Pinned and boosted products from outside the page qualify like any other: in the filter, not bought.
    const lookup: RuleLookup = (id) => {
      const index = state.indexOf.get(id);
      const product = index === undefined ? undefined : state.snapshot.products[index];
      const allowed = !profile.excludes(id, options.unseenOnly ?? false) && !excluded.has(id);
      return index !== undefined && product && accept(product) && allowed ? this.item(state, index, fused, explain) : null;
    };
    const items = applyRules(candidates, rules, { first: options.first, lookup });
    return { items, strategy: placed || history.length > 0 ? 'fused' : 'popularity', modelVersion: state.model?.version ?? null };
  }

  /**
   * The in-memory part of `recommend`: signals, fusion, rules and diversity for a user whose behaviour
   * rows are given; no I/O (what `bench/rank` times).
   */
  rankForUser(
    state: RankingState,
    userId: string,
    rows: readonly ProfileRow[],
    options: RecommendOptions,
    allocate: ScoreAllocator = freshScores,
  ): UserSignals & { fused: FusedScores; page: number[]; accept: (product: CatalogueProduct) => boolean } {
    const { snapshot } = state;
    // Hidden products and their neighbours are handled in the fusion (fuseForUser), which evaluation shares.
    const user = fuseForUser(state, userId, rows, this.options.hidePenalty ?? DEFAULT_HIDE_PENALTY, allocate);
    const { fused } = user;
    const { scores } = fused;
    const accept = compileFilter(options.filter, snapshot);
    // Products bought (and with unseenOnly every product the user met) are masked out of the scores, a few
    // entries, rather than looked up by id for every product the selection considers.
    const masked = options.unseenOnly ? user.profile.seen : this.options.excludePurchased !== false ? user.profile.purchased : [];
    for (const id of [...masked, ...(options.exclude ?? [])]) {
      const index = state.indexOf.get(id);
      if (index !== undefined) scores[index] = Number.NEGATIVE_INFINITY;
    }
    const pool = topIndices(scores, options.first * MMR_POOL_FACTOR, options.filter ? (i) => accept(snapshot.products[i] as CatalogueProduct) : undefined);
    // Named rather than spread from `user`: an object spread and then given new keys gets a map of its own
    // in V8, a new one per request (decision 0017).
    const { signals, grouped, profile, history, placed } = user;
    return { signals, grouped, profile, history, placed, fused, page: this.diversify(state, pool, scores, options), accept };
  }

  async search(text: string, options: SearchOptions): Promise<RankedList> {
    const inputs = await this.searchInputs(text, options.userId);
    return inputs ? this.rankSearch(inputs, options) : { items: [], strategy: 'fused-search', modelVersion: null };
  }

  /** The weights `search` fuses with. */
  searchWeights(): SearchWeights {
    return this.options.searchWeights ?? DEFAULT_SEARCH_WEIGHTS;
  }

  /** What a search reads: the state, the query's full-text matches, the user's behaviour and the rules (null: no word to search for). */
  async searchInputs(text: string, userId: string | undefined): Promise<SearchInputs | null> {
    const lucene = toLuceneQuery(text);
    if (lucene === null) return null;
    const [state, matches, rows, ruleSet] = await Promise.all([
      this.states.get(),
      this.fullText.search(lucene, SEARCH_CANDIDATES),
      userId === undefined ? Promise.resolve([]) : this.profiles.read(userId),
      this.rules.get(),
    ]);
    return { text, state, matches, rows, ruleSet };
  }

  /**
   * The in-memory part of `search`: signals, fusion, diversity, reasons and rules, no I/O. Offline
   * evaluation fits the weights through it; requests use the ranker's.
   */
  rankSearch(inputs: SearchInputs, options: SearchOptions, weights: SearchWeights = this.searchWeights()): Promise<RankedList> {
    return this.withLentScores((scores) => this.rankSearchWith(inputs, options, weights, scores));
  }

  private async rankSearchWith(inputs: SearchInputs, options: SearchOptions, weights: SearchWeights, allocate: ScoreAllocator): Promise<RankedList> {
    const { text, state, matches, rows, ruleSet } = inputs;
    const { snapshot } = state;
    const accept = compileFilter(options.filter, snapshot);
    const encoder = state.textEncoder;
    const basis = options.userId === undefined ? null : userBasis(state, options.userId, rows);
    const profile = basis?.profile ?? null;
    const history = basis?.history ?? [];
    const { signals, grouped, candidates, semantic } = await searchSignals(state, text, matches, basis, weights, allocate);
    const lexical = signals.lexical as Float32Array;
    const raw = [...RAW_SEARCH_SIGNALS];
    const scores = fuse(signals, weights, snapshot.products.length, { raw, grouped, scores: allocate });
    const fused: FusedScores = { scores, signals, grouped, weights, raw };
    const pool = [...candidates].filter((i) => accept(snapshot.products[i] as CatalogueProduct)).sort((a, b) => (scores[b] as number) - (scores[a] as number));
    const rules = selectRules(ruleSet, { categoryPath: snapshot.ancestry(options.filter?.categoryId ?? null), query: text, now: Date.now() });
    const first = options.first + rules.overfetch;
    const page = this.diversify(state, pool.slice(0, first * MMR_POOL_FACTOR), scores, { ...options, first });
    const quoted = text.trim();
    const explain = Boolean(options.explain);
    const items = page.map((i) => {
      const item = this.item(state, i, fused, explain);
      const reasons: Reason[] = [];
      if ((lexical[i] as number) > 0) reasons.push({ kind: 'TEXT_MATCH', text: `matches "${quoted}"` });
      else if (encoder) reasons.push({ kind: 'SEMANTIC_MATCH', text: `close in meaning to "${quoted}" (text encoder ${encoder.encoder.name})` });
      else if (semantic) reasons.push({ kind: 'SEMANTIC_MATCH', text: `related to "${semantic.terms.join(' ')}" in the shop's graph`, path: semantic.terms.map((term) => `Term:${term}`) });
      item.reasons = [...reasons, ...item.reasons];
      return item;
    });
    if (profile && options.revealHistory !== false) this.explainRecommendation(state, items, page, history, { coBought: false, itemItem: false, kg: false }, options.userId ?? '', profile);
    // A boost only lifts a product that matches the query; a pin places its product even when it does not.
    const lookup: RuleLookup = (id, action) => {
      const index = state.indexOf.get(id);
      if (index === undefined || !accept(snapshot.products[index] as CatalogueProduct)) return null;
      if (action === 'boost' && !candidates.has(index)) return null;
      return this.item(state, index, fused, explain);
    };
    return { items: applyRules(items, rules, { first: options.first, lookup }), strategy: 'fused-search', modelVersion: state.model?.version ?? null };
  }

  async similar(productId: string, options: RankOptions): Promise<RankedList | null> {
    const [state, ruleSet] = await Promise.all([this.states.get(), this.rules.get()]);
    const index = state.indexOf.get(productId);
    if (index === undefined) return null;
    return this.withLentScores((scores) => this.similarTo(state, ruleSet, index, options, scores));
  }

  private similarTo(state: RankingState, ruleSet: RuleSet, index: number, options: RankOptions, allocate: ScoreAllocator): RankedList {
    const { snapshot } = state;
    const productId = (snapshot.products[index] as CatalogueProduct).id;
    // The rules of the category in view: the request's filter, else the product's own category.
    const categoryId = options.filter?.categoryId ?? snapshot.products[index]?.categoryId ?? null;
    const rules = selectRules(ruleSet, { categoryPath: snapshot.ancestry(categoryId), now: Date.now() });
    const first = options.first + rules.overfetch;
    const n = snapshot.products.length;
    const signals: Signals = { popularity: state.popularity };
    if (state.space) state.space.score(state.space.row(index), (signals.graph = allocate(n)));
    const seed = [{ index, relationship: 'PURCHASED', weight: 1, lastAt: 0 }];
    scoreFromNeighbours(state.neighbours, seed, (signals.coBought = allocate(n)));
    signals.related = relatedScores(state, seed, allocate);
    const weights: Record<string, number> = { ...SIMILAR_WEIGHTS };
    const scores = fuse(signals, weights, n, { scores: allocate });
    const fused: FusedScores = { scores, signals, grouped: {}, weights, raw: [] };
    const explain = Boolean(options.explain);
    const accept = compileFilter(options.filter, snapshot);
    const eligible = (i: number): boolean => i !== index && accept(snapshot.products[i] as CatalogueProduct);
    const pool = topIndices(scores, first * MMR_POOL_FACTOR, eligible);
    const page = this.diversify(state, pool, scores, { ...options, first });
    const own = snapshot.products[index] as CatalogueProduct;
    const items = page.map((i) => {
      const item = this.item(state, i, fused, explain);
      const product = snapshot.products[i] as CatalogueProduct;
      const reasons: Reason[] = [];
      if ((signals.coBought?.[i] ?? 0) > 0) reasons.push({ kind: 'BOUGHT_TOGETHER', text: 'often bought by the same shoppers', path: [`Product:${productId}`, `Product:${product.id}`] });
      reasons.push({ kind: 'SIMILAR', text: 'similar to this product' });
      const category = snapshot.categoryName(own.categoryId);
      if (category && product.categoryId === own.categoryId) reasons.push({ kind: 'SAME_CATEGORY', text: `also in ${category}`, path: [`Product:${productId}`, `Category:${own.categoryId}`, `Product:${product.id}`] });
      item.reasons = [...reasons, ...item.reasons.filter((reason) => reason.kind === 'POPULAR')];
      return item;
    });
    const lookup: RuleLookup = (id) => {
      const at = state.indexOf.get(id);
      return at !== undefined && eligible(at) ? this.item(state, at, fused, explain) : null;
    };
    return { items: applyRules(items, rules, { first: options.first, lookup }), strategy: state.space ? 'embedding' : 'category-popularity', modelVersion: state.model?.version ?? null };
  }

  /** MMR over the pool (best first) with embedding similarity, or shared category without a model. */
  private diversify(state: RankingState, pool: readonly number[], fused: Float32Array, options: RankOptions): number[] {
    const diversity = options.diversity ?? this.options.diversity ?? DEFAULT_DIVERSITY;
    if ((diversity <= 0 && options.maxPerCategory === undefined) || pool.length <= 1) return pool.slice(0, options.first);
    const { snapshot, space } = state;
    const candidates = pool.map((i) => ({ score: fused[i] as number, category: (snapshot.products[i] as CatalogueProduct).categoryId }));
    const similarity = space
      ? (a: number, b: number) => Math.max(0, space.cosine(pool[a] as number, pool[b] as number))
      : (a: number, b: number) => (candidates[a]?.category !== null && candidates[a]?.category === candidates[b]?.category ? 1 : 0);
    return mmrOrder(candidates, { diversity, first: options.first, similarity, maxPerCategory: options.maxPerCategory }).map((k) => pool[k] as number);
  }

  /** The breakdown shows each signal as it was fused: standardised, or as it is for those named `raw`. */
  private item(state: RankingState, index: number, fused: FusedScores, explain: boolean): RankedItem {
    const product = state.snapshot.products[index] as CatalogueProduct;
    const { signals, grouped, weights, raw } = fused;
    const breakdown: ScoreComponent[] = [];
    if (explain) {
      for (const [name, values] of Object.entries(signals)) {
        const weight = weights[name] ?? 0;
        if (!values || weight === 0) continue;
        const value = raw.includes(name) ? (values[index] as number) : standardised(values, index);
        breakdown.push({ name, value, weight, contribution: value * weight });
      }
      for (const [name, signal] of Object.entries(grouped)) {
        const weight = weights[name] ?? 0;
        if (!signal || weight === 0) continue;
        const value = standardisedGrouped(signal, index);
        breakdown.push({ name, value, weight, contribution: value * weight });
      }
    }
    const reasons: Reason[] = [];
    if (product.categoryRank <= POPULAR_IN_CATEGORY_TOP || (signals.graph === undefined && signals.coBought === undefined)) {
      reasons.push({ kind: 'POPULAR', text: popularityText(product, state.snapshot) });
    }
    return { productId: product.id, score: fused.scores[index] as number, reasons, breakdown };
  }

  /**
   * Reasons from the user's own graph: the product of theirs that the item is most often bought with (and
   * whether they share a category), a merchandiser relation from one of their products, the product of
   * theirs nearest in the embedding space, and their category or brand interest. Product titles come
   * from the catalogue snapshot: no query.
   */
  private explainRecommendation(
    state: RankingState,
    items: RankedItem[],
    page: readonly number[],
    history: readonly HistoryItem[],
    /**
     * Which sparse signals were fused: co-purchases ("often bought with" names the strongest of the user's
     * products), the served item × item model ("shoppers who did also chose this", when no co-purchase
     * explains the item) and the knowledge graph ("by the same artist as" names the entity shared with one
     * of them).
     */
    fusedSignals: FusedSparseSignals,
    userId: string,
    profile: UserProfile,
  ): void {
    if (history.length === 0) return;
    const { snapshot } = state;
    const sources = reasonSources(state, page, history, fusedSignals);
    const relationshipOf = new Map(history.map((item) => [item.index, item.relationship]));
    const verb = (index: number): string => VERBS[relationshipOf.get(index) ?? 'VIEWED'] ?? 'viewed';
    const user = `User:${userId}`;
    items.forEach((item, k) => {
      const index = page[k] as number;
      const product = snapshot.products[index] as CatalogueProduct;
      const { coBought, alsoChosen, related, nearest, shared } = sources[k] as (typeof sources)[number];
      const reasons: Reason[] = [];
      if (coBought >= 0) {
        const other = snapshot.products[coBought] as CatalogueProduct;
        const title = other.title;
        const sameCategory = other.categoryId !== null && other.categoryId === product.categoryId;
        const category = sameCategory ? snapshot.categoryName(product.categoryId) : undefined;
        reasons.push({
          kind: 'BOUGHT_TOGETHER',
          text: `you ${verb(coBought)} ${title}; this is ${category ? `also in ${category} and ` : ''}often bought with it`,
          path: [user, `Product:${other.id}`, ...(category ? [`Category:${product.categoryId}`] : []), `Product:${product.id}`],
        });
      }
      if (alsoChosen >= 0) {
        const other = snapshot.products[alsoChosen] as CatalogueProduct;
        reasons.push({
          kind: 'BOUGHT_TOGETHER',
          text: `you ${verb(alsoChosen)} ${other.title}; shoppers who did also chose this`,
          path: [user, `Product:${other.id}`, `Product:${product.id}`],
        });
      }
      if (related) {
        const other = snapshot.products[related.index] as CatalogueProduct;
        const link = state.links.byProduct[related.index]?.find((entry) => entry.index === index);
        reasons.push({
          kind: 'RELATED',
          text: `${(link?.type ?? 'related').toLowerCase().replace(/_/g, ' ')} ${other.title}, which you ${verb(related.index)}`,
          path: [user, `Product:${other.id}`, `Product:${product.id}`],
        });
      }
      if (shared && state.kg) reasons.push(sharedEntityReason(state, shared, index, user, verb));
      if (nearest && (item.breakdown.find((c) => c.name === 'graph')?.contribution ?? 1) > 0 && nearest.index !== coBought && nearest.index !== alsoChosen) {
        const other = snapshot.products[nearest.index] as CatalogueProduct;
        reasons.push({ kind: 'GRAPH_NEIGHBOUR', text: `close to ${other.title}, which you ${verb(nearest.index)}`, path: [user, `Product:${other.id}`, `Product:${product.id}`] });
      }
      const interest = profile.categoryInterest(product.categoryId, snapshot);
      const name = interest ? snapshot.categoryName(interest.id) : undefined;
      const categoryText = interest && name ? profile.describeCategory(interest.id, name) : null;
      if (categoryText) reasons.push({ kind: 'CATEGORY_AFFINITY', text: categoryText, path: [user, `Category:${interest?.id ?? ''}`, `Product:${product.id}`] });
      item.reasons = [...item.reasons.filter((reason) => reason.kind !== 'POPULAR'), ...reasons, ...item.reasons.filter((reason) => reason.kind === 'POPULAR')];
    });
  }
}

/** Which sparse signals a ranking fused (a reason names a source only in a signal that was fused). */
interface FusedSparseSignals {
  coBought: boolean;
  itemItem: boolean;
  kg: boolean;
}

/**
 * For each item of the page, the user's products that explain it: the strongest co-purchase source, else
 * the strongest source in the served item × item model, a merchandiser relation, the nearest product in
 * the graph's space and the KG path shared with one of them.
 */
function reasonSources(state: RankingState, page: readonly number[], history: readonly HistoryItem[], fusedSignals: FusedSparseSignals) {
  const { space } = state;
  const coBoughtSources = fusedSignals.coBought ? strongestSources(state.neighbours, history, page) : null;
  const itemItemSources = fusedSignals.itemItem && state.itemItem ? strongestSources(state.itemItem.model, history, page) : null;
  const sharedPaths = fusedSignals.kg && state.kg ? kgPaths(state.kg, history, page) : null;
  // For each product, the first of the user's products (in history order) with a merchandiser relation to it.
  const relatedVia = new Map<number, HistoryItem>();
  for (const item of history) {
    for (const link of state.links.byProduct[item.index] ?? []) if (!relatedVia.has(link.index)) relatedVia.set(link.index, item);
  }
  return page.map((i, position) => {
    const coBought = coBoughtSources?.[position] ?? -1;
    const related = relatedVia.get(i);
    let nearest: HistoryItem | null = null;
    if (space) {
      let best = -Infinity;
      for (const item of history.slice(0, 50)) {
        // A product the user viewed can come back as a recommendation: it is not its own neighbour.
        if (item.index === i) continue;
        const similarity = space.cosine(item.index, i);
        if (similarity > best) {
          best = similarity;
          nearest = item;
        }
      }
    }
    const alsoChosen = coBought < 0 ? (itemItemSources?.[position] ?? -1) : -1;
    return { coBought, alsoChosen, related, nearest, shared: sharedPaths?.[position] ?? null };
  });
}

/**
 * Reasons that say nothing about the user, for callers not allowed to see their history: an item the
 * personal reasons would have explained says how popular it is ("popular in Speakers", "bought 12 times").
 */
function withProductReasons(state: RankingState, items: RankedItem[]): void {
  for (const item of items) {
    if (item.reasons.length > 0) continue;
    const product = state.snapshot.byId.get(item.productId);
    if (product) item.reasons = [{ kind: 'POPULAR', text: popularityText(product, state.snapshot) }];
  }
}

/** "by the same artist as X, which you bought", with the path through the shared entity. */
function sharedEntityReason(state: RankingState, path: KgPath, target: number, user: string, verb: (index: number) => string): Reason {
  const kg = state.kg as RankingKg;
  const { nodeKeys, relationNames } = kg.graph;
  const { shared } = path;
  const other = state.snapshot.products[path.source] as CatalogueProduct;
  const product = state.snapshot.products[target] as CatalogueProduct;
  // The two items linked directly share one of themselves; else an entity, one or two hops from each.
  const direct = shared.fromRelation === -1 || shared.toRelation === -1;
  const relation = relationNames[direct ? Math.max(shared.fromRelation, shared.toRelation) : shared.toRelation] ?? 'related';
  const shape = direct ? 'direct' : shared.fromVia >= 0 || shared.toVia >= 0 ? 'twoHops' : 'shared';
  const key = (node: number): string[] => (node >= 0 ? [nodeKeys[node] ?? ''] : []);
  const middle = direct ? [] : [...key(shared.fromVia), ...key(shared.node), ...key(shared.toVia)];
  // A shared attribute names its value ("same colour (red) as …"), read from the node's key.
  const attribute = shape === 'shared' ? attributeOfNodeKey(nodeKeys[shared.node] ?? '') : null;
  return {
    kind: 'SHARED_ENTITY',
    text: attribute
      ? sharedAttributeText(attribute.key, attribute.value, other.title, verb(path.source))
      : sharedEntityText(relation, shape, other.title, verb(path.source)),
    path: [user, `Product:${other.id}`, ...middle, `Product:${product.id}`],
  };
}

const VERBS: Record<string, string> = { PURCHASED: 'bought', ADDED_TO_CART: 'put in your cart', CLICKED: 'looked at', VIEWED: 'viewed' };
