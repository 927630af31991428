import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { loadTransEWasm } from '../kge/simd/loadTransEWasm.js';
import type { Config } from '../config.js';
import type { Graph } from '../graph/graph.js';
import { readAllProductTerms, readAllProductTexts, readBaskets, readProductLinks, readProductTextsById, type ProductLink, type ProductTextRow } from '../graph/rankingReads.js';
import { type ItemKnowledgeGraph } from '../recommenders/knowledgeGraph.js';
import { alignRankingKg, buildRankingKg, type RankingKg } from './kgIndex.js';
import { kgInterestIndex } from './kgInterest.js';
import { distinctTerms } from '../text/tokenize.js';
import { activeVersion, loadModel, readManifest } from '../kge/modelStore.js';
import { entityKey } from '../graph/tripleExport.js';
import { loadCatalogueSnapshot, type CatalogueSnapshot } from './catalogueSnapshot.js';
import { refreshPopularity } from './popularityRefresh.js';
import { catalogueEncoder, type EncoderLog } from './catalogueEncoder.js';
import type { EncodedTextSpace, ProductTextSpace } from './encodedTextSpace.js';
import { DEFAULT_FUSION_WEIGHTS, FUSION_FILE, readFusionWeights, type FusionWeights } from './fusionWeights.js';
import { buildItemNeighbours, reindexNeighbours, type ItemNeighbours } from './itemNeighbours.js';
import { buildBehaviourListsOffThread, userItemsOf, type BehaviourLists, type BehaviourListsFromNeo4j } from './behaviourLists.js';
import { readShopKnowledgeGraph } from './shopKnowledgeGraph.js';
import { buildItemItemIndex, DEFAULT_ITEM_ITEM, fittedWithModel, sameItemItemSpec, type ItemItemIndex, type ItemItemSpec } from './itemItemSignal.js';
import { ITEM_ITEM_LISTS_FILE, readItemItemLists, type SavedItemItemLists } from './itemItemLists.js';
import { ModelVectors } from './modelVectors.js';
import { ProductSpace, TextSpace } from './productSpace.js';
import { TermIndex } from './semanticQuery.js';
import { CO_BEHAVIOUR_TYPES } from './weights.js';

/**
 * Everything the fused ranker keeps in memory, loaded together and replaced together: the catalogue
 * snapshot, the active model's vectors aligned with it, "often bought together" neighbours, merchandiser
 * relations and the fusion weights. A request only adds the user's own behaviour (one query).
 */

export interface ProductLinkIndex {
  /** Linked products of each product (by snapshot index): outgoing merchandiser relations. */
  readonly byProduct: ReadonlyArray<ReadonlyArray<{ index: number; type: string; weight: number }>>;
}

export interface RankingState {
  loadedAt: number;
  snapshot: CatalogueSnapshot;
  /** Snapshot index of each product id. */
  indexOf: ReadonlyMap<string, number>;
  model: ModelVectors | null;
  /**
   * The model version named when the state loaded (active or pinned), whether served or refused as not
   * this shop's (`model` null then); null when none was. Absent for states built offline.
   */
  modelVersion?: string | null;
  space: ProductSpace | null;
  /** Products by their texts: the sentence encoder's rows when one is configured, else their terms in the model's space. */
  textSpace: ProductTextSpace | null;
  /** The configured sentence encoder's product rows (also `textSpace`); search encodes its query with it. */
  textEncoder: EncodedTextSpace | null;
  terms: TermIndex | null;
  /** Each product's terms (HAS_TERM), as read for this state's model: refreshed only before a training. */
  productTerms: ReadonlyMap<string, readonly string[]>;
  /** Each product's popularity (0..1), by snapshot index. */
  popularity: Float32Array;
  /** Each product's recent popularity (0..1, RECENCY_HALF_LIFE_MS), by snapshot index. */
  recency: Float32Array;
  /** Each product's CatalogueProduct.categoryIndex and brandIndex, as arrays for the per-request loops. */
  categoryIndex: Int32Array;
  brandIndex: Int32Array;
  neighbours: ItemNeighbours;
  /** When the neighbour lists were built from the shoppers' behaviour (reloads in between reuse them). */
  neighboursBuiltAt: number;
  links: ProductLinkIndex;
  /** The knowledge graph's item similarity (KG_RELATION triples), or null when the shop has no such triples. */
  kg: RankingKg | null;
  /** The tuned item × item model of the `itemItem` signal (null when its weight is 0). */
  itemItem: ItemItemIndex | null;
  weights: FusionWeights;
  /** The signals of non-zero weight: a request computes only these (a fit often zeroes a few). */
  weightedSignals: ReadonlySet<string>;
  /** Where the weights come from: `fitted` (saved with the model), `configured` or `default`. */
  weightsSource: 'fitted' | 'configured' | 'default';
}

