import type { Kind } from '../ingest/records.js';

/** The order in which a shop's files must be loaded: everything an event or relation refers to comes first. */
export const LOAD_ORDER: readonly Kind[] = ['categories', 'brands', 'products', 'users', 'events', 'relations'];

export type ShopFiles = Partial<Record<Kind, string[]>>;
