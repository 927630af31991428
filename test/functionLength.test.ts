import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/config.js';

/**
 * No function in src/ runs over MAX_FUNCTION_LINES: past that, its parts deserve names of their own. The
 * functions listed in LONG_FUNCTIONS are older ones still waiting for that; a function that shrinks below
 * the limit must leave the list, and no new one may join it.
 */
const MAX_FUNCTION_LINES = 80;

/** src/-relative file → names of its functions allowed over the limit for now. */
const LONG_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
};

const SRC = path.join(PROJECT_ROOT, 'src');
/** AssemblyScript compiled to WebAssembly, not TypeScript that Node loads. */
const NOT_TYPESCRIPT = path.join(SRC, 'kge', 'simd', 'assembly');

interface LongFunction {
  /** src/-relative path. */
  file: string;
  name: string;
  line: number;
  lines: number;
}

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return full === NOT_TYPESCRIPT ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** A function's own name, else the name of what it is assigned to, else `<anonymous>`. */
function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  const { parent } = node;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) return parent.name.getText(source);
  return '<anonymous>';
}

/** Every function, method, accessor and arrow function with a body longer than `limit` lines (nested ones too). */
function longFunctions(file: string, limit: number, text = readFileSync(file, 'utf8')): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > limit) found.push({ file: path.relative(SRC, file), name: nameOf(node as ts.FunctionLikeDeclaration, source), line: first + 1, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const describeLong = ({ file, name, line, lines }: LongFunction) => `${file}:${line}: ${name} (${lines} lines)`;
const isAllowed = ({ file, name }: LongFunction) => LONG_FUNCTIONS[file.split(path.sep).join('/')]?.includes(name) ?? false;
const allLong = sourceFiles().flatMap((file) => longFunctions(file, MAX_FUNCTION_LINES));

describe(`functions in src/ over ${MAX_FUNCTION_LINES} lines`, () => {
  it('measures functions of every kind, nested ones included', () => {
    const body = Array.from({ length: 5 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = `function outer() {\n  const inner = () => {\n${body}\n  };\n}\nclass C {\n  method() {\n${body}\n  }\n}\n`;
    expect(longFunctions(path.join(SRC, 'example.ts'), 3, text).map(describeLong)).toEqual([
      'example.ts:1: outer (9 lines)',
      'example.ts:2: inner (7 lines)',
      'example.ts:11: method (7 lines)',
    ]);
  });

  it('are none but the listed older ones', () => {
    expect(allLong.filter((found) => !isAllowed(found)).map(describeLong)).toEqual([]);
  });

  it('lists only functions that are still over the limit', () => {
    const stillLong = new Set(allLong.map(({ file, name }) => `${file.split(path.sep).join('/')}#${name}`));
    const listed = Object.entries(LONG_FUNCTIONS).flatMap(([file, names]) => names.map((name) => `${file}#${name}`));
    expect(listed.filter((entry) => !stillLong.has(entry))).toEqual([]);
  });
});
