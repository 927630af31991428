import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql as Node itself loads it (CommonJS, its "main"), not its ES build: one copy shared with Apollo and
  // graphql-jit, as in production, instead of two whose types would not recognise each other.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/setup.ts'],
    // One Neo4j serves every test file; files run one after another so each can start from an empty graph.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
