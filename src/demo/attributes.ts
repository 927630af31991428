import type { ProductAttribute } from '../domain/attributes.js';
import type { Random } from '../math/random.js';
import type { Product, Shopper } from './model.js';

/**
 * Catalogue attributes of the demo shop and the shoppers' taste for them. Keys recur across departments
 * (colour, material, style), so a shopper's favourite colour shows in running shoes and in bags alike: the
 * attribute nodes then link products that category and brand do not, and the knowledge graph carries signal
 * no other part of the catalogue has.
 */

interface AttributeDimension {
  key: string;
  values: readonly string[];
  /** How many values a product takes (1 or 2: a charger compatible with two systems). */
  maxPerProduct: number;
}

const COLOUR: AttributeDimension = { key: 'colour', values: ['black', 'white', 'grey', 'navy', 'red', 'green', 'beige', 'pink'], maxPerProduct: 1 };
const STYLE: AttributeDimension = { key: 'style', values: ['classic', 'minimalist', 'sporty', 'vintage', 'bold'], maxPerProduct: 1 };

/** Per department slug (src/demo/vocabulary.ts); every product of the department gets each of them. */
const DEPARTMENT_ATTRIBUTES: Readonly<Record<string, readonly AttributeDimension[]>> = {
  electronics: [COLOUR, { key: 'compatible_with', values: ['Aurora OS', 'Nimbus OS', 'Helix OS'], maxPerProduct: 2 }],
  'sports-outdoors': [COLOUR, STYLE, { key: 'material', values: ['nylon', 'merino wool', 'polyester', 'aluminium', 'leather'], maxPerProduct: 1 }],
  'home-kitchen': [COLOUR, STYLE, { key: 'material', values: ['oak', 'stainless steel', 'ceramic', 'glass', 'cotton'], maxPerProduct: 1 }],
  fashion: [COLOUR, STYLE, { key: 'material', values: ['cotton', 'merino wool', 'linen', 'leather', 'denim'], maxPerProduct: 1 }],
  beauty: [STYLE, { key: 'scent', values: ['citrus', 'floral', 'woody', 'fresh', 'unscented'], maxPerProduct: 1 }],
  'toys-games': [COLOUR, { key: 'theme', values: ['space', 'dinosaurs', 'pirates', 'fairy tale', 'vehicles'], maxPerProduct: 1 }],
};

/** Every key the shop uses, each once, in a fixed order (the order tastes are drawn in). */
const ALL_DIMENSIONS: readonly AttributeDimension[] = [...new Map(Object.values(DEPARTMENT_ATTRIBUTES).flat().map((d) => [d.key, d])).values()];

/** How much more a product appeals per attribute value the shopper favours. */
export const ATTRIBUTE_AFFINITY = 4;
/** A second favourite colour, style ... this often: tastes are narrow but not single-valued. */
const SECOND_FAVOURITE_SHARE = 0.3;

/** Gives each product its department's attributes. */
export function assignAttributes(random: Random, products: readonly Product[]): void {
  for (const product of products) {
    const attributes: ProductAttribute[] = [];
    for (const dimension of DEPARTMENT_ATTRIBUTES[product.leaf.department.slug] ?? []) {
      const count = random.integer(1, dimension.maxPerProduct);
      for (const value of random.sample(dimension.values, count)) attributes.push({ key: dimension.key, value });
    }
    product.record.attributes = attributes;
  }
}

/** Gives each shopper one or two favourite values of every key. */
export function assignTastes(random: Random, shoppers: readonly Shopper[]): void {
  for (const shopper of shoppers) {
    const tastes = new Set<string>();
    for (const dimension of ALL_DIMENSIONS) {
      const count = random.chance(SECOND_FAVOURITE_SHARE) ? 2 : 1;
      for (const value of random.sample(dimension.values, count)) tastes.add(tasteKey(dimension.key, value));
    }
    shopper.attributeTastes = tastes;
  }
}

const tasteKey = (key: string, value: string): string => `${key}=${value}`;

/** How many of the product's attributes the shopper favours. */
export function favouredAttributes(shopper: Shopper, product: Product): number {
  let count = 0;
  for (const { key, value } of product.record.attributes) if (shopper.attributeTastes.has(tasteKey(key, value))) count += 1;
  return count;
}
