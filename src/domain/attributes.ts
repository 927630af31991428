/**
 * Product attributes: the key/value facts a catalogue carries about a product (colour, material, author,
 * compatible-with). Each distinct pair is one (:Attribute) node that products link to, so that products
 * sharing a value meet in the knowledge graph (decision 0019).
 */

/** One attribute of a product; a key may carry several values (compatible with two devices). */
export interface ProductAttribute {
  key: string;
  value: string;
}

/**
 * Keys are lower-case slugs, with no vocabulary imposed: a shop names its own (`colour`, `compatible_with`).
 * 40 characters hold any attribute name a catalogue uses and keep keys readable in explanations.
 */
export const ATTRIBUTE_KEY = /^[a-z][a-z0-9_]{0,39}$/;
export const ATTRIBUTE_KEY_DESCRIPTION = 'a lower-case key of 1 to 40 letters, digits or underscores, starting with a letter';
/** A value is a short name (a colour, an author), not a text: 200 characters hold the longest book author lists. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 200;
/** Far above what a product page lists, and it bounds what one product adds to a write and to the graph. */
export const MAX_ATTRIBUTES_PER_PRODUCT = 50;

/** The node id of a pair: keys never hold `=`, so the first `=` splits it again. */
export const attributeId = (key: string, value: string): string => `${key}=${value}`;

/** The key and value of an attribute node id, or null when it is not one. */
export function parseAttributeId(id: string): ProductAttribute | null {
  const at = id.indexOf('=');
  if (at < 1) return null;
  const key = id.slice(0, at);
  return ATTRIBUTE_KEY.test(key) ? { key, value: id.slice(at + 1) } : null;
}

/** The label of attribute nodes, and the prefix of their keys in the knowledge graph and the trained model. */
export const ATTRIBUTE_LABEL = 'Attribute';
export const attributeNodeKey = (key: string, value: string): string => `${ATTRIBUTE_LABEL}:${attributeId(key, value)}`;

/** The pair behind a knowledge-graph node key (`Attribute:colour=red`), or null for any other node. */
export function attributeOfNodeKey(nodeKey: string): ProductAttribute | null {
  const prefix = `${ATTRIBUTE_LABEL}:`;
  return nodeKey.startsWith(prefix) ? parseAttributeId(nodeKey.slice(prefix.length)) : null;
}
