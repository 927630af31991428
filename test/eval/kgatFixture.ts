/**
 * A small generated data set in KGAT's file format (train.txt / test.txt, one line per user), from the
 * clustered interactions of the recommender tests: enough structure for the baselines to differ.
 */
import { itemsOf, type InteractionMatrix } from '../../src/math/interactions.js';
import { Random } from '../../src/math/random.js';
import { clusteredSplit } from '../recommenders/clusteredInteractions.js';
import { tempDir, writeFixture } from '../helpers.js';

export interface KgatFixtureOptions {
  /** Replace every test item by a seeded random one (the same train.txt). */
  corruptTest?: boolean;
}

export function kgatFixtureDir(options: KgatFixtureOptions = {}): string {
  const split = clusteredSplit({ clusters: 3, usersPerCluster: 40, itemsPerCluster: 30, trainPerUser: 12, testPerUser: 3, seed: 5 });
  const random = new Random(99);
  const lines = (matrix: InteractionMatrix, corrupt: boolean) =>
    Array.from({ length: matrix.userCount }, (_, user) => {
      const items = Array.from(itemsOf(matrix, user), (item) => (corrupt ? random.nextInt(matrix.itemCount) : item));
      return [user, ...new Set(items)].join(' ');
    });
  const dir = tempDir('kgrec-kgat-eval-');
  writeFixture(dir, 'train.txt', lines(split.train, false));
  writeFixture(dir, 'test.txt', lines(split.test, options.corruptTest === true));
  return dir;
}