export interface RankingStateOptions {
  graph: Graph;
  modelsDir: string;
  relationTypes: readonly string[];
  /** Overrides the fitted or default weights, signal by signal. */
  weights?: Partial<FusionWeights>;
  /** A saved model version to rank with instead of the active one (an experiment's variant). */
  modelVersion?: string | undefined;
  /** A sentence encoder's folder (config `textEncoderPath`): text likeness and semantic search use it instead of term vectors. */
  textEncoderPath?: string | undefined;
  /** Where loading the encoder and encoding product texts are logged. */
  logger?: EncoderLog | undefined;
  /** How long neighbour lists are reused while behaviour changes (default NEIGHBOURS_MAX_AGE_MS). */
  neighboursMaxAgeMs?: number | undefined;
  /** Build the neighbour lists on the ranking thread itself rather than on a thread of their own (tests, one-core hosts). */
  listsOnThisThread?: boolean | undefined;
  /**
   * Where the lists' own thread connects to read the baskets and the knowledge graph (this thread's
   * settings). Without it the lists are built on this thread, from what it reads.
   */
  neo4j?: Config | undefined;
}

/** The term index of a loaded model: built once, reloads with the same model reuse it. */
const termIndexes = new WeakMap<ModelVectors, TermIndex>();

function termIndexOf(model: ModelVectors): TermIndex {
  let index = termIndexes.get(model);
  if (!index) termIndexes.set(model, (index = new TermIndex(model)));
  return index;
}

/**
 * Loaded models by version and entity files: a reload with the same active model reuses the vectors read
 * before, and one after entities were erased from the version's files (which renames them) reads it anew.
 */
const modelCache = new Map<string, Promise<ModelVectors>>();

async function loadModelVectors(modelsDir: string, version: string): Promise<ModelVectors> {
  const { files } = await readManifest(modelsDir, version);
  const key = `${modelsDir}\u0000${version}\u0000${files.entities}\u0000${files.entityIds}`;
  let cached = modelCache.get(key);
  if (!cached) {
    cached = loadModel(modelsDir, version).then((model) => new ModelVectors(model));
    cached.catch(() => modelCache.delete(key));
    // Keep the current and the previous model only: the API swaps one for the other.
    if (modelCache.size >= 2) modelCache.delete(modelCache.keys().next().value as string);
    modelCache.set(key, cached);
  }
  return cached;
}

/**
 * Forgets users in every model this thread holds (`current`: the served state's, which the cache may have
 * let go): at once for those loaded, as soon as they load for those on the way.
 */
export function forgetUsersInModels(userIds: readonly string[], current: ModelVectors | null): void {
  const keys = userIds.map((id) => entityKey('User', id));
  current?.forget(keys);
  for (const loading of modelCache.values()) void loading.then((model) => model.forget(keys), () => undefined);
}

/**
 * Co-behaviour neighbours change slowly and cost seconds to build at 100,000 products (all of it on the
 * API's event loop): a reload reuses the previous lists, re-indexed, until they are this old.
 */
export const NEIGHBOURS_MAX_AGE_MS = 10 * 60_000;

/** What changed since the state a reload replaces, as far as the change feeds say. */
export interface ChangesSincePrevious {
  /** Products whose behaviour changed: only their popularity is read again. Null: unknown, every product's is. */
  products: ReadonlySet<string> | null;
  /**
   * Nothing the neighbour lists are built from (behaviour, catalogue) changed since the previous lists
   * were built: they are reused whatever their age.
   */
  listsCurrent: boolean;
}

