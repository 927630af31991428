import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/config.js';

/**
 * The layering of src/ (see the conventions' "shape of the code"): a folder imports only from folders on a
 * lower layer, so that data flows one way and serving never depends on offline evaluation. Folders on one
 * layer are independent of each other. A new folder fails the test until it is given a layer here.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['domain', 'config', 'util'],
  ['text', 'math', 'plot'],
  ['graph'],
  ['recommenders'],
  ['kge', 'ingest', 'demo'],
  ['ranking'],
  ['eval'],
  ['jobs'],
  ['api'],
  ['cli', 'docs'],
];

const SRC = path.join(PROJECT_ROOT, 'src');
/** AssemblyScript compiled to WebAssembly, not TypeScript that Node loads. */
const NOT_TYPESCRIPT_MODULES = new Set([path.join('kge', 'simd', 'assembly')]);

const layerOf = new Map(LAYERS.flatMap((folders, layer) => folders.map((folder) => [folder, layer] as const)));

interface Import {
  /** Paths relative to src/. */
  from: string;
  to: string;
}

/** The folder a src/-relative path belongs to: its first segment, or the file's own name for src/config.ts. */
function folderOf(file: string): string {
  const [first] = file.split(path.sep);
  return (first ?? file).replace(/\.[jt]s$/, '');
}

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return NOT_TYPESCRIPT_MODULES.has(path.relative(SRC, full)) ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Every relative import of a file (static, type-only, re-exports and dynamic import()), resolved against src/. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): Import[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ from: path.relative(SRC, file), to: path.relative(SRC, path.resolve(path.dirname(file), specifier)) }));
}

/** "from → to" for each import that reaches a folder on the same or a higher layer. */
function violations(imports: readonly Import[]): string[] {
  return imports
    .filter(({ from, to }) => {
      const source = folderOf(from);
      const target = folderOf(to);
      return source !== target && (layerOf.get(target) ?? Number.POSITIVE_INFINITY) >= (layerOf.get(source) ?? Number.NEGATIVE_INFINITY);
    })
    .map(({ from, to }) => `${from} → ${to}`);
}

const allImports = sourceFiles().flatMap((file) => importsOf(file));
const folderImports = (folder: string) => new Set(allImports.filter(({ from }) => folderOf(from) === folder).map(({ to }) => folderOf(to)));

describe('the layering of src/', () => {
  it('places every folder of src/ on a layer', () => {
    const folders = new Set(sourceFiles().map((file) => folderOf(path.relative(SRC, file))));
    expect([...folders].filter((folder) => !layerOf.has(folder))).toEqual([]);
  });

  it('sees the imports it checks', () => {
    expect(allImports.length).toBeGreaterThan(300);
    expect(folderImports('ranking')).toContain('math');
    expect(folderImports('eval')).toContain('ranking');
  });

  it('has no folder importing from a folder on its own or a higher layer', () => {
    expect(violations(allImports)).toEqual([]);
  });

  it.each([
    ['ranking', ['eval', 'api', 'jobs', 'cli']],
    ['graph', ['ingest', 'ranking', 'kge', 'api', 'jobs', 'eval']],
    ['math', LAYERS.slice(layerOf.get('math')! + 1).flat()],
    ['recommenders', LAYERS.slice(layerOf.get('recommenders')! + 1).flat()],
  ])('keeps src/%s free of imports from %j', (folder, forbidden) => {
    const reached = folderImports(folder as string);
    expect((forbidden as string[]).filter((target) => reached.has(target))).toEqual([]);
  });

  it('reports an import upwards, a sibling import and a dynamic import, and accepts one downwards', () => {
    const file = (name: string) => path.join(SRC, name);
    const source = [
      "import { TopKSelector } from '../math/topK.js';",
      "import type { Metric } from '../eval/metrics.js';",
      "export { readThing } from '../kge/thing.js';",
      "const later = await import('../api/server.js');",
    ].join('\n');
    expect(violations(importsOf(file('ranking/example.ts'), source))).toEqual([
      `${path.join('ranking', 'example.ts')} → ${path.join('eval', 'metrics.js')}`,
      `${path.join('ranking', 'example.ts')} → ${path.join('api', 'server.js')}`,
    ]);
    expect(violations(importsOf(file('ingest/example.ts'), "import { train } from '../kge/train.js';"))).toHaveLength(1);
  });
});
