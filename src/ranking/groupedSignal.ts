/**
 * A signal that holds one value per group of products, such as a user's interest in each category or
 * brand: product i's value is values[groupOf[i]], and 0 for a product in no group. Kept per group rather
 * than spread over the catalogue: its mean and deviation follow from the group sizes, and fusion adds it
 * through a table in a pass it makes anyway, which saves a request an allocation and two passes over a
 * large catalogue per such signal.
 */
export interface GroupedSignal {
  /** The value of each group. */
  values: Float64Array;
  /** Each product's group (−1: none), by snapshot index. */
  groupOf: Int32Array;
}

/** The value of one product. */
export function groupedValue(signal: GroupedSignal, index: number): number {
  const group = signal.groupOf[index] as number;
  return group >= 0 ? (signal.values[group] as number) : 0;
}

/** Every product's value (what offline evaluation reads). */
export function spreadGroups(signal: GroupedSignal): Float32Array {
  const { values, groupOf } = signal;
  const out = new Float32Array(groupOf.length);
  for (let i = 0; i < groupOf.length; i += 1) {
    const group = groupOf[i] as number;
    if (group >= 0) out[i] = values[group] as number;
  }
  return out;
}

/** Products per group, then those in none: one count per product array (the catalogue's categories or brands). */
const sizesCache = new WeakMap<Int32Array, { sizes: Float64Array; ungrouped: number }>();

function groupSizes(groupOf: Int32Array, groups: number): { sizes: Float64Array; ungrouped: number } {
  const cached = sizesCache.get(groupOf);
  if (cached && cached.sizes.length >= groups) return cached;
  const sizes = new Float64Array(groups);
  let ungrouped = 0;
  for (let i = 0; i < groupOf.length; i += 1) {
    const group = groupOf[i] as number;
    if (group >= 0 && group < groups) sizes[group] = (sizes[group] as number) + 1;
    else ungrouped += 1;
  }
  const result = { sizes, ungrouped };
  sizesCache.set(groupOf, result);
  return result;
}

/** The sum and sum of squares of every product's value, as a pass over the spread signal would count them. */
export function groupedSums(signal: GroupedSignal): { count: number; sum: number; squares: number } {
  const { sizes } = groupSizes(signal.groupOf, signal.values.length);
  let count = signal.groupOf.length;
  let sum = 0;
  let squares = 0;
  for (let group = 0; group < signal.values.length; group += 1) {
    const value = signal.values[group] as number;
    const size = sizes[group] as number;
    if (value - value !== 0) {
      count -= size; // ±Infinity and NaN are left out, as for a dense signal
      continue;
    }
    sum += value * size;
    squares += value * value * size;
  }
  return { count, sum, squares };
}