/**
 * `previous` is the state being replaced: its neighbour lists are reused while younger than
 * NEIGHBOURS_MAX_AGE_MS (pass null to rebuild them, e.g. after a user's data was deleted). `changes`,
 * with `previous`, says what the change feeds saw since it loaded (src/ranking/popularityRefresh.ts);
 * absent, everything is read again.
 */
export async function loadRankingState(
  options: RankingStateOptions,
  now = Date.now(),
  previous: RankingState | null = null,
  changes: ChangesSincePrevious = { products: null, listsCurrent: false },
): Promise<RankingState> {
  const started = performance.now();
  const { graph, modelsDir } = options;
  const version = options.modelVersion ?? (await activeVersion(modelsDir));
  const encoderPath = options.textEncoderPath;
  const young = previous !== null && (changes.listsCurrent || now - previous.neighboursBuiltAt < (options.neighboursMaxAgeMs ?? NEIGHBOURS_MAX_AGE_MS)) ? previous : null;
  // A new model may bring another item × item model with its weights: its lists are then built from the baskets.
  // A refused model counts as the same as well: its lists need no rebuild on every reload either.
  const reuse = young !== null && (young.modelVersion ?? young.model?.version ?? null) === version ? young : null;
  const [snapshot, links, loadedModel, savedFusion, encoder, allTexts, kernels] = await Promise.all([
    catalogueSnapshotFor(graph, now, previous?.snapshot ?? null, changes.products),
    readProductLinks(graph, options.relationTypes),
    version === null ? Promise.resolve(null) : loadModelVectors(modelsDir, version),
    version === null ? Promise.resolve(null) : readFusionWeights(modelsDir, version),
    encoderPath ? catalogueEncoder(encoderPath, options.logger) : Promise.resolve(null),
    // An encoder reads every product's text in one query; the cold products' texts are among them.
    encoderPath ? readAllProductTexts(graph) : Promise.resolve(null),
    loadTransEWasm(),
  ]);
  if (!kernels.module && !previous) options.logger?.info({ reason: kernels.reason }, 'SIMD kernels unavailable: the ranking distance passes run on plain loops');
  const foreign = loadedModel ? foreignModelReason(loadedModel, snapshot) : null;
  if (foreign) options.logger?.info({ model: loadedModel?.version, reason: foreign }, 'the active model is not this shop\'s: ranking without it');
  const model = foreign ? null : loadedModel;
  // Weights fitted with a refused model are not used either.
  const fitted = foreign ? null : savedFusion;
  let coldTexts = new Map<string, ProductTextRow>();
  let productTerms: ReadonlyMap<string, readonly string[]> = new Map();
  if (model) {
    const cold = snapshot.products.filter((product) => model.entity('Product', product.id) === null).map((product) => product.id);
    const [texts, terms] = await Promise.all([
      allTexts ? cold.flatMap((id) => allTexts.get(id) ?? []) : readProductTextsById(graph, cold),
      // Term vectors are not used for text likeness when an encoder is. Terms are refreshed only before a
      // training, so a reload with the same model reuses those read before (a million rows at 100,000 products).
      encoder ? new Map<string, string[]>() : previous?.model?.version === model.version ? previous.productTerms : readAllProductTerms(graph),
    ]);
    coldTexts = new Map(texts.map((row) => [row.id, row]));
    productTerms = terms;
  }
  const textEncoder = encoder && allTexts ? await encoder.encode(snapshot.products, allTexts) : null;
  const itemItem = await servedItemItem(options, version, fitted?.itemItem ?? null);
  const lists = await listParts(options, reuse, { snapshot, weights: stateWeights(fitted?.weights ?? null, options.weights), itemItem, now });
  const buildStarted = performance.now();
  const stepMs: Record<string, number> = {};
  const state = await buildRankingStateYielding({
    snapshot,
    model,
    links,
    coldTexts,
    productTerms,
    fitted: fitted?.weights ?? null,
    itemItem: itemItem.spec,
    savedItemItem: itemItem.saved,
    overrides: options.weights,
    textEncoder,
    ...lists,
    now,
    rowKernels: kernels.module ?? null,
  }, stepMs);
  // The build runs on the ranking thread's event loop, in steps (buildRankingStateYielding): worth watching as catalogues grow.
  options.logger?.info(
    { products: snapshot.products.length, model: model?.version ?? null, loadMs: Math.round(buildStarted - started), buildMs: Math.round(performance.now() - buildStarted), stepMs },
    'ranking state loaded',
  );
  state.modelVersion = version;
  return state;
}

