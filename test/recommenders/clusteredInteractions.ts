/**
 * A generated, deterministic data set with structure a personal model can learn: users and items fall in
 * clusters, and a user interacts mostly with items of their own cluster (more with its popular ones), plus
 * an occasional item from anywhere. Popularity alone can only suggest the same items to everyone.
 */
import { interactionsFromPairs, type InteractionSplit } from '../../src/math/interactions.js';
import { Random } from '../../src/math/random.js';

export interface ClusteredOptions {
  clusters?: number;
  usersPerCluster?: number;
  itemsPerCluster?: number;
  trainPerUser?: number;
  testPerUser?: number;
  seed?: number;
}

export function clusteredSplit(options: ClusteredOptions = {}): InteractionSplit & { userCluster: Int32Array; itemCluster: Int32Array } {
  const clusters = options.clusters ?? 4;
  const usersPerCluster = options.usersPerCluster ?? 60;
  const itemsPerCluster = options.itemsPerCluster ?? 40;
  const trainPerUser = options.trainPerUser ?? 10;
  const testPerUser = options.testPerUser ?? 3;
  const random = new Random(options.seed ?? 11);
  const userCount = clusters * usersPerCluster;
  const itemCount = clusters * itemsPerCluster;
  const userCluster = Int32Array.from({ length: userCount }, (_, u) => Math.floor(u / usersPerCluster));
  const itemCluster = Int32Array.from({ length: itemCount }, (_, i) => Math.floor(i / itemsPerCluster));
  // Within a cluster, item r is drawn with weight 1 / (r + 1)^0.7: a mild popularity skew.
  const weights = Array.from({ length: itemsPerCluster }, (_, r) => 1 / Math.pow(r + 1, 0.7));
  const total = weights.reduce((a, b) => a + b, 0);
  const drawInCluster = (c: number): number => {
    let x = random.nextFloat() * total;
    for (let r = 0; r < itemsPerCluster; r += 1) {
      x -= weights[r]!;
      if (x < 0) return c * itemsPerCluster + r;
    }
    return c * itemsPerCluster + itemsPerCluster - 1;
  };
  const trainPairs: [number, number][] = [];
  const testPairs: [number, number][] = [];
  for (let u = 0; u < userCount; u += 1) {
    const chosen = new Set<number>();
    while (chosen.size < trainPerUser + testPerUser) chosen.add(drawInCluster(userCluster[u]!));
    const own = [...chosen];
    for (const [n, item] of own.entries()) (n < testPerUser ? testPairs : trainPairs).push([u, item]);
    trainPairs.push([u, random.nextInt(itemCount)]); // one stray interaction
  }
  const matrix = (pairs: [number, number][]) =>
    interactionsFromPairs(Int32Array.from(pairs, (p) => p[0]), Int32Array.from(pairs, (p) => p[1]), userCount, itemCount);
  const train = matrix(trainPairs);
  // A stray training item may coincide with a test item; drop it from the test side so nothing is unrankable.
  const test = matrix(testPairs.filter(([u, i]) => !trainPairs.some(([v, j]) => v === u && j === i)));
  return { userCount, itemCount, train, test, userCluster, itemCluster };
}
