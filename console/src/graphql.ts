/**
 * Every operation the console sends: the public API's own queries and mutations, nothing added for the
 * console alone. Result types are written beside them (the schema is small, and a code generator would add a
 * build step for a few dozen fields).
 */

export interface CategoryRef {
  id: string;
  name: string;
}
export interface ProductRow {
  id: string;
  title: string;
  price: number | null;
  currency: string | null;
  inStock: boolean;
  category: CategoryRef | null;
  brand: CategoryRef | null;
}
export interface Reason {
  kind: string;
  text: string;
  path: string[] | null;
}
export interface ScoreComponent {
  name: string;
  value: number;
  weight: number;
  contribution: number;
}
export interface RankedItem {
  product: ProductRow;
  score: number;
  reasons: Reason[];
  breakdown: ScoreComponent[];
}
export interface Recommendations {
  items: RankedItem[];
  strategy: string;
  modelVersion: string | null;
}
export interface Relation {
  type: string;
  weight: number;
  product: ProductRow;
  updatedAt: string | null;
  updatedBy: string | null;
}
export interface ProductDetail extends ProductRow {
  description: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  category: (CategoryRef & { path: CategoryRef[] }) | null;
  relations: Relation[];
  attributes: { key: string; value: string }[];
}
export interface CategoryNode extends CategoryRef {
  parent: { id: string } | null;
}
export interface Rule {
  id: string;
  action: 'PIN' | 'BOOST' | 'BURY';
  productId: string;
  product: { id: string; title: string } | null;
  position: number | null;
  factor: number | null;
  scope: 'CATEGORY' | 'QUERY';
  categoryId: string | null;
  query: string | null;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  active: boolean;
}
export interface AuditEntry {
  id: string;
  at: string;
  editor: string;
  entityType: string;
  entityId: string;
  action: string;
  summary: string;
}
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

const PRODUCT_ROW = `id title price currency inStock category { id name } brand { id name }`;
const RANKED = `strategy modelVersion items { score product { ${PRODUCT_ROW} } reasons { kind text path } breakdown { name value weight contribution } }`;

export const CATALOGUE = `query Catalogue { categories { id name parent { id } } brands { id name } }`;

export const SEARCH = `query Search($query: String!, $first: Int, $filter: ProductFilter) { search(query: $query, first: $first, filter: $filter) { ${RANKED} } }`;

export const BROWSE = `query Browse($filter: ProductFilter, $first: Int, $after: String) {
  products(filter: $filter, first: $first, after: $after) { nodes { ${PRODUCT_ROW} } pageInfo { hasNextPage endCursor } } }`;

export const PRODUCT = `query Product($id: ID!) {
  product(id: $id) { ${PRODUCT_ROW} description createdAt updatedAt
    category { id name path { id name } }
    attributes { key value }
    relations { type weight updatedAt updatedBy product { ${PRODUCT_ROW} } } }
  similarProducts(productId: $id, first: 12) { ${RANKED} } }`;

export const RELATION_TYPES = `query RelationTypes { __type(name: "ProductRelationType") { enumValues { name } } }`;

export const RELATE = `mutation Relate($from: ID!, $to: ID!, $type: ProductRelationType!, $weight: Float) {
  relateProducts(from: $from, to: $to, type: $type, weight: $weight) { type weight } }`;

export const UNRELATE = `mutation Unrelate($from: ID!, $to: ID!, $type: ProductRelationType!) { unrelateProducts(from: $from, to: $to, type: $type) }`;

export const RECOMMEND = `query Recommend($userId: ID!, $first: Int, $filter: ProductFilter, $explain: Boolean) {
  recommend(userId: $userId, first: $first, filter: $filter, explain: $explain) { ${RANKED} } }`;

export const SEARCH_FOR_USER = `query SearchFor($query: String!, $userId: ID, $first: Int, $filter: ProductFilter) {
  search(query: $query, userId: $userId, first: $first, filter: $filter) { ${RANKED} } }`;

export const USER = `query User($id: ID!) { user(id: $id) { id behaviours(first: 20) { type count quantity lastAt product { id title } } } }`;

