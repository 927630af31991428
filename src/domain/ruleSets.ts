/**
 * Named sets of merchandising rules, so that an experiment's variant can try rules before the whole shop
 * gets them. A rule carries an optional rule set name: rules without one are the shop's and apply to every
 * list; a named set's rules apply only to the lists of a variant that asks for that set, on top of the
 * shop's (where both have a rule for the same product and target, the set's counts). A variant may also ask
 * for no rules at all.
 */

/** The variant's rule set that means "no merchandising rules"; no rule can be put in a set of this name. */
export const NO_RULES = 'none';

/** Rule set names: short lowercase words, as they appear in URLs, labels and the audit trail. */
export const RULE_SET_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const RULE_SET_NAME_RULE = 'expected 1 to 40 lowercase letters, digits, "_" or "-", starting with a letter or digit';

/** The rules a list gets under `ruleSet` (undefined: the shop's own), from every live rule. */
export function rulesOfSet<R extends { ruleSet?: string | null; productId: string; scope: string; categoryId: string | null; query: string | null }>(
  rules: readonly R[],
  ruleSet: string | undefined,
): R[] {
  if (ruleSet === NO_RULES) return [];
  const shop = rules.filter((rule) => (rule.ruleSet ?? null) === null);
  if (ruleSet === undefined) return shop;
  const own = rules.filter((rule) => rule.ruleSet === ruleSet);
  const target = (rule: R) => `${rule.productId}\u0000${rule.scope}\u0000${rule.categoryId ?? rule.query ?? ''}`;
  const taken = new Set(own.map(target));
  return [...own, ...shop.filter((rule) => !taken.has(target(rule)))];
}