/**
 * The state with only its popularity moved: `changedProducts` read again, every other product's decayed
 * (refreshPopularity), and everything else (model rows, text space, neighbour, item × item and KG lists,
 * links, weights) kept as it is. Every product keeps its position, so none of those arrays is rebuilt,
 * and the reload allocates two catalogue-sized arrays and the snapshot's rows rather than a whole state on
 * the thread that serves requests meanwhile. For reloads where nothing else can have changed: the same
 * model files, no catalogue edit (which invalidates), lists young enough to keep (FusedRanker). Null when
 * `previous` cannot be refreshed (built offline): load it whole.
 */
export async function refreshRankingState(graph: Graph, previous: RankingState, changedProducts: ReadonlySet<string>, now = Date.now()): Promise<RankingState | null> {
  const snapshot = await refreshPopularity(graph, previous.snapshot, changedProducts, now, { keepPositions: true });
  if (snapshot === null) return null;
  return {
    ...previous,
    loadedAt: snapshot.loadedAt,
    snapshot,
    ...popularityArrays(snapshot),
  };
}

/** The popularity and recency signals, one entry per product in the snapshot's order. */
function popularityArrays(snapshot: CatalogueSnapshot): Pick<RankingState, 'popularity' | 'recency'> {
  return {
    popularity: Float32Array.from(snapshot.products, (product) => product.popularityScore),
    recency: Float32Array.from(snapshot.products, (product) => product.recencyScore),
  };
}

/**
 * What a state's model files are: the version served (active or pinned) and when its fusion weights and
 * saved item × item lists were written. A reload that finds these, the catalogue and the behaviour as they
 * were has nothing to read (FusedRanker).
 */
export async function modelFilesStamp(options: Pick<RankingStateOptions, 'modelsDir' | 'modelVersion'>): Promise<string> {
  const version = options.modelVersion ?? (await activeVersion(options.modelsDir));
  if (version === null) return 'no model';
  const written = (file: string) => fs.stat(path.join(options.modelsDir, version, file)).then((stat) => stat.mtimeMs, () => -1);
  const [fusion, lists] = await Promise.all([written(FUSION_FILE), written(ITEM_ITEM_LISTS_FILE)]);
  return `${version} ${fusion} ${lists}`;
}

/** The popularity of `changedProducts` read again onto `previous`, when both are given; otherwise the whole catalogue read. */
async function catalogueSnapshotFor(graph: Graph, now: number, previous: CatalogueSnapshot | null, changedProducts: ReadonlySet<string> | null): Promise<CatalogueSnapshot> {
  const refreshed = previous && changedProducts ? await refreshPopularity(graph, previous, changedProducts, now) : null;
  return refreshed ?? loadCatalogueSnapshot(graph, now);
}

/**
 * Why a model must not rank this shop, or null. Activation refuses such models, but `models/active` may
 * name one anyway (written by hand, or by a version before that check): a benchmark model, or one that
 * knows none of the catalogue's products, would rank every product by noise. A shop model that predates
 * new products still knows most of them, so only "none" is refused here.
 */
export function foreignModelReason(model: ModelVectors, snapshot: CatalogueSnapshot): string | null {
  if (model.trainedOn === 'benchmark') return `model ${model.version} was trained on benchmark triples`;
  if (snapshot.products.length > 0 && !snapshot.products.some((product) => model.entity('Product', product.id) !== null)) {
    return `model ${model.version} has a vector for none of the shop's ${snapshot.products.length} products`;
  }
  return null;
}

/** The item × item model a state serves, and its lists when they were saved with the model version. */
interface ServedItemItem {
  /** Null: the default (DEFAULT_ITEM_ITEM). */
  spec: ItemItemSpec | null;
  saved: SavedItemItemLists | null;
}

/**
 * Saved lists by model version and file: they change only when a fit saves new ones, so a reload reads
 * them once (the current and the previous version are kept, as for the model's vectors).
 */
const savedListsCache = new Map<string, Promise<SavedItemItemLists | null>>();