const RULE = `id action productId product { id title } position factor scope categoryId query createdAt createdBy expiresAt active`;
export const RULES = `query Rules($categoryId: ID, $query: String) { merchandisingRules(categoryId: $categoryId, query: $query) { ${RULE} } }`;
export const PIN = `mutation Pin($productId: ID!, $position: Int!, $categoryId: ID, $query: String, $expiresAt: DateTime) {
  pinProduct(productId: $productId, position: $position, categoryId: $categoryId, query: $query, expiresAt: $expiresAt) { ${RULE} } }`;
export const BOOST = `mutation Boost($productId: ID!, $factor: Float!, $categoryId: ID, $query: String, $expiresAt: DateTime) {
  boostProduct(productId: $productId, factor: $factor, categoryId: $categoryId, query: $query, expiresAt: $expiresAt) { ${RULE} } }`;
export const BURY = `mutation Bury($productId: ID!, $categoryId: ID, $query: String, $expiresAt: DateTime) {
  buryProduct(productId: $productId, categoryId: $categoryId, query: $query, expiresAt: $expiresAt) { ${RULE} } }`;
export const REMOVE_RULE = `mutation RemoveRule($id: ID!) { removeRule(id: $id) }`;

export const CREATE_CATEGORY = `mutation CreateCategory($input: CategoryInput!) { createCategory(input: $input) { id name } }`;
export const UPDATE_CATEGORY = `mutation UpdateCategory($input: CategoryUpdateInput!) { updateCategory(input: $input) { id name } }`;
export const CREATE_BRAND = `mutation CreateBrand($input: BrandInput!) { createBrand(input: $input) { id name } }`;
export const UPDATE_BRAND = `mutation UpdateBrand($input: BrandInput!) { updateBrand(input: $input) { id name } }`;

export const AUDIT = `query Audit($entityId: ID, $editor: String, $first: Int, $after: String) {
  auditLog(entityId: $entityId, editor: $editor, first: $first, after: $after) { nodes { id at editor entityType entityId action summary } pageInfo { hasNextPage endCursor } } }`;

const JOB = `id status requestedBy createdAt startedAt finishedAt modelVersion error options { epochs warmStart seed dimension }
  progress { epoch totalEpochs loss } metrics { valid { mrr hitsAt1 hitsAt3 hitsAt10 count } test { mrr hitsAt1 hitsAt3 hitsAt10 count } }`;
const VERSION = `version createdAt active benchmark trainedOn entityCount error
  hyperparameters { dimension distance loss epochs learningRate negatives }
  metrics { valid { mrr hitsAt1 hitsAt3 hitsAt10 count } test { mrr hitsAt1 hitsAt3 hitsAt10 count } }`;
export const MODELS = `query Models($versions: Int) { modelVersions(first: $versions) { ${VERSION} } trainingJobs { ${JOB} } }`;
export const START_RETRAINING = `mutation StartRetraining($options: RetrainingOptions) { startRetraining(options: $options) { ${JOB} } }`;
export const ACTIVATE = `mutation Activate($version: String!) { activateModel(version: $version) { version previousVersion vectorsWritten seconds } }`;

export interface LinkMetrics {
  mrr: number;
  hitsAt1: number;
  hitsAt3: number;
  hitsAt10: number;
  count: number;
}
export interface TrainingJob {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  requestedBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  modelVersion: string | null;
  error: string | null;
  options: { epochs: number | null; warmStart: boolean | null; seed: number | null; dimension: number | null };
  progress: { epoch: number; totalEpochs: number; loss: number | null };
  metrics: { valid: LinkMetrics | null; test: LinkMetrics | null } | null;
}

export interface ModelVersion {
  version: string;
  createdAt: string | null;
  active: boolean;
  benchmark: boolean;
  trainedOn: string | null;
  entityCount: number | null;
  error: string | null;
  hyperparameters: { dimension: number; distance: string; loss: string; epochs: number; learningRate: number; negatives: number } | null;
  metrics: { valid: LinkMetrics | null; test: LinkMetrics | null } | null;
}

