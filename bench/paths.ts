import path from 'node:path';
import { PROJECT_ROOT } from '../src/config.js';

/** The public benchmark data sets live beside the repository, never inside it. */
export const SHARED_DATA = path.join(PROJECT_ROOT, '..', 'shared', 'data');
