/**
 * User–item interactions as a compressed sparse row (CSR) matrix: the one shape the collaborative-filtering
 * models train on and offline evaluation reads (masks, test lists, co-occurrence, negative sampling), with no
 * per-interaction objects.
 */

export interface InteractionMatrix {
  userCount: number;
  itemCount: number;
  /** Row pointers: the items of user u are indices[indptr[u] .. indptr[u + 1]). Length userCount + 1. */
  indptr: Int32Array;
  /** Item ids, sorted ascending and distinct within each user's row. */
  indices: Int32Array;
  /** Optional strength of each interaction, parallel to `indices` (summed over duplicates). */
  weights?: Float32Array;
}

/** Training and test interactions over the same users and items (e.g. KGAT's train.txt / test.txt). */
export interface InteractionSplit {
  userCount: number;
  itemCount: number;
  train: InteractionMatrix;
  test: InteractionMatrix;
  /** Item index → external id, where the data set has one. */
  itemNames?: string[];
  /** User index → external id, where the data set has one. */
  userNames?: string[];
}

/**
 * Builds the CSR matrix of (users[i], items[i]) pairs, in any order, with duplicates merged (their weights
 * summed). A counting sort by user, then a sort of each row, keeps it O(n log(row length)).
 */
export function interactionsFromPairs(
  users: Int32Array,
  items: Int32Array,
  userCount: number,
  itemCount: number,
  weights?: Float32Array,
): InteractionMatrix {
  if (users.length !== items.length) throw new RangeError(`interactions: ${users.length} users but ${items.length} items`);
  if (weights !== undefined && weights.length !== users.length) {
    throw new RangeError(`interactions: ${weights.length} weights for ${users.length} pairs`);
  }
  checkCount('userCount', userCount);
  checkCount('itemCount', itemCount);
  const counts = new Int32Array(userCount + 1);
  for (let i = 0; i < users.length; i += 1) {
    const user = users[i]!;
    const item = items[i]!;
    if (!(user >= 0 && user < userCount)) throw new RangeError(`interactions: pair ${i}: user ${user} is outside 0..${userCount - 1}`);
    if (!(item >= 0 && item < itemCount)) throw new RangeError(`interactions: pair ${i}: item ${item} is outside 0..${itemCount - 1}`);
    counts[user + 1]! += 1;
  }
  for (let u = 0; u < userCount; u += 1) counts[u + 1]! += counts[u]!;

  const next = counts.slice(0, userCount);
  const order = new Int32Array(users.length);
  for (let i = 0; i < users.length; i += 1) order[next[users[i]!]!++] = i;

  // Sort each row by item, then compact duplicates in place; `indptr` is rewritten as rows shrink.
  const indices = new Int32Array(users.length);
  const merged = weights === undefined ? undefined : new Float32Array(users.length);
  const indptr = new Int32Array(userCount + 1);
  let written = 0;
  for (let u = 0; u < userCount; u += 1) {
    const start = counts[u]!;
    const end = counts[u + 1]!;
    if (merged === undefined) {
      const row = indices.subarray(written, written + (end - start));
      for (let p = start; p < end; p += 1) row[p - start] = items[order[p]!]!;
      row.sort();
      let kept = 0;
      for (let p = 0; p < row.length; p += 1) if (kept === 0 || row[p]! !== row[kept - 1]!) row[kept++] = row[p]!;
      written += kept;
    } else {
      // Weighted rows are few and small in practice: sorting the pair order keeps item and weight together.
      const sorted = Array.from(order.subarray(start, end)).sort((a, b) => items[a]! - items[b]!);
      for (const pair of sorted) {
        const item = items[pair]!;
        if (written > indptr[u]! && indices[written - 1] === item) merged[written - 1]! += weights![pair]!;
        else {
          indices[written] = item;
          merged[written] = weights![pair]!;
          written += 1;
        }
      }
    }
    indptr[u + 1] = written;
  }
  const matrix: InteractionMatrix = { userCount, itemCount, indptr, indices: indices.slice(0, written) };
  if (merged !== undefined) matrix.weights = merged.slice(0, written);
  return matrix;
}

/** Builds a matrix from one item list per user (for fixtures and small data); duplicates are merged. */
export function interactionsFromLists(lists: readonly (readonly number[])[], itemCount: number): InteractionMatrix {
  const total = lists.reduce((sum, list) => sum + list.length, 0);
  const users = new Int32Array(total);
  const items = new Int32Array(total);
  let n = 0;
  for (const [user, list] of lists.entries()) {
    for (const item of list) {
      users[n] = user;
      items[n] = item;
      n += 1;
    }
  }
  return interactionsFromPairs(users, items, lists.length, itemCount);
}

/** The item ids of one user (a view into the matrix, sorted ascending). */
export function itemsOf(matrix: InteractionMatrix, user: number): Int32Array {
  return matrix.indices.subarray(matrix.indptr[user]!, matrix.indptr[user + 1]!);
}

export function rowLength(matrix: InteractionMatrix, user: number): number {
  return matrix.indptr[user + 1]! - matrix.indptr[user]!;
}

export function interactionCount(matrix: InteractionMatrix): number {
  return matrix.indices.length;
}

/** Whether `user` interacted with `item` (binary search in the sorted row). */
export function hasInteraction(matrix: InteractionMatrix, user: number, item: number): boolean {
  return sortedContains(matrix.indices, matrix.indptr[user]!, matrix.indptr[user + 1]!, item);
}

/** Binary search for `value` in the ascending slice values[from, to). */
export function sortedContains(values: Int32Array, from: number, to: number, value: number): boolean {
  let low = from;
  let high = to - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const found = values[mid]!;
    if (found < value) low = mid + 1;
    else if (found > value) high = mid - 1;
    else return true;
  }
  return false;
}

/** Interactions per item. */
export function itemDegrees(matrix: InteractionMatrix): Int32Array {
  const degrees = new Int32Array(matrix.itemCount);
  for (let p = 0; p < matrix.indices.length; p += 1) degrees[matrix.indices[p]!]! += 1;
  return degrees;
}

/** The users that have at least `minimum` items, ascending. */
export function usersWithItems(matrix: InteractionMatrix, minimum = 1): Int32Array {
  let count = 0;
  for (let u = 0; u < matrix.userCount; u += 1) if (rowLength(matrix, u) >= minimum) count += 1;
  const users = new Int32Array(count);
  let n = 0;
  for (let u = 0; u < matrix.userCount; u += 1) if (rowLength(matrix, u) >= minimum) users[n++] = u;
  return users;
}

/**
 * The item → user matrix (rows are items). A counting sort over users in ascending order leaves every
 * row sorted without a comparison sort. Weights are not carried over.
 */
export function transpose(matrix: InteractionMatrix): InteractionMatrix {
  const { userCount, itemCount, indptr, indices } = matrix;
  const counts = new Int32Array(itemCount + 1);
  for (let p = 0; p < indices.length; p += 1) counts[indices[p]! + 1]! += 1;
  for (let i = 0; i < itemCount; i += 1) counts[i + 1]! += counts[i]!;
  const next = counts.slice(0, itemCount);
  const users = new Int32Array(indices.length);
  for (let u = 0; u < userCount; u += 1) {
    for (let p = indptr[u]!, end = indptr[u + 1]!; p < end; p += 1) users[next[indices[p]!]!++] = u;
  }
  return { userCount: itemCount, itemCount: userCount, indptr: counts, indices: users };
}

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`interactions: ${name}: expected a non-negative integer, got ${value}`);
}