async function savedItemItemLists(modelsDir: string, version: string): Promise<SavedItemItemLists | null> {
  const { mtimeMs } = await fs.stat(path.join(modelsDir, version, ITEM_ITEM_LISTS_FILE)).catch(() => ({ mtimeMs: -1 }));
  const key = `${modelsDir}\u0000${version}\u0000${mtimeMs}`;
  let cached = savedListsCache.get(key);
  if (!cached) {
    cached = readItemItemLists(modelsDir, version);
    cached.catch(() => savedListsCache.delete(key));
    if (savedListsCache.size >= 2) savedListsCache.delete(savedListsCache.keys().next().value as string);
    savedListsCache.set(key, cached);
  }
  return cached;
}

/** The fallbacks already logged (a handful: one per model version served and reason). */
const fallbacksLogged = new Set<string>();

/**
 * The fitted spec, with its saved lists when it is a model fitted with the weights (EASE). Such a model is
 * never fitted here: without its lists (removed, or unreadable) the default model stands in, built from
 * the shoppers' behaviour like any other, and the log says so.
 */
async function servedItemItem(options: RankingStateOptions, version: string | null, spec: ItemItemSpec | null): Promise<ServedItemItem> {
  if (spec === null || !fittedWithModel(spec)) return { spec, saved: null };
  let saved: SavedItemItemLists | null = null;
  let reason = 'no lists were saved with the model';
  try {
    saved = version === null ? null : await savedItemItemLists(options.modelsDir, version);
  } catch (error) {
    reason = (error as Error).message;
  }
  if (saved !== null && sameItemItemSpec(saved.index.spec, spec)) return { spec, saved };
  if (saved !== null) reason = `the saved lists are of ${JSON.stringify(saved.index.spec)}`;
  // Said once per model version and reason, not at every reload of the state.
  const said = `${options.modelsDir}\u0000${version}\u0000${reason}`;
  if (!fallbacksLogged.has(said)) {
    fallbacksLogged.add(said);
    options.logger?.info({ model: version, itemItem: spec, reason }, 'the fitted item-item model has no lists to serve: serving the default one');
  }
  return { spec: DEFAULT_ITEM_ITEM, saved: null };
}

/** The fitted (or default) weights with the configured overrides: what the state fuses with. */
function stateWeights(fitted: FusionWeights | null, overrides: Partial<FusionWeights> | undefined): FusionWeights {
  return { ...(fitted ?? DEFAULT_FUSION_WEIGHTS), ...overrides };
}

interface ListInputs {
  snapshot: CatalogueSnapshot;
  weights: FusionWeights;
  itemItem: ServedItemItem;
  now: number;
}

type ListParts = Pick<RankingStateParts, 'baskets' | 'neighbours' | 'knowledgeGraph'>;

/**
 * The neighbour, item × item and KG lists of the state, as parts of its build: those of `reuse` while they
 * are young; else built on a thread of their own (behaviourLists.ts), which also reads the baskets and the
 * knowledge graph when it may connect to Neo4j (options.neo4j), and the build takes them as they are. When
 * that thread fails, or lists are to be built on this thread, the baskets and the KG are read here and
 * the build makes the lists: slower to serve meanwhile, with the same result.
 */
async function listParts(options: RankingStateOptions, reuse: RankingState | null, inputs: ListInputs): Promise<ListParts> {
  if (reuse) {
    const ids = reuse.snapshot.products.map((product) => product.id);
    return { baskets: [], neighbours: { ids, lists: reuse.neighbours, builtAt: reuse.neighboursBuiltAt, itemItem: reuse.itemItem }, knowledgeGraph: reuse.kg ?? null };
  }
  const ids = inputs.snapshot.products.map((product) => product.id);
  // Saved lists are reindexed by the state's build: nothing to fit for them.
  const itemItem = inputs.weights.itemItem > 0 && inputs.itemItem.saved === null ? (inputs.itemItem.spec ?? DEFAULT_ITEM_ITEM) : null;
  const aside = options.listsOnThisThread || !options.neo4j ? null : await listsAside(options, { neo4j: options.neo4j, productIds: ids, itemItem });
  if (aside) {
    const { knowledgeGraph } = aside;
    const kg = knowledgeGraph && aside.kg ? { graph: knowledgeGraph, model: aside.kg, toKg: new Int32Array(0), fromKg: new Int32Array(0), builtAt: inputs.now } : null;
    return { baskets: [], neighbours: { ids, lists: aside.neighbours, builtAt: inputs.now, itemItem: aside.itemItem }, knowledgeGraph: kg };
  }
  const [baskets, knowledgeGraph] = await Promise.all([readBaskets(options.graph, CO_BEHAVIOUR_TYPES), readShopKnowledgeGraph(options.graph)]);
  return { baskets: [...baskets.values()], knowledgeGraph };
}

