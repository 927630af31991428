import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers.js';

// Every test file removes the temporary folders it made (data files, model folders) when it ends.
afterAll(() => removeTempDirs());
