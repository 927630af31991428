import { type Brand, type Catalogue, type Leaf, type Period, type Shopper, type Tier, TIERS } from './model.js';
import type { Random } from '../math/random.js';

/** Share of shoppers per price band: most shop mid-range, fewer at the premium end. */
const BAND_SHARES: Record<Tier, number> = { budget: 0.35, mid: 0.45, premium: 0.2 };
/** A second or third favourite leaf is in the home department this often; otherwise anywhere. */
const SAME_DEPARTMENT_SHARE = 0.85;
/** Preference of the first, second and third favourite leaf. */
const FAVOURITE_LEAF_WEIGHTS = [1, 0.6, 0.35];
const FAVOURITE_BRANDS = { min: 2, max: 4 };
/**
 * Pareto tail of activity: with alpha 1.2 the most active few per cent of users produce a large share of the
 * sessions, as in real shop logs; the cap keeps one user from owning the data set.
 */
const ACTIVITY_ALPHA = 1.2;
const ACTIVITY_CAP = 60;
/** Share of shoppers whose taste drifts towards a new leaf during the period. */
const DRIFT_SHARE = 0.3;
/** Drift starts somewhere in the first three quarters of the period, so that it has time to show. */
const DRIFT_LATEST_START = 0.75;

function favouriteLeaves(random: Random, leaves: readonly Leaf[], homeDepartment: string): Leaf[] {
  const home = leaves.filter((leaf) => leaf.department.slug === homeDepartment);
  const chosen: Leaf[] = [random.pick(home)];
  const count = random.integer(1, FAVOURITE_LEAF_WEIGHTS.length);
  while (chosen.length < count) {
    const pool = (random.chance(SAME_DEPARTMENT_SHARE) ? home : leaves).filter((leaf) => !chosen.includes(leaf));
    if (pool.length === 0) break;
    chosen.push(random.pick(pool));
  }
  return chosen;
}

function favouriteBrands(random: Random, brands: readonly Brand[], favourites: readonly Leaf[]): Set<string> {
  const departments = new Set(favourites.map((leaf) => leaf.department.slug));
  const pool = brands.filter((brand) => brand.departments.some((department) => departments.has(department)));
  const chosen = new Set<string>();
  const count = Math.min(pool.length, random.integer(FAVOURITE_BRANDS.min, FAVOURITE_BRANDS.max));
  // Big brands are more often someone's favourite.
  while (chosen.size < count) chosen.add(random.weightedPick(pool, (brand) => brand.size).record.id);
  return chosen;
}

export function buildShoppers(random: Random, count: number, catalogue: Catalogue, period: Period): Shopper[] {
  const departments = [...new Set(catalogue.leaves.map((leaf) => leaf.department.slug))];
  const shoppers: Shopper[] = [];
  for (let index = 0; index < count; index += 1) {
    const homeDepartment = random.pick(departments);
    const favourites = favouriteLeaves(random, catalogue.leaves, homeDepartment);
    const shopper: Shopper = {
      record: { id: `u-${String(index + 1).padStart(4, '0')}` },
      homeDepartment,
      favouriteLeaves: favourites,
      leafWeights: favourites.map((_, rank) => FAVOURITE_LEAF_WEIGHTS[rank] ?? 0),
      favouriteBrands: favouriteBrands(random, catalogue.brands, favourites),
      band: random.weightedPick(TIERS, (tier) => BAND_SHARES[tier]),
      activity: random.pareto(ACTIVITY_ALPHA, ACTIVITY_CAP),
      attributeTastes: new Set(),
    };
    if (random.chance(DRIFT_SHARE)) {
      const pool = catalogue.leaves.filter((leaf) => !favourites.includes(leaf));
      const span = period.endMs - period.startMs;
      shopper.drift = { leaf: random.pick(pool), startMs: period.startMs + Math.floor(random.uniform(0, DRIFT_LATEST_START) * span) };
    }
    shoppers.push(shopper);
  }
  return shoppers;
}
