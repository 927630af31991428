/**
 * Turns shopper text into a safe Lucene query for Neo4j's full-text indexes. Every character with a
 * meaning in Lucene's query syntax is escaped and the text is lower-cased (which also disarms the AND, OR
 * and NOT operators), so the input is only ever matched as words: `"running shoes" -trail` searches for
 * the words running, shoes and -trail rather than a phrase with an exclusion.
 */

/** Lucene's special characters (classic query parser): + - && || ! ( ) { } [ ] ^ " ~ * ? : \ / */
const LUCENE_SPECIAL = /[+\-&|!(){}[\]^"~*?:\\/]/g;

/** Words beyond this are dropped: a query of hundreds of words costs the index much and helps nobody. */
export const MAX_QUERY_TERMS = 32;

/** The escaped query, or null when the text holds no word at all. */
export function toLuceneQuery(text: string): string | null {
  const terms = text
    .normalize('NFKC')
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .slice(0, MAX_QUERY_TERMS)
    .map((term) => term.replace(LUCENE_SPECIAL, (character) => `\\${character}`));
  return terms.length === 0 ? null : terms.join(' ');
}