async function listsAside(options: RankingStateOptions, request: BehaviourListsFromNeo4j): Promise<BehaviourLists | null> {
  try {
    return await buildBehaviourListsOffThread(request);
  } catch (error) {
    options.logger?.info({ err: String(error) }, 'building the neighbour lists on a thread of their own failed; building them on the ranking thread');
    return null;
  }
}

export interface RankingStateParts {
  snapshot: CatalogueSnapshot;
  model: ModelVectors | null;
  /** Each shopper's products with any of CO_BEHAVIOUR_TYPES (ids). */
  baskets: Iterable<ReadonlySet<string> | readonly string[]>;
  links: readonly ProductLink[];
  /** Texts of the products the model has no vector for. */
  coldTexts: ReadonlyMap<string, ProductTextRow>;
  /** Terms per product id (HAS_TERM); products missing here fall back to their cold text. */
  productTerms: ReadonlyMap<string, readonly string[]>;
  fitted: FusionWeights | null;
  /** The item × item model chosen with the fitted weights (null or absent: DEFAULT_ITEM_ITEM). */
  itemItem?: ItemItemSpec | null | undefined;
  /** Its lists, fitted elsewhere (saved with the model version, or built by an earlier state): reindexed, not rebuilt. */
  savedItemItem?: SavedItemItemLists | null | undefined;
  overrides?: Partial<FusionWeights> | undefined;
  /** Product texts through a sentence encoder: replaces the term vectors as the text space. */
  textEncoder?: EncodedTextSpace | null | undefined;
  /** Neighbour lists built before, indexed by `ids`: used instead of `baskets` (the item × item lists too, when built for the same spec). */
  neighbours?: { ids: readonly string[]; lists: ItemNeighbours; builtAt: number; itemItem?: ItemItemIndex | null } | undefined;
  /** The knowledge graph around the products (its similarity is built here), or a built one to align with this snapshot. */
  knowledgeGraph?: ItemKnowledgeGraph | RankingKg | null | undefined;
  /** The time the state is built at (default: the snapshot's). */
  now?: number | undefined;
  /** The SIMD kernels' module (src/kge/simd): the whole-catalogue distance passes run on it when given. */
  rowKernels?: WebAssembly.Module | null | undefined;
}

