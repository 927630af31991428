import type { ProductAttribute } from '../domain/attributes.js';
import type { DepartmentVocabulary, LeafVocabulary } from './vocabulary.js';

/** The records of the demo shop, as the ingester reads them (see src/ingest/records.ts). */

export interface DemoShopOptions {
  seed?: number;
  products?: number;
  users?: number;
  events?: number;
  /** End of the event period, epoch ms; default Date.UTC(2026, 5, 30). */
  endAt?: number;
  /** Months of history, default 6. */
  months?: number;
}

export interface DemoCategory {
  id: string;
  name: string;
  parentId?: string;
}
export interface DemoBrand {
  id: string;
  name: string;
}
export interface DemoUser {
  id: string;
}
export interface DemoProduct {
  id: string;
  title: string;
  description: string;
  categoryId: string;
  brandId: string;
  price: number;
  currency: string;
  inStock: boolean;
  /** ISO-8601. */
  createdAt: string;
  /** Catalogue attributes (colour, material, style ...): knowledge-graph nodes once loaded. */
  attributes: ProductAttribute[];
}
export type DemoEventType = 'view' | 'click' | 'add_to_cart' | 'purchase';
export interface DemoEvent {
  id: string;
  userId: string;
  productId: string;
  type: DemoEventType;
  /** ISO-8601 with milliseconds and `Z`. */
  timestamp: string;
  quantity?: number;
}
export type DemoRelationType = 'COMPLEMENTS' | 'SUBSTITUTES' | 'ACCESSORY_OF';
export interface DemoRelation {
  from: string;
  to: string;
  type: DemoRelationType;
  /** In (0, 1]. */
  weight: number;
}

export interface DemoShop {
  categories: DemoCategory[];
  brands: DemoBrand[];
  users: DemoUser[];
  products: DemoProduct[];
  events: DemoEvent[];
  relations: DemoRelation[];
}

/** The latent side of the demo shop: what the generator knows and a recommender has to learn. */

export type Tier = 'budget' | 'mid' | 'premium';
export const TIERS: readonly Tier[] = ['budget', 'mid', 'premium'];

export interface Period {
  startMs: number;
  endMs: number;
}

export interface Leaf {
  id: string;
  name: string;
  /** "department/subcategory/leaf", the key BOUGHT_TOGETHER uses. */
  path: string;
  department: DepartmentVocabulary;
  vocabulary: LeafVocabulary;
  /** Relative share of the catalogue (some leaves are bigger than others). */
  weight: number;
}

export interface Brand {
  record: DemoBrand;
  /** Department slugs the brand sells in (one or two). */
  departments: readonly string[];
  tier: Tier;
  signature: readonly [string, string];
  /** Two letters that start the brand's model codes ("NV-320"). */
  modelPrefix: string;
  /** Relative size: big brands have more products. */
  size: number;
}

export interface Product {
  record: DemoProduct;
  leaf: Leaf;
  brand: Brand;
  createdMs: number;
  /** Zipf-like base appeal: a few products of each leaf are far more popular than the rest. */
  popularity: number;
}

export interface Catalogue {
  categories: DemoCategory[];
  leaves: Leaf[];
  brands: Brand[];
  products: Product[];
  /** Products of each leaf id, oldest first, so that "what existed at time t" is a prefix. */
  productsByLeaf: Map<string, Product[]>;
}

export interface Shopper {
  record: DemoUser;
  homeDepartment: string;
  favouriteLeaves: readonly Leaf[];
  /** How strongly each favourite leaf is preferred, same order. */
  leafWeights: readonly number[];
  favouriteBrands: ReadonlySet<string>;
  band: Tier;
  /** Relative number of sessions (heavy-tailed). */
  activity: number;
  /** Favoured attribute values, as `key=value` (colour=red): products with them appeal more. */
  attributeTastes: ReadonlySet<string>;
  /** A leaf the shopper grows into over time: taste drift. */
  drift?: { leaf: Leaf; startMs: number };
}
