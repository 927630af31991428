/**
 * Turns product texts and search queries into terms: lower-cased, accents folded, split on anything that
 * is not a letter or digit, stop words and one-letter tokens dropped, and English plurals folded
 * ("shoes" → "shoe") so that a query and a title meet on the same term. Hand-written rather than a full
 * stemmer on purpose: Porter-style stemming merges words shoppers keep apart ("running" and "run",
 * "cases" and "case" are fine, "glasses" and "glass" are not) and would make explanations read oddly.
 */

/** Common English function words: they match everything and therefore say nothing about a product. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for from has have in into is it its of on or our so than that the their them then there these ' +
    'this those to too up very was were what when where which while who will with within without you your yours ' +
    'all any each every more most much no not only other same such can could may might must should would ' +
    'about above after again against below between both during further here how just off once out over own under until why ' +
    'i me my we us he him his she her they do does did done being been also get gets new'
  ).split(' '),
);

/** Words whose trailing "s" is not a plural (or whose singular would collide with another word). */
const KEEP_FINAL_S = new Set(['glass', 'glasses', 'lens', 'series', 'species', 'news', 'bus', 'gas', 'plus', 'less', 'dress', 'press', 'canvas', 'chess', 'cross', 'jeans', 'shorts', 'pants', 'trousers', 'scissors', 'headphones', 'earbuds']);

const SPLIT = /[^\p{L}\p{N}]+/u;
const DIACRITICS = /\p{M}+/gu;
const DIGITS_ONLY = /^\p{N}+$/u;

/** Folds a plural to its singular with the few English rules that are safe for product words. */
export function singular(word: string): string {
  if (word.length <= 3 || KEEP_FINAL_S.has(word) || !word.endsWith('s') || word.endsWith('ss') || word.endsWith('us') || word.endsWith('is')) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ches|shes|xes|zes|sses)$/.test(word)) return word.slice(0, -2);
  return word.slice(0, -1);
}

/** The terms of a text, in order, repeats kept (callers count or deduplicate as they need). */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  for (const raw of text.normalize('NFKD').replace(DIACRITICS, '').toLowerCase().split(SPLIT)) {
    if (raw.length < 2 || STOP_WORDS.has(raw) || DIGITS_ONLY.test(raw)) continue;
    terms.push(singular(raw));
  }
  return terms;
}

/** Distinct terms of a text, first occurrence first. */
export const distinctTerms = (text: string): string[] => [...new Set(tokenize(text))];
