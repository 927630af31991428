/**
 * The rule preview's "after": the list the API answers now ("before", rules in force applied), with one
 * new rule applied the way the server applies rules (src/ranking/rules.ts), computed in the browser so that
 * nothing is saved, and nothing is added to the API, for a preview.
 *
 * The server orders from the ranker's own list, which no client sees; the preview starts from the served
 * one. Both agree exactly with no other rule in force, and with pins and burials in force; a new boost counts
 * places in the served order, where other boosts are already applied and where an earlier pin or burial of
 * the same product hid its own place (docs/decisions/0023-merchandiser-console.md).
 *
 * - The product's earlier rule for the same target is replaced: it first leaves its place.
 * - Pin: inserted at its 1-based position (last on a shorter page); a pin already there moves down one.
 * - Bury: below every item that is not buried.
 * - Boost: its place among its peers (the items neither pinned nor buried) is divided by the factor, a tie
 *   going to the boosted item; a product that is not in the list enters one place below the last peer.
 *   Pinned items keep their positions; buried items stay below.
 *
 * Self-contained, with no imports: the page imports it, and the tests compare it with the server's rules.
 */

export type DraftRule =
  | { action: 'PIN'; productId: string; position: number }
  | { action: 'BOOST'; productId: string; factor: number }
  | { action: 'BURY'; productId: string };

export interface PreviewContext<T> {
  idOf: (item: T) => string;
  /** The page shown: the server ranks this many candidates (and one more per buried product). */
  first: number;
  /** Products pinned in the served list (their reasons say PINNED). */
  pinned: ReadonlySet<string>;
  /** Products buried by rules in force for this target. */
  buried: ReadonlySet<string>;
  /** The rule's product when it is not in the served list (null: it cannot be shown, e.g. outside the filter). */
  missing: T | null;
}

/** The page after the rule: at most `first` items of `before` (served for a larger `first`), reordered. */
export function previewAfter<T>(before: readonly T[], rule: DraftRule, context: PreviewContext<T>): T[] {
  const { idOf, first } = context;
  const buried = new Set([...context.buried].filter((id) => id !== rule.productId));
  if (rule.action === 'BURY') buried.add(rule.productId);
  // The server's candidates: the page, and one more per buried product so that those can leave a full page.
  // Buried products are taken to lie within them (one buries what shows), so the rest fill the page.
  const candidates = [...before.filter((item) => !buried.has(idOf(item))).slice(0, first), ...before.filter((item) => buried.has(idOf(item)))];
  const own = candidates.find((item) => idOf(item) === rule.productId) ?? (rule.action === 'BURY' ? null : context.missing);
  const isHeld = (item: T) => idOf(item) !== rule.productId && context.pinned.has(idOf(item));
  // Pins in force keep their positions; the others are ordered first, then the pins are put back.
  const held = before.flatMap((item, index) => (isHeld(item) && candidates.includes(item) ? [{ item, position: index + 1 }] : []));
  const rest = candidates.filter((item) => !isHeld(item) && idOf(item) !== rule.productId);
  const isBuried = (item: T) => buried.has(idOf(item));
  let ordered: T[];
  if (own === null || own === undefined || rule.action === 'PIN') ordered = rest;
  else if (rule.action === 'BURY') ordered = [...rest.filter((item) => !isBuried(item)), own, ...rest.filter(isBuried)];
  else ordered = [...boostPlaces(candidates, rest, own, rule.factor, context.idOf), ...rest.filter(isBuried)];
  const pins = own && rule.action === 'PIN' ? [{ item: own, position: rule.position }, ...held] : held;
  // A stable sort: at a shared position the new pin, the newest rule, comes first, as on the server.
  return placePins(ordered, [...pins].sort((a, b) => a.position - b.position)).slice(0, first);
}

/** The unpinned, unburied items with the boosted one's place divided by its factor; ties go to it. */
function boostPlaces<T>(candidates: readonly T[], rest: readonly T[], own: T, factor: number, idOf: (item: T) => string): T[] {
  const ownId = idOf(own);
  const restIds = new Set(rest.map(idOf));
  const peers = candidates.filter((item) => idOf(item) === ownId || restIds.has(idOf(item)));
  // A product the list lacks enters one place below the last candidate, as the server looks it up.
  if (!peers.some((item) => idOf(item) === ownId)) peers.push(own);
  return peers
    .map((item, index) => ({ item, index, isOwn: idOf(item) === ownId }))
    .map((entry) => ({ ...entry, place: (entry.index + 1) / (entry.isOwn ? Math.max(1, factor) : 1) }))
    .sort((a, b) => a.place - b.place || Number(b.isOwn) - Number(a.isOwn) || a.index - b.index)
    .map((entry) => entry.item);
}

/** Pins spliced in position order; pins sharing a position take the following places (the server's rule). */
function placePins<T>(ordered: readonly T[], pins: readonly { item: T; position: number }[]): T[] {
  const result = [...ordered];
  let lastPinned = -1;
  for (const { item, position } of pins) {
    const at = Math.min(result.length, Math.max(position - 1, lastPinned + 1));
    result.splice(at, 0, item);
    lastPinned = at;
  }
  return result;
}

/** Where each product moved: positive when it rose, null when it is new to the list. */
export function movements<T>(before: readonly T[], after: readonly T[], idOf: (item: T) => string): Map<string, number | null> {
  const was = new Map(before.map((item, index) => [idOf(item), index]));
  return new Map(after.map((item, index) => {
    const old = was.get(idOf(item));
    return [idOf(item), old === undefined ? null : old - index];
  }));
}
