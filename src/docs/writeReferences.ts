import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.js';
import { CONFIGURATION_DOC, configurationReference } from './configurationReference.js';
import { GRAPHQL_DOC, graphqlReference } from './graphqlReference.js';

/**
 * `npm run docs`: writes the generated references; `npm run docs -- --check` only says which are stale
 * (exit 1), for CI.
 */

const GENERATED_DOCS: readonly { file: string; render: () => string }[] = [
  { file: CONFIGURATION_DOC, render: configurationReference },
  { file: GRAPHQL_DOC, render: graphqlReference },
];

const readOrEmpty = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

const check = process.argv.includes('--check');
let stale = 0;
for (const { file, render } of GENERATED_DOCS) {
  const text = render();
  const name = path.relative(PROJECT_ROOT, file);
  if (readOrEmpty(file) === text) continue;
  if (check) {
    stale += 1;
    process.stderr.write(`${name} is out of date: run npm run docs\n`);
  } else {
    writeFileSync(file, text);
    process.stderr.write(`wrote ${name}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