/** Assembles the state from its parts: shared by the API (parts read from Neo4j) and offline evaluation. */
export function buildRankingState(parts: RankingStateParts): RankingState {
  const steps = rankingStateSteps(parts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same build, giving the event loop a turn between its steps. A reload runs on the thread that serves
 * requests from the previous state meanwhile: they then wait for one step (the text space is the longest when
 * the neighbours are reused; building them anew, every NEIGHBOURS_MAX_AGE_MS, is longer still) rather than for
 * the whole build. Step costs: docs/decisions/0001-rank-in-memory.md.
 */
export async function buildRankingStateYielding(parts: RankingStateParts, stepMs?: Record<string, number>): Promise<RankingState> {
  const steps = rankingStateSteps(parts);
  for (;;) {
    const started = performance.now();
    const step = steps.next();
    // What each step held the thread for: the longest is what a request queued behind the build waits.
    if (stepMs) stepMs[step.done ? 'assemble' : step.value] = Math.round(performance.now() - started);
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** The build, yielding the name of each costly step once it is done. */
function* rankingStateSteps(parts: RankingStateParts): Generator<string, RankingState, void> {
  const { snapshot, model, coldTexts, productTerms } = parts;
  const indexOf = new Map(snapshot.products.map((product, index) => [product.id, index]));
  let space: ProductSpace | null = null;
  const textEncoder = parts.textEncoder ?? null;
  let textSpace: ProductTextSpace | null = textEncoder;
  if (model) {
    space = new ProductSpace(model, snapshot, coldTexts, parts.rowKernels ?? null);
    yield 'space';
  }
  if (model && !textEncoder) {
    textSpace = new TextSpace(model, snapshot.products.length, (index) => {
      const product = snapshot.products[index];
      if (!product) return [];
      const text = coldTexts.get(product.id);
      // Products added since the last term refresh have no HAS_TERM yet: their own text stands in.
      return productTerms.get(product.id) ?? (text ? distinctTerms(`${text.title} ${text.description ?? ''}`) : []);
    }, snapshot.products.map((product) => product.id), parts.rowKernels ?? null);
  }
  yield 'textSpace';
  const userItems = userItemsOf(parts.baskets, indexOf);
  const byProduct: Array<Array<{ index: number; type: string; weight: number }>> = snapshot.products.map(() => []);
  for (const link of parts.links) {
    const from = indexOf.get(link.from);
    const to = indexOf.get(link.to);
    if (from !== undefined && to !== undefined) byProduct[from]?.push({ index: to, type: link.type, weight: link.weight });
  }
  const neighbours = parts.neighbours
    ? reindexNeighbours(parts.neighbours.lists, parts.neighbours.ids, indexOf, snapshot.products.length)
    : buildItemNeighbours(userItems.filter((items) => items.length > 1), snapshot.products.length);
  yield 'neighbours';
  const overrides = parts.overrides ?? {};
  const weights = stateWeights(parts.fitted ?? null, overrides);
  const itemItem = weights.itemItem > 0 ? itemItemIndex(parts, userItems, indexOf, snapshot.products.length) : null;
  if (itemItem !== null) yield 'itemItem';
  const knowledgeGraph = parts.knowledgeGraph ?? null;
  const kg = knowledgeGraph === null
    ? null
    : 'model' in knowledgeGraph
      ? alignRankingKg(knowledgeGraph, indexOf, snapshot.products.length)
      : buildRankingKg(knowledgeGraph, indexOf, snapshot.products.length, parts.now ?? snapshot.loadedAt);
  // Built once per graph, here rather than in the first request that asks for the signal.
  if (kg !== null && weights.kgInterest > 0) kgInterestIndex(kg);
  yield 'kg';
  const configured = Object.keys(overrides).length > 0;
  return {
    loadedAt: snapshot.loadedAt,
    snapshot,
    indexOf,
    model,
    space,
    textSpace,
    textEncoder,
    terms: model ? termIndexOf(model) : null,
    productTerms,
    ...popularityArrays(snapshot),
    categoryIndex: Int32Array.from(snapshot.products, (product) => product.categoryIndex),
    brandIndex: Int32Array.from(snapshot.products, (product) => product.brandIndex),
    neighbours,
    neighboursBuiltAt: parts.neighbours?.builtAt ?? parts.now ?? snapshot.loadedAt,
    links: { byProduct },
    kg,
    itemItem,
    weights,
    weightedSignals: new Set(Object.entries(weights).flatMap(([name, weight]) => (weight > 0 ? [name] : []))),
    weightsSource: configured ? 'configured' : parts.fitted ? 'fitted' : 'default',
  };
}

/**
 * The item × item lists of the state: those saved or built before when they are of the same spec (reindexed
 * to this snapshot), else built from the baskets.
 */
function itemItemIndex(parts: RankingStateParts, userItems: readonly (readonly number[])[], indexOf: ReadonlyMap<string, number>, productCount: number): ItemItemIndex {
  const spec = parts.itemItem ?? DEFAULT_ITEM_ITEM;
  const saved = parts.savedItemItem;
  if (saved && sameItemItemSpec(saved.index.spec, spec)) return { spec, model: reindexNeighbours(saved.index.model, saved.ids, indexOf, productCount) };
  const previous = parts.neighbours?.itemItem;
  if (parts.neighbours && previous && sameItemItemSpec(previous.spec, spec)) {
    return { spec, model: reindexNeighbours(previous.model, parts.neighbours.ids, indexOf, productCount) };
  }
  return buildItemItemIndex(userItems, productCount, spec);
}