export const LATEST_EVALUATION = `query LatestEvaluation {
  latestEvaluation { dataset note k evaluatedAt users modelVersion models { model metrics { name value } } chart } }`;

export interface Evaluation {
  dataset: string;
  note: string | null;
  k: number;
  evaluatedAt: string;
  users: number | null;
  modelVersion: string | null;
  models: { model: string; metrics: { name: string; value: number }[] }[];
  chart: string | null;
}

export type ExperimentState = 'DRAFT' | 'RUNNING' | 'PAUSED' | 'STOPPED';
export type ExperimentSurface = 'RECOMMEND' | 'SEARCH' | 'SIMILAR_PRODUCTS';
export type VariantStrategy = 'FUSED' | 'POPULARITY' | 'PERSONALISED_POPULARITY';
export const EXPERIMENT_SURFACES: readonly ExperimentSurface[] = ['RECOMMEND', 'SEARCH', 'SIMILAR_PRODUCTS'];
export const VARIANT_STRATEGIES: readonly VariantStrategy[] = ['FUSED', 'POPULARITY', 'PERSONALISED_POPULARITY'];

export interface ExperimentVariant {
  name: string;
  share: number;
  strategy: VariantStrategy | null;
  diversity: number | null;
  modelVersion: string | null;
  fusionWeights: { signal: string; weight: number }[];
  ruleSet: string | null;
}
export interface Experiment {
  id: string;
  name: string;
  description: string | null;
  state: ExperimentState;
  surfaces: ExperimentSurface[];
  variants: ExperimentVariant[];
  createdAt: string;
  createdBy: string;
  history: { from: ExperimentState | null; to: ExperimentState; at: string; editor: string }[];
}
export interface Estimate {
  value: number;
  low: number | null;
  high: number | null;
}
export interface VariantResults {
  name: string;
  share: number;
  users: number;
  servedLists: number;
  impressions: number;
  clicks: number;
  addToCarts: number;
  conversions: number;
  revenue: number;
  ctr: Estimate;
  addToCartRate: Estimate;
  conversionRate: Estimate;
  revenuePerUser: Estimate;
  versusControl: { pValue: number; ctrDifference: Estimate } | null;
}
export interface ExperimentResults {
  experiment: { id: string; name: string; state: ExperimentState };
  from: string;
  to: string;
  conversionDays: number;
  winner: string | null;
  pValue: number | null;
  variants: VariantResults[];
}

const EXPERIMENT = `id name description state surfaces createdAt createdBy
  variants { name share strategy diversity modelVersion ruleSet fusionWeights { signal weight } }
  history { from to at editor }`;
export const EXPERIMENTS = `query Experiments($first: Int) { experiments(first: $first) { ${EXPERIMENT} } }`;
export const CREATE_EXPERIMENT = `mutation CreateExperiment($input: ExperimentInput!) { createExperiment(input: $input) { ${EXPERIMENT} } }`;
export const START_EXPERIMENT = `mutation StartExperiment($id: ID!) { startExperiment(id: $id) { ${EXPERIMENT} } }`;
export const PAUSE_EXPERIMENT = `mutation PauseExperiment($id: ID!) { pauseExperiment(id: $id) { ${EXPERIMENT} } }`;
export const STOP_EXPERIMENT = `mutation StopExperiment($id: ID!) { stopExperiment(id: $id) { ${EXPERIMENT} } }`;
export const MODEL_VERSION_NAMES = `query ModelVersionNames { modelVersions(first: 20) { version benchmark error } }`;
const ESTIMATE = 'value low high';
export const EXPERIMENT_RESULTS = `query ExperimentResults($id: ID!, $from: DateTime!, $to: DateTime, $conversionDays: Int) {
  experimentResults(id: $id, from: $from, to: $to, conversionDays: $conversionDays) { experiment { id name state } from to conversionDays winner pValue
    variants { name share users servedLists impressions clicks addToCarts conversions revenue
      ctr { ${ESTIMATE} } addToCartRate { ${ESTIMATE} } conversionRate { ${ESTIMATE} } revenuePerUser { ${ESTIMATE} }
      versusControl { pValue ctrDifference { ${ESTIMATE} } } } } }`;
